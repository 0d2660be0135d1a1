"""Sitemaps: news, plain, index; hostile and huge ones."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from broadsheet.errors import ParseError
from broadsheet.ingest import sitemap
from broadsheet.ingest.feeds import parse_feed
from tests.ingest.golden import FEEDS, NOW, check_golden

URL = "https://paper.example/sitemap.xml"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(rows: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{rows}</urlset>'.encode()


def test_golden_news_sitemap() -> None:
    feed = check_golden("news_sitemap.xml")
    assert feed.kind == "sitemap"
    budget, weather = feed.entries  # ftp: dropped, the repeat deduplicated
    assert budget.title == "Votación del presupuesto & reacciones"
    assert budget.published == datetime(2024, 3, 5, 9, 15, tzinfo=UTC)
    assert budget.language == "es"
    assert budget.categories == ("presupuesto", "Congreso")
    assert budget.image == "https://paper.example/img/budget.jpg"
    assert weather.published == datetime(2024, 3, 5, tzinfo=UTC)


def test_plain_urlset_uses_lastmod() -> None:
    body = urlset(
        "<url><loc>https://paper.example/a</loc><lastmod>2024-02-01T10:00:00Z</lastmod></url>"
        "<url><loc> https://paper.example/b </loc><lastmod>not a date</lastmod></url>"
    )
    a, b = parse_feed(URL, body, now=NOW).entries
    assert a.published == datetime(2024, 2, 1, 10, tzinfo=UTC) and a.title == ""
    assert b.url == "https://paper.example/b" and b.published is None


def test_sitemap_index_children() -> None:
    feed = parse_feed(URL, (FEEDS / "sitemap_index.xml").read_bytes())
    assert feed.kind == "sitemapindex" and feed.entries == []
    assert feed.children == [
        "https://paper.example/sitemap-news.xml",
        "https://paper.example/sitemap-2024-03.xml",
        "https://paper.example/sitemap-relative.xml",
    ]


def test_index_pointing_at_itself_is_dropped() -> None:
    body = f"<sitemapindex {NS}><sitemap><loc>{URL}</loc></sitemap></sitemapindex>".encode()
    assert parse_feed(URL, body).children == []


def test_url_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemap, "MAX_URLS", 100)
    body = urlset("".join(f"<url><loc>https://paper.example/{i}</loc></url>" for i in range(150)))
    feed = parse_feed(URL, body)
    assert len(feed.entries) == 100
    assert feed.warnings == ["more than 100 URLs: read the first 100"]


def test_truncated_sitemap_keeps_what_came_before() -> None:
    body = urlset("<url><loc>https://paper.example/1</loc></url><url><loc>https://pap")[:-10]
    feed = parse_feed(URL, body)
    assert [e.url for e in feed.entries] == ["https://paper.example/1"]
    assert any("malformed" in w for w in feed.warnings)
    with pytest.raises(ParseError, match="not a sitemap"):
        parse_feed(URL, urlset("<url><loc>https://p")[:-10])


def test_entities_refused() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://paper.example/&x;</loc></url></urlset>"
    )
    with pytest.raises(ParseError, match="refused"):
        parse_feed(URL, body)


def test_gzipped_sitemap() -> None:
    body = gzip.compress((FEEDS / "news_sitemap.xml").read_bytes())
    assert len(parse_feed(URL + ".gz", body).entries) == 2


def test_multibyte_encoding_expat_lacks() -> None:
    doc = (
        '<?xml version="1.0" encoding="Shift_JIS"?>'
        f'<urlset {NS} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>https://jp.example/1</loc><news:news><news:title>東京のニュース</news:title>"
        "</news:news></url></urlset>"
    )
    assert parse_feed(URL, doc.encode("shift_jis")).entries[0].title == "東京のニュース"
