"""RELIABILITY 10: missing, unstable or duplicate GUIDs; the same feed twice adds nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from broadsheet.config import Settings
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from tests.support.httpserver import Reply, Request, TestServer

M = "tests/reliability/test_10_guids.py::"
LINES = {
    "Missing, unstable or duplicate GUIDs": [
        "tests/test_pipeline.py::test_feed_to_stored_articles_and_nothing_twice",
        "tests/test_pipeline.py::test_tracking_parameters_do_not_make_duplicates",
        "tests/store/test_store.py::test_same_url_is_stored_once_with_a_reason",
        "tests/test_import.py::test_bad_lines_are_reported_and_a_second_import_adds_nothing",
        M + "test_10_missing_unstable_and_duplicate_guids_and_the_same_feed_twice",
    ],
}
TEXT = (
    "Engineers found cracks in three of the columns that hold up the northern pier, and the "
    "harbour authority closed it for eleven weeks of repairs starting on Monday morning. "
)


def test_10_missing_unstable_and_duplicate_guids_and_the_same_feed_twice(
    server: TestServer, settings: Settings, store: Store
) -> None:
    fetches = []

    def feed(request: Request) -> Reply:
        fetches.append(1)
        n = len(fetches)
        items = [
            ("no guid", "/a", None),
            ("unstable guid", "/b", f"urn:random:{n}"),  # a new GUID on every fetch
            ("shared guid one", "/c", "urn:same"),
            ("shared guid two", "/d", "urn:same"),  # a publisher reusing a GUID
            ("same link twice", "/a", "urn:other"),
        ]
        body = "".join(
            f"<item><title>{t}</title><link>{server.base}{p}</link>"
            + (f'<guid isPermaLink="false">{g}</guid>' if g else "")
            + "</item>"
            for t, p, g in items
        )
        rss = f'<rss version="2.0"><channel><title>G</title>{body}</channel></rss>'
        return Reply(body=rss, headers={"content-type": "application/rss+xml"})

    server.route("/feed.xml", feed)
    for path in "abcd":
        server.route(f"/{path}", f"<html><body><article><h1>Page {path}</h1><p>{path}. {TEXT * 3}"
                                 "</p></article></body></html>")  # fmt: skip
    source = store.add_source(server.url("/feed.xml"))
    quick = settings.model_copy(update={"understand": False})
    first = asyncio.run(ingest_once(quick, store))
    # The second item sharing a GUID is an article too, not silently dropped.
    assert first.new_articles == 4 and store.count_articles() == 4
    store.update_source(source.id, next_poll_at=datetime.now(UTC), etag=None)
    polled = len(fetches)
    second = asyncio.run(ingest_once(quick, store))
    assert len(fetches) > polled  # the feed was read again, with new unstable GUIDs
    assert second.new_articles == 0 and store.count_articles() == 4
    assert {a.url.rsplit("/", 1)[1] for a in store.latest_articles(10)} == set("abcd")
