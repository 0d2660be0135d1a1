"""JSON Feed 1.0 and 1.1, with every field of the wrong type somewhere."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from broadsheet.errors import ParseError
from broadsheet.ingest import jsonfeed
from broadsheet.ingest.feeds import parse_feed
from tests.ingest.golden import NOW, check_golden

URL = "https://json.example/feed.json"


def parse(document: object) -> object:
    return parse_feed(URL, json.dumps(document).encode(), "application/feed+json", now=NOW)


def test_golden_jsonfeed11() -> None:
    feed = check_golden("jsonfeed11.json")
    assert (feed.kind, feed.title, feed.language) == ("jsonfeed", "JSON Times", "pt-BR")
    first, second, third, fifth = feed.entries
    assert first.author == "Ana Souza"
    assert first.published == datetime(2024, 3, 5, 13, 0, tzinfo=UTC)
    assert first.categories == ("Política", "Brasil")  # 7 and null dropped
    assert second.guid == "2"  # numeric id kept as a string
    assert second.url == "https://fixture.example/noticias/2"
    assert second.content == "<p>First paragraph.</p><p>Second &lt;paragraph&gt; &amp; more.</p>"
    assert second.author == "Redação"  # the feed's author
    assert third.url == "https://elsewhere.example/story"
    assert third.title == "" and third.published is None
    assert fifth.url == "https://json.example/noticias/5"  # the id is a URL
    assert any("javascript" in w for w in feed.warnings)


def test_version_1_0_author_object() -> None:
    feed = parse(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "One",
            "author": {"name": "Old Style"},
            "items": [{"id": "a", "url": "https://json.example/a", "content_text": "x"}],
        }
    )
    assert feed.entries[0].author == "Old Style"


@pytest.mark.parametrize(
    "document",
    [
        {"version": "https://jsonfeed.org/version/1.1", "title": 5, "items": "nope"},
        {"version": 1.1, "items": [{"url": 5, "title": {"a": 1}, "date_published": []}]},
        {"version": "https://jsonfeed.org/version/1.1", "items": [{"authors": "me", "tags": {}}]},
        {
            "version": "https://jsonfeed.org/version/1.1",
            "authors": [1, None, {"name": 2}],
            "items": [{"url": "https://j.example/1", "id": True, "image": 3}],
        },
    ],
)
def test_wrong_types_are_ignored(document: object) -> None:
    feed = parse(document)
    assert feed.kind == "jsonfeed"
    for entry in feed.entries:
        assert entry.url.startswith("https://") and entry.guid is None and entry.image is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2, 3]",
        b'{"hello": "world"}',
        b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": 1'
        + b"1" * 5000  # past Python's int digit limit
        + b"}]}",
    ],
)
def test_not_json_feeds(body: bytes) -> None:
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(URL, body)


def test_lone_surrogates_nul_and_control_characters() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://j.example/1",'
        b' "title": "bad \\ud800 sur\\u0000rogate\\u0007", "summary": "a\\udfffb\\u0000c",'
        b' "content_html": "raw\ttab"}]}'
    )
    entry = parse_feed(URL, body).entries[0]
    assert entry.title == "bad surrogate"
    assert entry.summary == "abc"
    entry.summary.encode("utf-8")


def test_items_are_capped() -> None:
    items = [{"id": str(i), "url": f"https://j.example/{i}"} for i in range(5000)]
    feed = parse({"version": "https://jsonfeed.org/version/1.1", "items": items})
    assert len(feed.entries) == 500
    assert feed.entries[0].url == "https://j.example/0"
    assert any(str(jsonfeed.MAX_ITEMS) in w for w in feed.warnings)


def test_missing_version_with_items_is_read_with_a_warning() -> None:
    feed = parse({"items": [{"url": "https://j.example/1", "title": "t"}]})
    assert feed.entries[0].title == "t"
    assert any("version" in w for w in feed.warnings)
