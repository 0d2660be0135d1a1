"""The local sample publisher: real HTTP on 127.0.0.1, feeds in four formats, real pages."""

from __future__ import annotations

import json
import struct
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import defusedxml.ElementTree as ET
import feedparser
import httpx
import pytest

from broadsheet.demo.content import (
    OUTLETS,
    SAMPLE_NOTICE,
    article_body,
    plan_articles,
)
from broadsheet.demo.publisher import SamplePublisher, _Server

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
N = 12


@pytest.fixture(scope="module")
def publisher() -> Iterator[SamplePublisher]:
    with SamplePublisher(articles_per_outlet=N, now=NOW) as pub:
        yield pub


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as c:  # the local publisher: no loaded machine misses it
        yield c


def _feed_links(client: httpx.Client, outlet) -> list[str]:  # noqa: ANN001
    response = client.get(outlet.feed_url)
    assert response.status_code == 200
    if outlet.feed_format == "jsonfeed":
        doc = json.loads(response.content)
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert SAMPLE_NOTICE in doc["description"]
        return [item["url"] for item in doc["items"]]
    if outlet.feed_format == "news-sitemap":
        root = ET.fromstring(response.content)
        ns = {
            "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "n": "http://www.google.com/schemas/sitemap-news/0.9",
        }
        assert len(root.findall("s:url/n:news/n:title", ns)) == N
        assert SAMPLE_NOTICE.encode() in response.content
        return [loc.text for loc in root.findall("s:url/s:loc", ns)]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert SAMPLE_NOTICE in parsed.feed.get("description", parsed.feed.get("subtitle", ""))
    return [entry.link for entry in parsed.entries]


def test_outlets_cover_countries_languages_and_formats(publisher: SamplePublisher) -> None:
    outlets = publisher.outlets
    assert len(outlets) == len(OUTLETS) >= 4
    assert len({o.language for o in outlets}) >= 4
    assert len({o.country for o in outlets}) == len(outlets)
    assert {o.feed_format for o in outlets} >= {
        "rss",
        "rss-full",
        "atom",
        "jsonfeed",
        "news-sitemap",
    }
    assert len({urlsplit(o.home_url).port for o in outlets}) == len(outlets)  # one origin each
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in publisher.feed_urls)
    assert publisher.article_count == N * len(outlets)


def test_every_feed_parses_and_lists_every_article(
    publisher: SamplePublisher, client: httpx.Client
) -> None:
    for outlet in publisher.outlets:
        links = _feed_links(client, outlet)
        assert len(links) == N, outlet.name
        assert len(set(links)) == N
        assert all(link.startswith(outlet.home_url) for link in links)


def test_feed_formats_carry_what_they_promise(
    publisher: SamplePublisher, client: httpx.Client
) -> None:
    by_format = {o.feed_format: o for o in publisher.outlets}
    full = feedparser.parse(client.get(by_format["rss-full"].feed_url).content)
    assert all(len(e.content[0].value) > 600 for e in full.entries)  # content:encoded
    assert all("utm_source=rss" in e.link for e in full.entries)  # tracking on the links
    short = feedparser.parse(client.get(by_format["rss"].feed_url).content)
    assert all("content" not in e and len(e.summary) < 500 for e in short.entries)
    atom = feedparser.parse(client.get(by_format["atom"].feed_url).content)
    assert atom.version == "atom10"
    assert all(e.published_parsed and e.author for e in atom.entries)
    response = client.get(by_format["jsonfeed"].feed_url)
    assert response.headers["content-type"].startswith("application/feed+json")


def test_feeds_are_discoverable_from_home_pages(
    publisher: SamplePublisher, client: httpx.Client
) -> None:
    for outlet in publisher.outlets:
        home = client.get(outlet.home_url).text
        assert '<link rel="alternate"' in home
        assert SAMPLE_NOTICE in home
        if outlet.feed_format != "news-sitemap":
            assert f'href="{outlet.feed_url}"' in home


def test_article_pages_carry_real_furniture(
    publisher: SamplePublisher, client: httpx.Client
) -> None:
    for outlet in publisher.outlets:
        link = _feed_links(client, outlet)[0]
        response = client.get(link)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        html = response.text
        canonical = link.split("?")[0]
        assert f'<link rel="canonical" href="{canonical}">' in html  # clean, no utm_
        assert f'<html lang="{outlet.language}">' in html
        for marker in (
            'property="og:title"',
            'property="og:site_name"',
            'property="article:published_time"',
            '<time datetime="',
            'id="cookie-consent"',
            'class="app-banner"',
            'class="share-bar"',
            'class="newsletter-signup"',
            'class="related"',
            'class="main-nav"',
            "<footer",
            "©",
            SAMPLE_NOTICE,
        ):
            assert marker in html, (outlet.name, marker)
        assert html.count("<h1>") == 1
        body = html.split('<div class="article-body">')[1].split("</div>")[0]
        assert body.index('class="newsletter-signup"') > body.index("<p>")  # mid-article
        assert body.count("<p>") >= 6


def test_article_bodies_are_article_length_and_in_the_outlets_language() -> None:
    words = {
        "en": (" the ",),
        "de": (" die ", " der "),
        "fr": (" les ", " la "),
        "es": (" los ", " la "),
    }
    for outlet in OUTLETS:
        for article in plan_articles(outlet, 10, NOW):
            paragraphs = article_body(article)
            assert 5 <= len(paragraphs) <= 10
            assert 150 <= sum(len(p.split()) for p in paragraphs) <= 750
            assert any(w in " ".join(paragraphs) for w in words[outlet.language])
            assert "{" not in " ".join(paragraphs) + article.title  # every slot filled
            assert NOW - timedelta(hours=49) <= article.published <= NOW


def test_articles_of_one_outlet_are_not_near_duplicates() -> None:
    def shingles(text: str) -> set[tuple[str, ...]]:
        w = text.lower().split()
        return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}

    for outlet in OUTLETS:
        sets = [shingles(" ".join(article_body(a))) for a in plan_articles(outlet, 30, NOW)]
        for i, a in enumerate(sets):
            for b in sets[i + 1 :]:
                assert len(a & b) / len(a | b) < 0.6


def test_shared_events_are_covered_by_several_outlets() -> None:
    coverage: dict[str, list] = {}
    for outlet in OUTLETS:
        for article in plan_articles(outlet, 16, NOW):
            if article.event:
                coverage.setdefault(article.event, []).append(article)
    assert len(coverage) >= 4
    for articles in coverage.values():
        assert len({a.outlet.slug for a in articles}) == len(OUTLETS)
    english = [a for a in coverage["summit"] if a.outlet.language == "en"]
    assert english[0].title != english[1].title  # same event, different wording
    wire = [a for a in coverage["telescope"] if a.outlet.language == "en"]
    assert article_body(wire[0]) == article_body(wire[1])  # agency copy, folded later


def test_same_seed_same_content_other_seed_other_content() -> None:
    def snapshot(seed: int) -> list[tuple[str, str, list[str]]]:
        return [
            (a.path, a.title, article_body(a))
            for o in OUTLETS
            for a in plan_articles(o, 6, NOW, seed)
        ]

    assert snapshot(1) == snapshot(1)
    assert snapshot(1) != snapshot(2)


def test_same_content_over_http_from_two_publishers(client: httpx.Client) -> None:
    pages = []
    for _ in range(2):
        with SamplePublisher(articles_per_outlet=3, now=NOW) as pub:
            outlet = pub.outlets[1]
            link = _feed_links(client, outlet)[0]
            pages.append(client.get(link).text.replace(outlet.home_url, "/"))
    assert pages[0] == pages[1]


def test_robots_txt_and_favicon(publisher: SamplePublisher, client: httpx.Client) -> None:
    outlet = publisher.outlets[0]
    robots = client.get(outlet.home_url + "robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert "Disallow: /private/" in robots.text
    png = client.get(outlet.home_url + "favicon.png")
    assert png.headers["content-type"] == "image/png"
    data = png.content
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", data[16:24]) == (32, 32)
    idat_len = struct.unpack(">I", data[33:37])[0]
    assert len(zlib.decompress(data[41 : 41 + idat_len])) == 32 * (1 + 32 * 3)
    ico = client.get(outlet.home_url + "favicon.ico")
    assert ico.headers["content-type"] == "image/x-icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00" and ico.content.endswith(data)


def test_unknown_paths_404_and_conditional_get(
    publisher: SamplePublisher, client: httpx.Client
) -> None:
    outlet = publisher.outlets[0]
    assert client.get(outlet.home_url + "no/such/page").status_code == 404
    first = client.get(outlet.feed_url)
    again = client.get(outlet.feed_url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_request_count(client: httpx.Client) -> None:
    with SamplePublisher(articles_per_outlet=2, now=NOW) as pub:
        for url in pub.feed_urls:
            client.get(url)
        client.get(pub.outlets[0].home_url)
        assert pub.request_count == len(pub.feed_urls) + 1


def test_latency_is_applied_without_serialising() -> None:
    # long enough that ten overlapping requests leave a loaded machine 35 s before the
    # bound below, which ten queued ones cannot meet on any machine
    latency = 4.0
    with SamplePublisher(articles_per_outlet=2, latency=latency, now=NOW) as pub:
        url = pub.outlets[0].home_url + "robots.txt"  # one origin: the worst case

        def fetch(_: int) -> float:
            with httpx.Client(timeout=120) as c:
                started = time.monotonic()
                c.get(url).raise_for_status()
                return time.monotonic() - started

        started = time.monotonic()
        with ThreadPoolExecutor(10) as pool:
            each = list(pool.map(fetch, range(10)))
        wall = time.monotonic() - started
    assert min(each) >= latency * 0.95  # every response was delayed
    # ten of them overlapped instead of queueing: queued, the last could not end before
    # 10 x 4 s (a lower bound, true on any machine); overlapped, they end after ~4 s
    assert wall < 10 * latency * 0.99


def test_a_client_gone_mid_request_prints_no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    """A worker killed mid-request (bench/crash.py's chaos trials) resets its connection:
    the publisher says nothing of it; any other error is still printed."""
    server = _Server(("127.0.0.1", 0), object)  # type: ignore[arg-type]
    try:
        for error in (ConnectionResetError(104, "reset"), ValueError("a real bug")):
            try:
                raise error
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()
    printed = capsys.readouterr().err
    assert "ConnectionResetError" not in printed
    assert "ValueError: a real bug" in printed
