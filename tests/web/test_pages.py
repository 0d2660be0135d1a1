"""The home and article pages through the real ASGI app and a real SQLite store."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.asgi import get, without_own_scripts
from tests.web.sample import ARTICLES, HARBOUR, NORDIC, NOW, article_for, seed

NEWEST_FIRST = [s.title for s in sorted(ARTICLES, key=lambda s: s.age)]


def visible(html: str) -> str:
    """The <main> element: what the reader sees as the page's content."""
    return html[html.index("<main") : html.index("</main>")]


def positions(html: str, *needles: str) -> list[int]:
    found = [html.find(n) for n in needles]
    assert all(i >= 0 for i in found), dict(zip(needles, found, strict=True))
    return found


# --- home ---------------------------------------------------------------------------------


def test_home_lists_newest_first_with_relative_time(app: FastAPI, ids: dict[str, int]) -> None:
    response = get(app, "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = visible(response.text)
    order = positions(page, *NEWEST_FIRST)
    assert order == sorted(order)
    assert "26 minutes ago" in page
    assert "2 hours ago" in page
    assert "3 days ago" in page
    # Each headline links to its article page; the time element carries the absolute date.
    assert f'href="/articles/{ids["port-strike-ends"]}"' in page
    assert re.search(
        r'<time datetime="2024-05-14T11:34:00\+00:00" title="May 14, 2024, 11:34\sAM UTC"', page
    )
    # The description is the line of text; without one, the first paragraph stands in.
    assert "Dockers accepted a 6% rise" in page
    assert "Forecasters issued a severe geomagnetic storm watch" in page


def test_home_outlets_show_favicon_or_letter_badge(
    app: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    page = visible(get(app, "/").text)
    by_name = {s.name: s for s in store.list_sources()}
    harbour, nordic = by_name[HARBOUR], by_name[NORDIC]
    assert f'src="/icons/{harbour.id}"' in page
    assert f'src="/icons/{nordic.id}"' not in page
    assert re.search(r'class="outlet__badge badge-\d"[^>]*>N</span>', page)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        # the interface does not speak German: the page, dates included, stays English
        ("de-DE,de;q=0.9,en;q=0.8", "26 minutes ago"),
        ("fr-FR,fr;q=0.9", "il y a 26 minutes"),
        ("en-GB", "26 minutes ago"),
        ("x-klingon, de;q=0.5, ar;q=0.4", "قبل 26 دقيقة"),
    ],
)
def test_home_relative_time_in_the_readers_language(
    app: FastAPI, ids: dict[str, int], accept_language: str, expected: str
) -> None:
    page = get(app, "/", accept_language=accept_language).text
    assert expected in page


def test_home_falls_back_to_the_configured_locale(settings: Settings, store: Store) -> None:
    seed(store)
    app = create_app(settings.model_copy(update={"locale": "fr"}), store, clock=lambda: NOW)
    assert "il y a 26 minutes" in get(app, "/").text


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "*",
        ";;;,,,",
        "en;q=abc",
        "de;q=nan",
        "../../etc/passwd",
        "a" * 5000,
        "zz-ZZ-zz-ZZ",
        "en-US;q=2",
        "q=0.5;de",
        "\t",
        "ja;q=1.0;level=1",
        "i-klingon",
    ],
)
def test_garbage_accept_language_does_not_crash(
    app: FastAPI, ids: dict[str, int], garbage: str
) -> None:
    response = get(app, "/", accept_language=garbage)
    assert response.status_code == 200
    assert "ago" in response.text or "前" in response.text


def test_home_pagination_by_cursor(settings: Settings, store: Store) -> None:
    """Before any story, the home page is the first page of /latest; older pages follow
    a cursor (the last row's sort key), not a page number."""
    seed(store)
    app = create_app(settings.model_copy(update={"page_size": 3}), store, clock=lambda: NOW)
    first = get(app, "/").text
    assert positions(visible(first), *NEWEST_FIRST[:3])
    assert NEWEST_FIRST[3] not in visible(first) and "Newer" not in first
    older = re.search(r'href="(/latest\?before=[0-9]+_[0-9]+)"', first)
    assert older is not None
    second = get(app, older.group(1).replace("&amp;", "&")).text
    assert positions(visible(second), *NEWEST_FIRST[3:6])
    newer = re.search(r'href="(/latest\?after=[0-9]+_[0-9]+)"', second)
    assert newer is not None  # back to the newer page
    assert positions(visible(get(app, newer.group(1)).text), *NEWEST_FIRST[:3])
    third = get(app, re.search(r'href="(/latest\?before=[^"]+)"', second).group(1)).text
    assert NEWEST_FIRST[6] in visible(third) and "Older" not in third
    assert get(app, "/?page=2").status_code == 404  # no stories: no ranked pages
    for bad in ("0", "-1", "abc", "99999999999999999999"):
        response = get(app, f"/?page={bad}")
        assert response.status_code == 400, bad
        assert "content-security-policy" in response.headers
    for bad in ("abc", "1_", "_1", "1.5_2", "9" * 30 + "_1", "1_2_3"):
        assert get(app, f"/latest?before={bad}").status_code == 400, bad


def test_home_empty_state(app: FastAPI, store: Store) -> None:
    store.add_source("https://feed.example/rss", name="A feed not read yet")
    page = visible(get(app, "/").text)
    assert "No articles yet — sources are being fetched" in page
    assert "<ol" not in page


# --- article ------------------------------------------------------------------------------


def test_article_page_order(app: FastAPI, ids: dict[str, int]) -> None:
    response = get(app, f"/articles/{ids['port-strike-ends']}")
    assert response.status_code == 200
    page = visible(response.text)
    sample = ARTICLES[0]
    order = positions(
        page,
        HARBOUR,
        f">{sample.title}</h1>",
        "Amelia Okafor",
        "<time",
        'href="https://harbourgazette.example/news/port-strike-ends"',
        '<p><span class="s" id="s-1">Dock workers at the city',
        '<p><span class="s" id="s-4">The first vessels are expected',  # each sentence anchored
    )
    assert order == sorted(order)
    assert page.count("<h1") == 1
    assert page.count(sample.title) == 1
    assert re.search(r"May 14, 2024, 11:34\sAM UTC", page)
    assert re.search(
        r'<a href="https://harbourgazette\.example/news/port-strike-ends" '
        r'rel="noopener noreferrer" target="_blank">',
        page,
    )
    # After the body: no AI panel or story placeholders; the comments (issue 11), empty.
    assert re.search(
        r"The first vessels[^<]*</span></p>\s*</div>\s*<div class=\"article__after\">\s*"
        r"<section class=\"comments\"",
        page,
    )
    assert "No comments yet" in page


def test_article_date_in_the_readers_locale_and_configured_zone(
    settings: Settings, store: Store
) -> None:
    ids = seed(store)
    app = create_app(
        settings.model_copy(update={"timezone": "Europe/Berlin"}), store, clock=lambda: NOW
    )
    page = get(app, f"/articles/{ids['port-strike-ends']}", accept_language="fr-FR").text
    assert "14 mai 2024, 13:34" in page
    assert 'datetime="2024-05-14T11:34:00+00:00"' in page


def test_article_language_marks_headline_and_body(app: FastAPI, ids: dict[str, int]) -> None:
    page = visible(get(app, f"/articles/{ids['energy-prices']}").text)
    assert 'lang="de">Energiepreise sinken' in page
    assert '<div class="article__body" lang="de">' in page


def test_headline_repeated_at_the_top_of_the_body_shows_once(app: FastAPI, store: Store) -> None:
    source = store.add_source("https://harbourgazette.example/rss", name=HARBOUR)
    sample = ARTICLES[0]
    body = f"<h1>{sample.title}</h1><p>{sample.paragraphs[0]}</p><p>{sample.paragraphs[1]}</p>"
    article_id = store.save_article(source.id, article_for(sample, html=body), NOW)
    page = visible(get(app, f"/articles/{article_id}").text)
    assert page.count(sample.title) == 1
    assert page.count("<h1") == 1
    assert sample.paragraphs[1][:40] in page


def test_titles_and_authors_are_escaped(app: FastAPI, store: Store) -> None:
    source = store.add_source("https://evil.example/feed", name="<b>Evil</b> News")
    hostile = article_for(
        ARTICLES[0],
        title='<script>alert("title")</script> Breaking',
        author="<img src=x onerror=alert(1)>",
        description="<iframe src=javascript:alert(2)></iframe>",
        language='"><script>alert(3)</script>',
    )
    article_id = store.save_article(source.id, hostile, NOW)
    for path in ("/", f"/articles/{article_id}"):
        html = get(app, path).text
        assert "<script" not in without_own_scripts(html)
        assert "<img src=x" not in html
        assert "<iframe" not in html
        assert "<b>Evil</b>" not in html
        assert "&lt;script&gt;alert(" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in get(app, f"/articles/{article_id}").text


def test_original_link_only_for_web_urls(app: FastAPI, store: Store) -> None:
    source = store.add_source("https://harbourgazette.example/rss", name=HARBOUR)
    bad = article_for(ARTICLES[0], url="javascript:alert(1)", canonical_url="javascript:alert(1)")
    article_id = store.save_article(source.id, bad, NOW)
    page = get(app, f"/articles/{article_id}").text
    assert "javascript:" not in page
    assert "Read the original" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/articles/999",
        "/articles/abc",
        "/articles/0",
        "/articles/-1",
        "/articles/99999999999999999999999",
        "/nowhere",
    ],
)
def test_unknown_articles_and_pages_are_404(app: FastAPI, ids: dict[str, int], path: str) -> None:
    response = get(app, path)
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_outlet_names_are_isolated_from_the_text_around_them(app: FastAPI, store: Store) -> None:
    """A right-to-left override in an outlet's name must not reverse the page after it
    (issue 16): every outlet name is shown inside <bdi>, and the pages drop the bidi
    embeddings, overrides and isolates of what they print (issue 16, the XSS corpus)."""
    source = store.add_source("https://rtl.example/feed", name="Evil\u202e News\u2066")
    article_id = store.save_article(source.id, article_for(ARTICLES[0]), NOW)
    for path in ("/latest", f"/articles/{article_id}", f"/sources/{source.id}"):
        body = get(app, path).text.split("<body>", 1)[1]  # (the <title> is plain text)
        assert "\u202e" not in body and "\u2066" not in body
        assert "Evil News" in body
        assert body.count("Evil News") == body.count("<bdi>Evil News</bdi>")


def test_an_empty_home_page_says_why_when_every_source_fails(app: FastAPI, store: Store) -> None:
    """Offline, every default feed fails: the home page says so and where to look, instead
    of "reload in a minute" forever (issue 12)."""
    assert "No sources yet." in get(app, "/").text
    for n in range(3):
        source = store.add_source(f"https://feed{n}.example/rss", name=f"Feed {n}")
        store.update_source(
            source.id, error_count=2, last_error="fetch: feed0.example: DNS lookup failed"
        )
    page = get(app, "/").text
    assert "all 3 sources are failing to fetch" in page
    assert "DNS lookup failed" in page and "broadsheet sources list" in page
    healthy = store.add_source("https://ok.example/rss", name="Fine")
    assert healthy.enabled
    page = get(app, "/").text
    assert "3 of 4 sources are failing" in page
