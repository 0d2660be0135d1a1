"""Feed autodiscovery from <link rel="alternate"> tags."""

from __future__ import annotations

import pytest

from broadsheet.ingest.discover import discover_feeds
from tests.ingest.golden import FEEDS

PAGE = "https://site.example/news/today.html"


def test_fixture_page() -> None:
    html = (FEEDS / "page_with_feeds.html").read_bytes()
    assert discover_feeds(PAGE, html) == [
        "https://site.example/news/rss.xml",  # relative to <base>, listed once
        "https://site.example/atom.xml",
        "https://site.example/feed.json",
        "https://cdn.site.example/comments.rss",  # rel token list, type case and params
        "https://site.example/late.xml",
    ]


def test_str_input_with_xml_declaration() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?><html><head>'
        '<link rel="alternate" type="application/atom+xml" href="feed"></head></html>'
    )
    assert discover_feeds(PAGE, html) == ["https://site.example/news/feed"]


def test_charset_from_meta() -> None:
    html = (
        '<html><head><meta charset="iso-8859-1">'
        '<link rel="alternate" type="application/rss+xml" href="/caf\xe9.xml"></head></html>'
    ).encode("latin-1")
    assert discover_feeds(PAGE, html) == ["https://site.example/caf\xe9.xml"]


@pytest.mark.parametrize(
    "html", [b"", "   ", b"\x00\x00\x00", b"\xff\xfe\x00", "<html>", "no markup at all", b"<<<>>>"]
)
def test_nothing_to_find(html: bytes | str) -> None:
    assert discover_feeds(PAGE, html) == []
