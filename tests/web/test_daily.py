"""The Daily 8 through the real ASGI app: a day's page, today, the archive, the feed."""

from __future__ import annotations

import json
import re

import feedparser
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from broadsheet.web.feeds_out import FORMATS
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


def _titles_in_order(html: str, *titles: str) -> list[str]:
    return sorted(titles, key=html.index)


def test_an_editions_daily_8_puts_its_local_stories_first(app: FastAPI, news: dict) -> None:
    world = get(app, "/daily").text
    assert _titles_in_order(world, JAPAN[0][0], WIRE[0]) == [WIRE[0], JAPAN[0][0]]
    page = get(app, "/daily/jp-ja")  # Japan · 日本語: the Japanese outlet's story leads
    assert page.status_code == 200
    html = page.text
    assert "Japan · 日本語" in html and "so far today" in html
    assert _titles_in_order(html, JAPAN[0][0], WIRE[0]) == [JAPAN[0][0], WIRE[0]]
    first = html.split('class="daily__item"')[1]
    assert JAPAN[0][0] in first and "Local" in first
    # its own days, archive and feeds; the world's Daily 8 one link away
    assert 'href="/daily/jp-ja/2024-05-15" rel="prev"' in html
    assert 'href="/daily/jp-ja/archive"' in html and 'href="/daily"' in html
    for fmt in ("rss", "atom", "json"):
        assert f'rel="alternate" type="{FORMATS[fmt]}" href="/feeds/daily/jp-ja.{fmt}"' in html
    past = get(app, "/daily/jp-ja/2024-05-13").text
    assert CHILE[0][0] in past and 'href="/daily/jp-ja" rel="next"' not in past
    assert 'href="/daily/jp-ja/2024-05-14" rel="next"' in past
    archive = get(app, "/daily/jp-ja/archive").text
    assert 'href="/daily/jp-ja/2024-05-13"' in archive
    assert 'href="/feeds/daily/jp-ja.atom"' in archive


@pytest.mark.parametrize(
    "path",
    [
        "/daily/zz-zz",
        "/daily/xx",
        "/daily/jp-ja/2099-01-01",
        "/daily/world/2024-05-13",
        "/feeds/daily/zz-zz.rss",
        "/feeds/daily/world.rss",
        "/daily/zz-zz/archive",
    ],
)
def test_an_edition_the_site_does_not_make_is_not_found(
    app: FastAPI, news: dict, path: str
) -> None:
    assert get(app, path).status_code == 404


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_an_editions_feeds_parse_cleanly(app: FastAPI, news: dict, fmt: str) -> None:
    get(app, "/daily/jp-ja/2024-05-13")
    response = get(app, f"/feeds/daily/jp-ja.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FORMATS[fmt])
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "The Daily 8 — Japan · 日本語 — Broadsheet"
    links = [e.link for e in feed.entries]
    assert links[0].endswith("/daily/jp-ja/2024-05-16")  # today's, newest first
    assert any(link.endswith("/daily/jp-ja/2024-05-13") for link in links)
    today = feed.entries[0]
    body = today.content[0].value if fmt == "atom" else today.summary
    assert body.index(JAPAN[0][0]) < body.index(WIRE[0])


def test_an_editions_json_feed(app: FastAPI, news: dict) -> None:
    response = get(app, "/feeds/daily/jp-ja.json")
    assert response.headers["content-type"].startswith(FORMATS["json"])
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == "http://testserver/daily/jp-ja"
    today = feed["items"][0]
    assert today["url"] == "http://testserver/daily/jp-ja/2024-05-16"
    assert today["content_html"].index(JAPAN[0][0]) < today["content_html"].index(WIRE[0])
    assert today["content_text"].startswith(f"1. {JAPAN[0][0]}")


def test_the_world_feed_moves_to_the_feeds_but_keeps_its_address(app: FastAPI, news: dict) -> None:
    page = get(app, "/daily/2024-05-13").text
    assert 'href="/feeds/daily.rss"' in page and 'href="/feeds/daily.json"' in page
    for path in ("/daily/feed.xml", "/feeds/daily.atom"):
        feed = feedparser.parse(get(app, path).content)
        assert not feed.bozo and feed.feed.title == "The Daily 8 — Broadsheet"


def test_an_edition_links_its_daily_8(app: FastAPI, news: dict) -> None:
    assert 'href="/daily/jp-ja"' in get(app, "/editions/jp-ja").text
    assert 'href="/daily/jp-ja"' in get(app, "/editions").text
    # a reader whose edition is Japan's finds it from the world's Daily 8
    assert 'href="/daily/jp-ja"' in get(app, "/daily", accept_language="ja-JP").text


def test_a_story_naming_the_country_is_local_to_its_edition(
    app: FastAPI, store: Store, news: dict
) -> None:
    """No Chilean outlet reported today's stories, but the Japan quake's report names
    Chile (a place found in its text): Chile's edition puts it first, marked local."""
    place = {"countries": [{"code": "CL", "name": "Chile", "mentions": 1}]}
    store.save_understanding(news["japan0"], place, {"countries": "test"})
    html = get(app, "/daily/cl-es").text
    assert _titles_in_order(html, JAPAN[0][0], WIRE[0]) == [JAPAN[0][0], WIRE[0]]
    first, second = html.split('class="daily__item"')[1:3]
    assert JAPAN[0][0] in first and "daily__local" in first
    assert "daily__local" not in second


@pytest.mark.parametrize(
    ("path", "how", "title", "entry"),
    [
        (
            "/feeds/daily/jp-ja.atom",
            {"accept_language": "fr-FR,fr;q=0.9"},
            "Les 8 du jour — Japon · 日本語 — Broadsheet",
            "Les 8 du jour — Japon · 日本語 du 16 mai 2024",
        ),
        (
            "/daily/feed.xml",
            {"cookie": "lang=ar"},
            "ثمانية اليوم — Broadsheet",
            "ثمانية اليوم ليوم 16 مايو 2024",
        ),
        ("/feeds/latest.rss", {"accept_language": "fr"}, "En continu — Broadsheet", None),
        ("/feeds/daily.rss", {}, "The Daily 8 — Broadsheet", "The Daily 8 for May 16, 2024"),
    ],
)
def test_feed_titles_speak_the_readers_language(
    app: FastAPI, news: dict, path: str, how: dict[str, str], title: str, entry: str | None
) -> None:
    """A feed asked for in French (Accept-Language) or Arabic (the language cookie) is
    titled in it, its Daily 8 entries too, their day written as the language writes a date
    (not ISO inside a French or Arabic title; Latin digits in Arabic, like the rest of the
    interface); without either, English. The headlines are the outlets' own, untouched; the
    feed still parses cleanly."""
    response = get(app, path, **how)
    assert "Accept-Language" in response.headers["vary"]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == title
    expected = {"fr-FR,fr;q=0.9": "fr", "fr": "fr"}.get(how.get("accept_language", ""), "en")
    expected = "ar" if how.get("cookie") == "lang=ar" else expected
    # RSS <language>, Atom xml:lang on the title (the entries' headlines are the outlets')
    assert (feed.feed.get("language") or feed.feed.title_detail.language) == expected
    if entry is not None:
        assert feed.entries[0].title == entry
    else:
        assert any(CHILE[0][0] == e.title for e in feed.entries)


ARABIC_INDIC = re.compile("[\u0660-\u0669\u06f0-\u06f9]")  # ٠-٩ and the Persian ۰-۹


@pytest.mark.parametrize("accept", ["ar", "ar-EG,ar;q=0.9", "ar-SA"])
def test_arabic_pages_write_every_number_in_latin_digits(
    app: FastAPI, store: Store, news: dict, accept: str
) -> None:
    """Dates, relative times, counts and the Daily 8 feed's days in the Arabic interface
    use Latin digits throughout, whichever Arabic locale the browser asks for (ar-EG and
    ar-SA are where Arabic-Indic digits would come from): one numbering on every page."""
    story = store.story_of_article(news["chile0"])
    pages = ["/", "/latest", "/daily/2024-05-13", f"/stories/{story}",
             f"/articles/{news['chile0']}", "/daily/feed.xml"]  # fmt: skip
    for path in pages:
        response = get(app, path, cookie="lang=ar", accept_language=accept)
        assert response.status_code == 200, path
        assert not ARABIC_INDIC.search(response.text), (path, ARABIC_INDIC.findall(response.text))
    day = get(app, "/daily/2024-05-13", cookie="lang=ar", accept_language=accept).text
    assert "13 مايو 2024" in day  # the day's date, Latin digits
    feed = feedparser.parse(get(app, "/daily/feed.xml", cookie="lang=ar").content)
    assert all(re.search(r"\d{1,2} \S+ 2024$", e.title) for e in feed.entries)
