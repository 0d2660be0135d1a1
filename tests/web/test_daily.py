"""The Daily 8 through the real ASGI app: a day's page, today, the archive, the feed."""

from __future__ import annotations

import feedparser
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.stories import conftest as stories_fixtures
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, STRIKE, WIRE, at
from tests.web.asgi import get

# the stories tests' outlets and their `add` fixture, registered here too
outlets = stories_fixtures.outlets
stories_add = stories_fixtures.add
news = stories_fixtures.news  # the clustered sample news
add = stories_fixtures.add

NOW = at(80)  # 2024-05-16 18:00 UTC; the Chile quake was first reported on 2024-05-13


@pytest.fixture
def app(settings: Settings, store: Store) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


def test_a_day_lists_its_stories_with_summaries(app: FastAPI, store: Store, news: dict) -> None:
    page = get(app, "/daily/2024-05-13")
    assert page.status_code == 200
    html = page.text
    assert "The Daily 8" in html and "Monday, May 13, 2024" in html
    story = store.story_of_article(news["chile0"])
    assert f'href="/stories/{story}"' in html
    assert "3 outlets · 3 independent reports" in html
    assert "Iquique" in html  # a summary line from the outlets' own text
    assert 'href="/daily/2024-05-12" rel="prev"' in html
    assert 'href="/daily/2024-05-14" rel="next"' in html
    assert 'type="application/atom+xml"' in html  # the feed is advertised


def test_today_so_far_and_an_empty_day(app: FastAPI, news: dict) -> None:
    today = get(app, "/daily")
    assert today.status_code == 200
    assert "so far today" in today.text
    assert JAPAN[0][0] in today.text and WIRE[0] in today.text  # both first reported today
    quiet = get(app, "/daily/2024-05-14")
    assert "No stories that day." in quiet.text


def test_a_past_day_is_kept_and_never_changes(
    app: FastAPI, store: Store, settings: Settings, stories_add: Add, news: dict
) -> None:
    first = get(app, "/daily/2024-05-13").text
    late = stories_add("Quiet Weekly", *STRIKE, at(3))  # a report of that day, stored afterwards
    cluster_stored(store, settings, late)
    assert get(app, "/daily/2024-05-13").text == first
    assert STRIKE[0] not in first


def test_archive_lists_the_kept_days(app: FastAPI, news: dict) -> None:
    assert "No editions yet." in get(app, "/daily/archive").text
    get(app, "/daily/2024-05-13")
    archive = get(app, "/daily/archive").text
    assert 'href="/daily/2024-05-13"' in archive and CHILE[0][0] in archive


def test_feed_parses_cleanly(app: FastAPI, news: dict) -> None:
    get(app, "/daily/2024-05-13")
    response = get(app, "/daily/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = next(e for e in feed.entries if e.link.endswith("/daily/2024-05-13"))
    assert CHILE[0][0] in entry.content[0].value


@pytest.mark.parametrize(
    "day", ["2024-05-17", "2099-01-01", "2024-13-01", "yesterday", "1999-12-31"]
)
def test_future_or_invalid_days_are_not_found(app: FastAPI, news: dict, day: str) -> None:
    assert get(app, f"/daily/{day}").status_code == 404


def test_the_masthead_links_the_daily_8(app: FastAPI, news: dict) -> None:
    assert 'href="/daily"' in get(app, "/").text
