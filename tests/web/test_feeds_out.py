"""Feeds out through the real ASGI app: every list page advertises its RSS, Atom and JSON
Feed, and each parses cleanly (feedparser without bozo; JSON Feed with our own parser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import feedparser
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.ingest.jsonfeed import parse as parse_json_feed
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from broadsheet.web.feeds_out import Feed, Item, atom, rss
from tests.stories import conftest as stories_fixtures
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, at
from tests.web.asgi import get

outlets = stories_fixtures.outlets
stories_add = stories_fixtures.add


@pytest.fixture
def news(store: Store, settings: Settings, stories_add: Add) -> dict[str, int]:
    ids = {
        "chile0": stories_add("Andes Daily", *CHILE[0], at(0)),
        "chile1": stories_add("Pacific Times", *CHILE[1], at(2)),
        "japan0": stories_add("Nippon Herald", *JAPAN[0], at(72)),
    }
    for article_id in ids.values():
        cluster_stored(store, settings, article_id)
    return ids


@pytest.fixture
def app(settings: Settings, store: Store, news: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: at(80))


def _pages(store: Store, news: dict[str, int]) -> list[str]:
    story = store.story_of_article(news["chile0"])
    source = store.get_source_by_url("https://andes.example/feed")
    assert source is not None
    return [
        "/",
        "/latest",
        f"/stories/{story}",
        f"/sources/{source.id}",
        "/places/cl",
        "/search?q=earthquake",
    ]


def test_every_list_page_advertises_feeds_that_parse(
    app: FastAPI, store: Store, news: dict[str, int]
) -> None:
    for page in _pages(store, news):
        html = get(app, page).text
        links = re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)"', html)
        kinds = {kind for kind, _href in links}
        assert kinds == {
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        }, page
        for kind, href in links:
            response = get(app, href.replace("&amp;", "&"))
            assert response.status_code == 200, href
            assert response.headers["content-type"].startswith(kind)
            if kind == "application/feed+json":
                parsed = parse_json_feed(f"http://testserver{href}", response.content, kind, at(80))
                assert parsed.entries or "/places/" in href, href
            else:
                feed = feedparser.parse(response.content)
                assert not feed.bozo, (href, feed.get("bozo_exception"))
                # (the place's page is empty here: understanding did not run on the sample)
                assert feed.entries or "/places/" in href, href


def test_story_feed_lists_its_reports(app: FastAPI, store: Store, news: dict[str, int]) -> None:
    story = store.story_of_article(news["chile0"])
    feed = feedparser.parse(get(app, f"/feeds/stories/{story}.atom").content)
    assert {e.title for e in feed.entries} == {CHILE[0][0], CHILE[1][0]}
    assert all(e.link.startswith("http://testserver/articles/") for e in feed.entries)


def test_public_url_setting_makes_the_links(settings: Settings, store: Store, news: dict) -> None:
    configured = settings.model_copy(update={"public_url": "https://news.example.org/"})
    app = create_app(configured, store, clock=lambda: at(80))
    feed = feedparser.parse(get(app, "/feeds/latest.rss", host="evil.example").content)
    assert feed.entries and all(
        e.link.startswith("https://news.example.org/articles/") for e in feed.entries
    )


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/latest.xml",
        "/feeds/topics/nope.rss",
        "/feeds/stories/99999.atom",
        "/feeds/places/zz.json",
        "/feeds/unknown.rss",
        "/feeds/latest",
    ],
)
def test_unknown_feeds_are_404(app: FastAPI, path: str) -> None:
    assert get(app, path).status_code == 404


def test_hostile_text_is_escaped_and_control_characters_dropped() -> None:
    item = Item(
        id="https://x.example/a/1",
        title="<script>alert(1)</script> & \x02 \x0b done",
        link="https://x.example/a/1",
        updated=datetime(2024, 5, 13, tzinfo=UTC),
        summary="]]> <b>bold</b>",
    )
    feed = Feed("T & <t>", "https://x.example/", "https://x.example/f", item.updated, [item])
    for body in (rss(feed), atom(feed)):
        assert b"<script>" not in body and b"\x02" not in body and b"\x0b" not in body
        parsed = feedparser.parse(body)
        assert not parsed.bozo
        assert parsed.entries[0].title.startswith("<script>alert(1)</script> &")
