"""parse_feed: RSS/Atom through feedparser, the guard in front of it, and the cleaning."""

from __future__ import annotations

import dataclasses
import gzip
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.errors import ParseError
from broadsheet.ingest import feeds
from broadsheet.ingest.feeds import parse_feed
from broadsheet.models import ParsedFeed
from tests.ingest.golden import FEEDS, NOW, check_golden, parse_fixture
from tests.support.httpserver import TestServer

URL = "https://fixture.example/feed"


def all_strings(feed: ParsedFeed) -> list[str]:
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))

    walk(feed)
    return found


# golden files -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rss091.xml", "rss10.rdf", "rss20.xml", "atom.xml"])
def test_golden(name: str) -> None:
    check_golden(name)


def test_rss20_entries() -> None:
    feed = parse_fixture("rss20.xml")
    assert feed.kind == "rss"
    assert feed.title == "The Daily & Example"
    assert feed.language == "en-US"
    first, markets, storm = feed.entries
    assert first.title == "Summit ends with a deal"
    assert first.guid == "news-1001"  # a non-URL GUID is kept as is
    assert first.published == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert first.categories == ("World", "Politics")  # deduplicated, case-insensitively
    assert first.image == "https://cdn.news.example/summit.jpg"
    assert first.content is not None and '<a href="/world/talks">' in first.content  # raw
    assert markets.url == "https://fixture.example/business/markets"  # relative, resolved
    assert markets.author == "Sam Lee"  # not the e-mail address
    assert markets.image == "https://fixture.example/img/markets-thumb.jpg"
    assert storm.url == "https://news.example/weather/storm"  # from the permalink GUID
    assert storm.image == "https://cdn.news.example/storm.png"  # image enclosure


def test_unsafe_links_are_dropped_with_warnings() -> None:
    feed = parse_fixture("rss20.xml")
    assert all(e.url.startswith("https://") for e in feed.entries)
    text = " ".join(feed.warnings)
    assert "javascript:" in text and "data:" in text and "file:" in text
    assert len(feed.entries) == 3  # the repeated summit link was deduplicated


def test_atom() -> None:
    feed = parse_fixture("atom.xml")
    assert (feed.kind, feed.language) == ("atom", "fr")
    entry = feed.entries[0]
    assert entry.title == "Élections : les résultats"
    assert entry.author == "Marie Curie"
    assert entry.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert entry.image == "https://journal.example/img/urne.jpg"
    assert feed.entries[1].url == "https://fixture.example/relative/article"
    assert any("urn:uuid" in w for w in feed.warnings)  # an id that is no URL: skipped


# hostile XML ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["billion_laughs.xml", "quadratic_blowup.xml", "xxe_file.xml", "xxe_http_dtd.xml"]
)
def test_entity_documents_are_refused_fast(name: str) -> None:
    started = time.process_time()  # CPU time: waiting for a core does not count
    with pytest.raises(ParseError, match="refused"):
        parse_fixture(name)
    assert time.process_time() - started < 1.0


def test_xxe_never_reads_the_file() -> None:
    body = (FEEDS / "xxe_file.xml").read_bytes()
    lenient = body.replace(b"<!DOCTYPE", b"junk before the prolog <!DOCTYPE")  # expat fails
    for variant in (body, lenient, body.replace(b"ENTITY", b"entity")):
        try:
            feed = parse_feed(URL, variant)
        except ParseError:
            continue
        assert not any("root:" in s for s in all_strings(feed))


def test_external_dtd_is_never_fetched(server: TestServer) -> None:
    server.route("/evil.dtd", '<!ENTITY exfil SYSTEM "file:///etc/passwd">')
    dtd = server.url("/evil.dtd").encode()
    with_entity = (
        (FEEDS / "xxe_http_dtd.xml").read_bytes().replace(b"http://127.0.0.1:9/evil.dtd", dtd)
    )
    with pytest.raises(ParseError):
        parse_feed(URL, with_entity)
    plain = (
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "' + dtd + b'">'
        b'<rss version="2.0"><channel><title>t</title><item><title>ok</title>'
        b"<link>https://x.example/1</link></item></channel></rss>"
    )
    assert parse_feed(URL, plain).entries[0].title == "ok"
    time.sleep(0.05)
    assert server.seen == []


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="^not a feed: looks like an HTML page$"):
        parse_fixture("page_with_feeds.html")
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(URL, b"\n<!doctype html>\n<title>x</title><p>hello")
    with pytest.raises(ParseError, match="HTML page"):
        parse_feed(URL, b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>')


@pytest.mark.parametrize("body", [b"", b"   \n", b"plain text", b"\x00\x00", b"<", b"{}"])
def test_garbage_raises_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(URL, body)


# broken but readable ----------------------------------------------------------------------


def test_truncated_keeps_complete_items() -> None:
    feed = parse_fixture("truncated.xml")
    assert [e.title for e in feed.entries] == ["First complete item", "Second complete item"]
    assert any("malformed" in w for w in feed.warnings)


def test_latin1_declared_as_utf8() -> None:
    feed = parse_fixture("latin1_declared_utf8.xml")
    assert feed.title == "Café Nachrichten"
    assert feed.entries[0].title == "Straße gesperrt à Paris"


def test_utf16_with_bom_and_without() -> None:
    body = (FEEDS / "utf16_bom.xml").read_bytes()
    assert parse_feed(URL, body).entries[0].title == "Grüezi – 東京"
    assert parse_feed(URL, body[2:]).entries[0].title == "Grüezi – 東京"
    big_endian = b"\xfe\xff" + body[2:].decode("utf-16-le").encode("utf-16-be")
    assert parse_feed(URL, big_endian).title == "Zürich Zeitung"


def test_nul_bytes_and_lone_surrogates_never_come_out() -> None:
    feed = parse_fixture("nul_bytes.xml")
    assert feed.entries[0].title == "Zero byte"
    assert "removed 3 NUL bytes" in feed.warnings
    surrogate = (FEEDS / "rss20.xml").read_bytes().replace(b"Markets", b"Mar\xed\xa0\x80kets")
    for f in (feed, parse_feed(URL, surrogate)):
        for s in all_strings(f):
            assert "\x00" not in s
            s.encode("utf-8")  # raises on a lone surrogate


def test_invalid_bytes_and_conflicting_charset() -> None:
    body = (FEEDS / "rss20.xml").read_bytes().replace(b"Storm", b"St\xff\xfeorm")
    assert len(parse_feed(URL, body, "text/xml; charset=utf-8").entries) == 3
    latin = (FEEDS / "latin1_declared_utf8.xml").read_bytes()
    feed = parse_feed(URL, latin, "application/rss+xml; charset=iso-8859-1")
    assert feed.title == "Café Nachrichten"
    undeclared = latin.replace(b' encoding="utf-8"', b"")
    assert parse_feed(URL, undeclared, "text/xml; charset=ISO-8859-1").title == "Café Nachrichten"


def test_gzip_body() -> None:
    body = gzip.compress((FEEDS / "rss20.xml").read_bytes())
    assert len(parse_feed(URL, body).entries) == 3
    with pytest.raises(ParseError, match="gzip"):
        parse_feed(URL, body[:20])


# dates ------------------------------------------------------------------------------------


def test_impossible_dates_are_none() -> None:
    feed = parse_fixture("impossible_dates.xml")
    dates = {e.title: e.published for e in feed.entries}
    assert dates.pop("Fine") == datetime(2024, 3, 5, 15, 0, tzinfo=UTC)
    assert dates == dict.fromkeys(dates)  # every other one is None
    assert len(dates) == 8


# budgets ----------------------------------------------------------------------------------


def big_feed(items: int, author: bytes = b"x") -> bytes:
    item = b"<item><title>t%d</title><link>https://e.example/%d</link><author>%s</author></item>"
    body = b"".join(item % (i, i, author) for i in range(items))
    return b'<rss version="2.0"><channel><title>big</title>' + body + b"</channel></rss>"


def test_100k_items_parse_in_bounded_time() -> None:
    body = big_feed(100_000)
    started = time.process_time()  # CPU time: waiting for a core does not count
    feed = parse_feed(URL, body)
    assert time.process_time() - started < 3.0  # about 0.3 s on a laptop
    assert len(feed.entries) == feeds.MAX_ENTRIES
    assert feed.entries[0].title == "t0" and feed.entries[-1].title == "t499"
    assert any("first" in w for w in feed.warnings)


@pytest.mark.parametrize(
    "author", [b"a" * 32_768, b"a." * 16_384, b"<![CDATA[" + b"a" * 32_768 + b"]]>"]
)
def test_32kb_author_does_not_hang(author: bytes) -> None:
    started = time.process_time()  # CPU time: waiting for a core does not count
    feed = parse_feed(URL, big_feed(3, author))
    assert time.process_time() - started < 1.0  # feedparser alone: ~10 s per field
    assert len(feed.entries) == 3
    assert all(len(e.author or "") <= 200 for e in feed.entries)


def test_long_title_is_capped() -> None:
    body = big_feed(1).replace(b"<title>t0</title>", b"<title>" + b"word " * 5000 + b"</title>")
    assert len(parse_feed(URL, body).entries[0].title) <= 1000


# anything in, ParsedFeed or ParseError out --------------------------------------------------

SEEDS = [(FEEDS / n).read_bytes() for n in ("rss20.xml", "atom.xml", "jsonfeed11.json")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_arbitrary_bytes(body: bytes) -> None:
    try:
        assert isinstance(parse_feed(URL, body, now=NOW), ParsedFeed)
    except ParseError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS), st.integers(0, 3000), st.integers(0, 200), st.binary(max_size=40))
def test_mutated_feeds(seed: bytes, at: int, cut: int, junk: bytes) -> None:
    body = seed[:at] + junk + seed[at + cut :]
    try:
        feed = parse_feed(URL, body, now=NOW)
    except ParseError:
        return
    for s in all_strings(feed):
        assert "\x00" not in s
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        assert entry.published is None or entry.published.tzinfo is UTC
