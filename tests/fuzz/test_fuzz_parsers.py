"""Property tests of what reads strangers' bytes: feeds, OPML, dates, JSON Lines, cursors,
Accept-Language. Each either returns its result or raises its one documented error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from broadsheet.errors import ParseError
from broadsheet.ingest.feeds import parse_feed
from broadsheet.ingest.fields import parse_date
from broadsheet.ingest.jsonl import parse_line
from broadsheet.ingest.opml import parse_opml
from broadsheet.ingest.urls import is_http_url
from broadsheet.models import Cursor
from broadsheet.web.i18n import negotiate, parse_accept_language
from tests.fuzz.support import fuzz

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
NOW = datetime(2026, 12, 6, tzinfo=UTC)

# Pieces feeds are made of, so random documents reach the parsers' deeper paths.
_TOKENS = st.sampled_from([
    b'<?xml version="1.0" encoding="utf-8"?>', b'<?xml version="1.0" encoding="utf-16"?>',
    b"<rss version=\"2.0\">", b"<channel>", b"</channel>", b"</rss>", b"<item>", b"</item>",
    b"<title>", b"</title>", b"<link>", b"</link>", b"https://a.example/x", b"javascript:x",
    b"<guid>", b"</guid>", b"<pubDate>", b"</pubDate>", b"Mon, 01 Jan 99999 10:00:00 +2500",
    b"<feed xmlns=\"http://www.w3.org/2005/Atom\">", b"<entry>", b"</entry>", b"</feed>",
    b'<link href="', b'"/>', b"<![CDATA[", b"]]>", b"&amp;", b"&#0;", b"&#xD800;", b"\x00",
    b"\xff\xfe", b"\xef\xbb\xbf", b"<!DOCTYPE x [<!ENTITY a \"b\">]>", b"&a;", b"<author>",
    b"</author>", b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    b'{"url": "https://a.example/j", "title": "\\ud800"}', b"]}", b"<urlset>", b"<url><loc>",
    b"</loc></url>", b"</urlset>", b"<sitemapindex>", b"<sitemap><loc>", b"</sitemap>",
])  # fmt: skip
documents = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(_TOKENS, st.binary(max_size=20)), max_size=40).map(b"".join),
)


def _clean(value: str | None) -> bool:
    return value is None or not any(c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF for c in value)


@given(documents)
@fuzz(400)
def test_any_bytes_are_a_feed_or_a_parse_error(body: bytes) -> None:
    try:
        feed = parse_feed("https://feed.example/rss", body, now=NOW)
    except ParseError as exc:
        assert str(exc)  # a reason, never an empty message
        return
    for entry in feed.entries:
        assert is_http_url(entry.url)
        assert entry.image is None or is_http_url(entry.image)
        for text in (entry.title, entry.author, entry.summary, entry.content, entry.guid):
            assert _clean(text)
        if entry.published is not None:
            assert entry.published.tzinfo is not None and entry.published <= NOW + timedelta(days=2)
    assert all(is_http_url(c) for c in feed.children)


@given(st.sampled_from(sorted(p.name for p in FEEDS.iterdir() if p.is_file())), st.data())
@fuzz(200)
def test_mutated_fixture_feeds_are_a_feed_or_a_parse_error(name: str, data: st.DataObject) -> None:
    body = bytearray((FEEDS / name).read_bytes()[:20_000])
    for _ in range(data.draw(st.integers(1, 8))):
        if not body:
            break
        at = data.draw(st.integers(0, len(body) - 1))
        how = data.draw(st.sampled_from(["flip", "cut", "dup", "nul"]))
        if how == "flip":
            body[at] = data.draw(st.integers(0, 255))
        elif how == "cut":
            del body[at:]
        elif how == "dup":
            body[at:at] = body[at : at + data.draw(st.integers(1, 200))]
        else:
            body[at:at] = b"\x00"
    try:
        parse_feed("https://feed.example/rss", bytes(body), now=NOW)
    except ParseError:
        pass


_OPML_TOKENS = st.sampled_from([
    b"<opml version=\"2.0\">", b"<body>", b"</body>", b"</opml>", b"<outline ", b"/>",
    b"</outline>", b"<outline text=\"x\">", b'xmlUrl="https://a.example/f" ',
    b'xmlUrl="javascript:alert(1)" ', b'xmlUrl="file:///etc/passwd" ', b'xmlUrl="" ',
    b'htmlUrl="https://a.example/" ', b'category="a/b" ', b'language="de-CH" ', b"\x00",
    b'text="&#0;" ', b"<!DOCTYPE o [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", b"&e;",
])  # fmt: skip


@given(st.one_of(st.binary(max_size=600),
                 st.lists(st.one_of(_OPML_TOKENS, st.binary(max_size=10)), max_size=50)
                 .map(b"".join)))  # fmt: skip
@fuzz(400)
def test_any_opml_gives_outlines_and_reasons_or_a_parse_error(body: bytes) -> None:
    try:
        outlines, warnings = parse_opml(body)
    except ParseError as exc:
        assert str(exc)
        return
    assert all(is_http_url(o.url) for o in outlines)
    assert len({o.url for o in outlines}) == len(outlines)  # no row twice
    assert all(isinstance(w, str) and w for w in warnings)


@given(st.one_of(
    st.text(max_size=60),
    st.from_regex(r"\A\d{1,6}-\d{1,2}-\d{1,2}T\d{1,2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|Z)?\Z"),
    st.from_regex(r"\A[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{1,6} \d{2}:\d{2}:\d{2} "
                  r"([+-]\d{4}|GMT|[A-Z]{3})\Z"),
))  # fmt: skip
@fuzz(500)
def test_any_date_text_is_a_sane_date_or_none(raw: str) -> None:
    found = parse_date(raw, NOW)
    if found is not None:
        assert found.tzinfo is not None and found.utcoffset() == timedelta(0)
        assert datetime(1990, 1, 1, tzinfo=UTC) <= found <= NOW + timedelta(days=2)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "url": st.one_of(_JSON_VALUES, st.just("https://a.example/x"), st.just("javascript:x")),
        "title": st.one_of(_JSON_VALUES, st.just("A title")),
        "text": st.one_of(_JSON_VALUES, st.just("Some text.\n\nMore.")),
        "published": st.one_of(_JSON_VALUES, st.just("2026-01-02T03:04:05Z")),
        "source": _JSON_VALUES,
    },
)


@given(st.one_of(
    st.text(max_size=200),
    _RECORDS.map(lambda r: json.dumps(r)),
    _JSON_VALUES.map(lambda v: json.dumps(v)),
))  # fmt: skip
@fuzz(400)
def test_any_json_line_is_a_record_or_a_numbered_parse_error(line: str) -> None:
    try:
        record = parse_line(line, 7)
    except ParseError as exc:
        assert str(exc).startswith("line 7: ")
        return
    if record is not None:
        article = record.article
        assert is_http_url(article.url) and article.title
        assert _clean(article.text) and _clean(article.title)


@given(st.one_of(
    st.text(max_size=45),
    st.from_regex(r"\A-?\d{1,20}_\d{1,20}\Z"),
))  # fmt: skip
@fuzz(500)
def test_any_cursor_text_is_a_cursor_that_round_trips_or_none(raw: str) -> None:
    cursor = Cursor.parse(raw)
    if cursor is not None:
        assert Cursor.parse(str(cursor)) == cursor


@given(st.one_of(
    st.text(max_size=120),
    st.lists(st.tuples(st.from_regex(r"\A[a-zA-Z*]{1,8}(-[a-zA-Z0-9]{1,8})?\Z"),
                       st.one_of(st.none(), st.floats(), st.text(max_size=5))),
             max_size=12)
    .map(lambda parts: ", ".join(t if q is None else f"{t};q={q}" for t, q in parts)),
))  # fmt: skip
@fuzz(500)
def test_any_accept_language_picks_a_known_locale(header: str) -> None:
    tags = parse_accept_language(header)
    assert len(tags) <= 16 and all(tag.isprintable() and tag != "*" for tag in tags)
    locale = negotiate(header, "en")
    assert str(locale)  # always a locale Babel knows, never an exception
