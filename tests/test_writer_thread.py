"""The event loop does not write articles: the steps after extraction run in the writer.

Every statement the store runs is observed on the real SQLite engine (an SQLAlchemy event,
not a stand-in), with the thread that ran it; the ingest's event loop runs in this
thread. Saving articles, furniture learning and re-cleaning, understanding and the stories
stage must all have run elsewhere (the one writer thread), and in one thread only.
"""

from __future__ import annotations

import threading

from sqlalchemy import event

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss, run

STEP_TABLES = ("articles", "article_extraction", "furniture_blocks", "outlet_furniture",
               "article_features", "story_articles", "stories")  # fmt: skip


def test_steps_after_extraction_write_from_one_thread_off_the_loop(
    server: TestServer, settings: Settings
) -> None:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(1, 6)]
    server.route("/feed", rss(server.base, items), headers={"content-type": "application/rss+xml"})
    for n in range(1, 6):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    store = Store.open(settings)
    writes: list[tuple[str, str]] = []  # (table, thread)

    def seen(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        words = statement.split()
        if words and words[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if words[0].upper() != "UPDATE" else words[1]
            writes.append((table.strip('"'), threading.current_thread().name))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        store.add_source(server.url("/feed"), name="Harbour Post")
        report = run(settings.model_copy(update={"understand": False}), store)
        assert report.new_articles == 5, report.failures
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
        store.close()
    steps = [(table, thread) for table, thread in writes if table in STEP_TABLES]
    assert {t for t, _ in steps} >= {"articles", "article_extraction", "story_articles"}
    threads = {thread for _t, thread in steps}
    assert len(threads) == 1 and threading.current_thread().name not in threads, threads
    assert next(iter(threads)).startswith("broadsheet-writer")


def test_a_long_lived_worker_keeps_a_bounded_number_of_feed_entries_per_outlet(
    settings: Settings, store: Store
) -> None:
    """The worker keeps one ``SiteKnowledge`` for its whole life: the feed entries it
    remembers per outlet (for teaser detection) are the newest RECENT_ARTICLES, not every
    entry it ever saw."""
    from broadsheet.extract.teasers import RECENT_ARTICLES
    from broadsheet.models import FeedEntry
    from broadsheet.orchestrate.site import SiteKnowledge

    site = SiteKnowledge(settings, store)
    entries = [
        FeedEntry(url=f"https://harbour.example/news/{n}", title=f"Harbour story number {n}")
        for n in range(RECENT_ARTICLES + 50)
    ]
    for start in range(0, len(entries), 10):  # polls of ten new entries each
        site.note_entries(entries[start : start + 10])
    known = site.known("harbour.example")
    assert len(known) == RECENT_ARTICLES
    assert known.urls[-1] == entries[-1].url  # the newest are kept
    assert entries[0].url not in known.urls
