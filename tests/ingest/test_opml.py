"""OPML import (row by row, hostile rows rejected) and export (round-trips)."""

from __future__ import annotations

import importlib.resources
import xml.etree.ElementTree as ET

import pytest

from broadsheet.errors import ParseError
from broadsheet.ingest import opml
from broadsheet.ingest.opml import parse_opml, write_opml
from broadsheet.ingest.urls import is_http_url
from broadsheet.models import OPMLOutline
from tests.ingest.golden import FEEDS


def test_hostile_rows_rejected_one_by_one() -> None:
    outlines, warnings = parse_opml((FEEDS / "opml_hostile.opml").read_bytes())
    assert [(o.url, o.category) for o in outlines] == [
        ("https://good.example/feed.xml", "World"),
        ("https://nested.example/rss", "Europe"),
        ("http://legacy.example/rss", None),
        ("https://own.example/atom", "Tech/Gadgets"),
        ("https://tagged.example/feed", None),
    ]
    good, nested, _, own, tagged = outlines
    assert (good.name, good.site_url, good.country, good.language) == (
        "Good & Proper",
        "https://good.example/",
        "GB",
        "en",
    )
    assert (nested.country, nested.language) == (None, None)  # "Germany", "not a language"
    assert own.name == "Own category"
    assert tagged.name == "Tagged name"
    text = "\n".join(warnings)
    for rejected in ("javascript:", "file:", "/feed.xml", "duplicate", "spa ces"):
        assert rejected in text
    # a feed row (type="rss") without xmlUrl is reported (issue 16), an empty folder is not
    assert "outline 'No url': no xmlUrl" in text
    assert len(warnings) == 6


def test_deep_nesting_is_capped() -> None:
    depth = 500
    body = (
        "<opml version='2.0'><body>"
        + "<outline text='f'>" * depth
        + "<outline text='deep' xmlUrl='https://deep.example/rss'/>"
        + "</outline>" * depth
        + "<outline text='shallow' xmlUrl='https://shallow.example/rss'/></body></opml>"
    ).encode()
    outlines, warnings = parse_opml(body)
    assert [o.url for o in outlines] == ["https://shallow.example/rss"]
    assert any("nested deeper" in w for w in warnings)


def test_outline_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opml, "MAX_OUTLINES", 3)
    rows = "".join(f"<outline xmlUrl='https://f.example/{i}'/>" for i in range(10))
    outlines, warnings = parse_opml(f"<opml><body>{rows}</body></opml>".encode())
    assert len(outlines) == 3 and len(warnings) == 1


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "not an OPML"),
        (b"<rss><channel/></rss>", "not an OPML"),
        (b"<opml><body><outline xmlUrl='https://a", "not an OPML"),
        (b'<!DOCTYPE opml [<!ENTITY a "aaaa">]><opml><body/></opml>', "refused"),
        (b'<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml/>', "refused"),
    ],
)
def test_unreadable(body: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        parse_opml(body)


def test_truncated_keeps_earlier_rows() -> None:
    body = b"<opml><body><outline xmlUrl='https://a.example/rss'/><outline xmlUrl='https://b"
    outlines, warnings = parse_opml(body)
    assert [o.url for o in outlines] == ["https://a.example/rss"]
    assert "malformed" in warnings[-1]


def test_write_round_trips_and_escapes() -> None:
    items = [
        OPMLOutline(
            url="https://a.example/rss?x=1&y=2",
            name='A "quoted" 1 < 2 & co',
            site_url="https://a.example/",
            category="World & Politics",
            country="FR",
            language="fr",
        ),
        OPMLOutline(url="https://b.example/atom", name="B\x00\x07 bad chars"),
        OPMLOutline(url="https://c.example/feed", name=None, category="World & Politics"),
    ]
    text = write_opml(items, title="Mine <&>")
    root = ET.fromstring(text.encode())  # well-formed XML
    assert root.get("version") == "2.0" and root.findtext("head/title") == "Mine <&>"
    outlines, warnings = parse_opml(text.encode())
    assert warnings == []
    by_url = {o.url: o for o in outlines}
    assert by_url[items[0].url] == items[0]
    assert by_url[items[1].url].name == "B bad chars"
    assert by_url[items[2].url] == OPMLOutline(
        url="https://c.example/feed", name="https://c.example/feed", category="World & Politics"
    )


def test_default_sources() -> None:
    body = (importlib.resources.files("broadsheet") / "defaults" / "feeds.opml").read_bytes()
    outlines, warnings = parse_opml(body)
    assert warnings == []
    assert len(outlines) >= 30
    assert len({o.country for o in outlines}) >= 12
    assert len({o.language for o in outlines}) >= 5
    for o in outlines:
        assert is_http_url(o.url) and o.name and o.country and o.language and o.category
        assert o.site_url and is_http_url(o.site_url)
    again = parse_opml(write_opml(outlines).encode())[0]  # grouped by category on export
    assert sorted(again, key=lambda o: o.url) == sorted(outlines, key=lambda o: o.url)
