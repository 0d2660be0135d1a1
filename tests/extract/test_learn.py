"""Site-level furniture learning: a site of five pages that share furniture.

The golden test runs the real pipeline over HTTP (loopback server, temp-dir SQLite): the
five pages are ingested, the learner sees the blocks they share, and every stored article
of the outlet, including those stored before anything was learned, ends up without them.
"""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.extract import extract
from broadsheet.extract.blocks import Block, render
from broadsheet.extract.learn import (
    MIN_PAGES,
    LearnedFurniture,
    fingerprint,
    is_learned,
    outlet_key,
    page_fingerprints,
    reclean_body,
)
from broadsheet.orchestrate.furniture import reclean_outlet, set_enabled
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from tests.support.httpserver import Reply, TestServer

SITE = Path(__file__).parents[1] / "fixtures" / "pages" / "site"
PAGES = sorted(SITE.glob("page*.html"))
# What the five pages share and no phrase table knows.
FURNITURE = [
    "Listen to this story with Herald Voice",
    "Try Herald Compass, our new AI guide",
    "owned by its readers through the Saltmere Media Cooperative",
    "Send your photos and tips to the newsroom",
]
# One real paragraph of each page (they must all survive).
REAL = [
    "The island ferry will run every ninety minutes",
    "Two kayakers were brought ashore on Sunday afternoon",
    "The derelict cannery on the east quay",
    "The choir of Saltmere Primary School won",
    "Overnight gales tore a section of coping stones",
]
OUTLET = "harbourherald.test"


def _url(i: int) -> str:
    return f"https://www.harbourherald.test/news/story-{i}"


def test_fixture_site_has_five_pages_with_furniture_the_phrase_table_keeps() -> None:
    assert len(PAGES) == 5
    for i, path in enumerate(PAGES):
        article = extract(_url(i), path.read_bytes())
        assert REAL[i] in article.text
        for line in FURNITURE:  # single-page extraction cannot know these
            assert line in article.text, (path.name, line)


def test_fingerprint_folds_case_punctuation_and_digits() -> None:
    assert fingerprint("© 2024 Harbour Herald.") == fingerprint("© 2025 harbour herald")
    assert fingerprint("Harbour Herald") != fingerprint("Harbour Gazette")
    assert fingerprint("x" * 2000) is None  # long blocks are reporting, never furniture
    assert len(page_fingerprints(["a b", "A, B!", "c d"])) == 2


def test_threshold_needs_pages_and_share() -> None:
    assert not is_learned(MIN_PAGES - 1, MIN_PAGES - 1)
    assert is_learned(MIN_PAGES, 5)
    assert not is_learned(MIN_PAGES, 1000)  # 3 of 1000 pages: a coincidence, not furniture


def test_learned_filter_is_picklable_and_keeps_order() -> None:
    fps = frozenset(fp for fp in (fingerprint("Try Herald Compass"),) if fp)
    learned = LearnedFurniture(OUTLET, fps)
    again = pickle.loads(pickle.dumps(learned))
    assert again == learned and bool(again)
    assert again(["one", "Try Herald Compass", "Advertisement", "two"]) == ["one", "two"]
    assert not LearnedFurniture(OUTLET)


def test_extract_applies_a_learned_filter_to_a_new_page() -> None:
    texts = [extract(_url(i), p.read_bytes()).text for i, p in enumerate(PAGES[:3])]
    counts: dict[str, int] = {}
    for text in texts:
        for fp in page_fingerprints(text.split("\n\n")):
            counts[fp] = counts.get(fp, 0) + 1
    learned = LearnedFurniture(OUTLET, frozenset(fp for fp, n in counts.items()
                                                 if is_learned(n, 3)))  # fmt: skip
    article = extract(_url(4), PAGES[4].read_bytes(), furniture=learned)
    for line in FURNITURE:
        assert line not in article.text and line not in article.html
    assert REAL[4] in article.text
    assert article.unfiltered_html and FURNITURE[0] in article.unfiltered_html


def test_reclean_body_keeps_the_body_when_everything_would_go() -> None:
    _, html = render([Block("p", "Try Herald Compass")])
    only = LearnedFurniture(OUTLET, frozenset({fingerprint("Try Herald Compass") or ""}))
    assert reclean_body(html, only) is None


@pytest.fixture
def site(server: TestServer) -> TestServer:
    items = "".join(
        f"<item><title>Story {i}</title><link>{server.base}/news/story-{i}</link>"
        f"<guid>{server.base}/news/story-{i}</guid></item>"
        for i in range(len(PAGES))
    )
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>The Harbour Herald'
            f"</title><link>{server.base}/</link>{items}</channel></rss>")  # fmt: skip
    server.route("/feed.xml", Reply(body=feed, headers={"content-type": "application/rss+xml"}))
    for i, path in enumerate(PAGES):
        server.route(f"/news/story-{i}", Reply(body=path.read_bytes(),
                                               headers={"content-type": "text/html"}))  # fmt: skip
    return server


def test_golden_site_furniture_learned_and_removed_from_all_five(
    settings: Settings, site: TestServer
) -> None:
    store = Store.open(settings)
    try:
        store.add_source(site.url("/feed.xml"), name="The Harbour Herald")
        report = asyncio.run(ingest_once(settings, store))
        assert report.new_articles == 5, report.failures
        stored = list(store.iter_articles())
        assert len(stored) == 5
        outlet = outlet_key(stored[0].url)
        for article in stored:
            for line in FURNITURE:
                assert line not in article.text and line not in article.html, line
            assert any(real in article.text for real in REAL), article.text[:200]
            assert article.description and "Herald Voice" not in article.description

        learned = store.outlet_furniture(outlet)  # inspectable, for the admin area
        assert learned is not None and learned.enabled and learned.pages_seen == 5
        assert learned.articles == 5 and learned.learned == len(learned.blocks) >= 4
        samples = " ".join(b.sample for b in learned.blocks)
        assert all(line in samples for line in FURNITURE)
        assert not any(real in samples for real in REAL)
        assert [o.outlet for o in store.list_outlet_furniture()] == [outlet]

        # the kill switch restores every article exactly, and switching back re-cleans
        assert set_enabled(store, outlet, False) == 5
        assert all(FURNITURE[1] in a.text for a in store.iter_articles())
        assert set_enabled(store, outlet, True) == 5
        assert not any(FURNITURE[1] in a.text for a in store.iter_articles())
        assert set_enabled(store, "unknown.test", False) is None
        # re-cleaning goes in bounded batches: two articles per transaction, same result
        assert store.set_furniture_enabled(outlet, False)
        assert reclean_outlet(store, outlet, batch=2) == 5
        assert all(FURNITURE[1] in a.text for a in store.iter_articles())
        assert store.set_furniture_enabled(outlet, True)
        assert reclean_outlet(store, outlet, batch=2) == 5
        assert reclean_outlet(store, outlet, batch=2) == 0  # nothing left to change
        assert store.search_article_ids("Compass") == []  # the search index follows
    finally:
        store.close()
