"""The paged lists through the real ASGI app: /latest, /stories, a story's articles, an
outlet's articles; cursors in the URL, bounded story pages with a "more" link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.store.stories import Change
from broadsheet.web import stories as story_pages
from broadsheet.web.app import create_app
from tests.web.asgi import get
from tests.web.sample import ARTICLES, NOW, article_for, seed


def _older(html: str) -> str | None:
    found = re.search(r'class="pager__older" rel="next" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(app: FastAPI, path: str) -> list[str]:
    """Every article link of a list, following its "Older" links to the end."""
    seen: list[str] = []
    next_path: str | None = path
    while next_path:
        html = get(app, next_path).text
        seen += re.findall(r'<a href="(/articles/\d+)"', html)
        next_path = _older(html)
    return seen


def test_outlet_page_lists_its_articles_newest_first(settings: Settings, store: Store) -> None:
    ids = seed(store)
    app = create_app(settings.model_copy(update={"page_size": 2}), store, clock=lambda: NOW)
    harbour = [ids[s.slug] for s in ARTICLES if s.outlet == "The Harbour Gazette"]
    assert _walk(app, "/sources/1") == [f"/articles/{i}" for i in harbour]
    assert "The Harbour Gazette" in get(app, "/sources/1").text
    for path in ("/sources/999", "/sources/abc", "/sources/0"):
        assert get(app, path).status_code == 404
    assert get(app, "/sources/1?before=nonsense").status_code == 400


def test_story_page_is_bounded_with_a_link_to_every_article(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = store.add_source("https://harbourgazette.example/rss", name="Harbour").id
    sample = ARTICLES[0]
    ids = []
    for n in range(7):
        article = article_for(
            sample,
            url=f"https://harbourgazette.example/{n}",
            canonical_url=f"https://harbourgazette.example/{n}",
            title=f"Dock report {n}",
            content_hash=f"hash{n}",
            published=NOW - timedelta(hours=n),
        )
        saved = store.save_article(source, article, fetched_at=NOW)
        assert isinstance(saved, int)
        ids.append(saved)
    story = store.apply_story_changes([Change(article_id=i, story=-1) for i in ids])[-1]
    monkeypatch.setattr(story_pages, "STORY_ITEMS", 3)
    monkeypatch.setattr(story_pages, "MEMBERS_PAGE", 3)
    app = create_app(settings, store, clock=lambda: NOW)
    html = get(app, f"/stories/{story}").text
    shown = re.findall(r'class="coverage__headline" href="/articles/(\d+)"', html)
    assert shown == [str(i) for i in ids[:3]]  # the latest three
    assert (
        "All 7 articles" in html and '<td data-label="Articles">7</td>' in html
    )  # the digest counts them all
    more = re.search(r'href="(/stories/\d+/articles\?before=[^"]+)"', html)
    assert more is not None
    everything = [f"/articles/{i}" for i in ids[:3]]
    next_path: str | None = more.group(1)
    while next_path:
        page = get(app, next_path).text
        everything += [
            f"/articles/{i}"
            for i in re.findall(r'coverage__headline" href="/articles/(\d+)"', page)
        ]
        next_path = _older(page)
    assert everything == [f"/articles/{i}" for i in ids]
    assert get(app, f"/stories/{story}/articles?after=garbage").status_code == 400
    assert get(app, "/stories/999/articles").status_code == 404


def test_stories_index_pages_every_story(settings: Settings, store: Store) -> None:
    ids = seed(store)
    for slug in ids:
        store.apply_story_changes([Change(article_id=ids[slug], story=-1)])
    app = create_app(settings.model_copy(update={"page_size": 3}), store, clock=lambda: NOW)
    titles: list[str] = []
    next_path: str | None = "/stories"
    while next_path:
        html = get(app, next_path).text
        titles += re.findall(r'<a href="/stories/\d+">([^<]+)</a>', html)
        next_path = _older(html)
    assert titles == [s.title for s in ARTICLES]  # newest report first
    assert get(app, "/stories?before=1_1").status_code == 404  # before everything: empty


def test_story_page_bounds_its_outlets_table_with_a_link_to_all(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big story's table of outlets shows its first STORY_OUTLETS rows (by first report)
    and a link to the whole table; the counts above it still count every outlet."""
    ids = []
    for n in range(5):
        source = store.add_source(f"https://outlet{n}.example/rss", name=f"Outlet {n}").id
        article = article_for(
            ARTICLES[0],
            url=f"https://outlet{n}.example/quay",
            canonical_url=f"https://outlet{n}.example/quay",
            title=f"Quay report {n}",
            content_hash=f"quay{n}",
            published=NOW - timedelta(hours=10 - n),  # outlet 0 reported first
        )
        saved = store.save_article(source, article, fetched_at=NOW)
        assert isinstance(saved, int)
        ids.append(saved)
    story = store.apply_story_changes([Change(article_id=i, story=-1) for i in ids])[-1]
    monkeypatch.setattr(story_pages, "STORY_OUTLETS", 2)
    app = create_app(settings, store, clock=lambda: NOW)
    rows = re.compile(r'class="outlets__name"><a href="/sources/\d+"><bdi>([^<]+)</bdi>')
    html = get(app, f"/stories/{story}").text
    assert rows.findall(html) == ["Outlet 0", "Outlet 1"]  # the first to report
    assert "5 outlets" in html  # the facts count them all
    link = f'href="/stories/{story}?outlets=all#who-title">All 5 outlets'
    assert link in html
    whole = get(app, f"/stories/{story}?outlets=all").text
    assert rows.findall(whole) == [f"Outlet {n}" for n in range(5)]
    assert "All 5 outlets" not in whole
    monkeypatch.setattr(story_pages, "STORY_OUTLETS", 5)
    assert "All 5 outlets" not in get(app, f"/stories/{story}").text  # nothing more to show
