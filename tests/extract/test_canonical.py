"""canonical_url: one key per article; content_hash: one fingerprint per text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from broadsheet.extract.canonical import (
    TRACKING_PARAMS,
    canonical_url,
    content_hash,
    is_tracking_param,
    same_site,
)

PAGE = "https://www.example.com/news/2025/story"


@pytest.mark.parametrize(
    ("url", "declared", "expected"),
    [
        # normalisation: case, default port, fragment, dot segments, credentials
        ("HTTPS://WWW.Example.COM:443/news/./a/../2025/story#top", None, PAGE),
        ("http://example.com:80/a", None, "http://example.com/a"),
        ("https://user:secret@example.com/a", None, "https://example.com/a"),
        # tracking parameters stripped, the rest sorted
        (PAGE + "?utm_source=rss&utm_medium=feed&utm_campaign=x", None, PAGE),
        (PAGE + "?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&cmpid=6&ref=7&smid=8", None, PAGE),
        (PAGE + "?at_medium=a&at_campaign=b&UTM_Source=c", None, PAGE),
        (PAGE + "?z=2&id=7&utm_term=x&a=1", None, PAGE + "?a=1&id=7&z=2"),
        # declared canonical: same site wins
        (PAGE + "?utm_source=x", "https://www.example.com/news/2025/story-full", PAGE + "-full"),
        ("https://amp.example.com/story", "https://www.example.com/news/story",
         "https://www.example.com/news/story"),
        ("https://www.example.com/a", "https://example.com/a", "https://example.com/a"),
        ("https://www.example.co.uk/a", "https://news.example.co.uk/b",
         "https://news.example.co.uk/b"),
        # relative declarations resolved against the page
        ("https://example.com/x/y", "/news/z?smid=tw", "https://example.com/news/z"),
        # ... another site, another scheme, the home page, garbage: ignored
        (PAGE, "https://evil.example/news/2025/story", PAGE),
        (PAGE, "https://example.com.evil.example/story", PAGE),
        ("https://alice.github.io/post", "https://bob.github.io/post",
         "https://alice.github.io/post"),
        (PAGE, "javascript:alert(1)", PAGE),
        (PAGE, "ftp://www.example.com/news", PAGE),
        (PAGE, "https://www.example.com/", PAGE),
        (PAGE, "", PAGE),
        (PAGE, "http://[broken", PAGE),
        # loopback test servers: same host and port only
        ("http://127.0.0.1:8123/a", "/b", "http://127.0.0.1:8123/b"),
        ("http://127.0.0.1:8123/a", "http://10.0.0.1/b", "http://127.0.0.1:8123/a"),
    ],
)  # fmt: skip
def test_canonical_url(url: str, declared: str | None, expected: str) -> None:
    assert canonical_url(url, declared) == expected


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url(PAGE + "?b=2&a=1&utm_source=x#f")
    assert canonical_url(once) == once
    assert canonical_url(once, once) == once


def test_tracking_params_are_data() -> None:
    assert {"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "ref", "smid"} <= set(
        TRACKING_PARAMS
    )
    assert is_tracking_param("utm_whatever") and is_tracking_param("AT_MEDIUM")
    assert not is_tracking_param("id") and not is_tracking_param("page")


def test_same_site() -> None:
    assert same_site("https://www.bbc.co.uk/a", "https://bbc.co.uk/b")
    assert same_site("https://www.bbc.co.uk/a", "https://news.bbc.co.uk/b")
    assert not same_site("https://www.bbc.co.uk/a", "https://www.itv.co.uk/b")
    assert not same_site("https://example.com/a", "not a url")


def test_content_hash_ignores_rendering_differences() -> None:
    a = "Night trains return.\n\nThe operator said: “four nights a week”!"
    b = 'night   trains return\nThe operator said "four nights a week"'
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash("Night trains return. The operator said no.")
    assert len(content_hash("")) == 64


@given(st.text())
@hsettings(deadline=None)  # no per-example deadline: load is not a failure
def test_content_hash_is_stable_under_spacing_and_punctuation(text: str) -> None:
    assert content_hash(text) == content_hash("  " + text.replace(" ", "\n, ") + " !")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
@hsettings(deadline=None)  # no per-example deadline: load is not a failure
def test_content_hash_is_stable_under_case(text: str) -> None:
    assert content_hash(text) == content_hash(text.upper()) == content_hash(text.lower())


@pytest.mark.parametrize("declared", ["/.//[.*", "//.//[x", "/a/..//[::1"])
def test_a_path_that_parses_as_a_host_is_no_error(declared: str) -> None:
    """Found by atheris (bench/fuzz.py url): a canonical link or feed link whose path, once
    its dot segments were resolved, began with "//[" raised "Invalid IPv6 URL"."""
    chosen = canonical_url("https://news.example/a/b?x=1", declared)
    assert chosen.startswith("https://news.example/")
    assert canonical_url(chosen) == chosen
    assert canonical_url("https://news.example" + declared).startswith("https://news.example/")


def test_a_canonical_that_encodes_past_the_length_limit_is_not_taken() -> None:
    """Found by atheris (bench/fuzz.py url): 700 non-ASCII characters pass the 2,048
    character limit as text, and percent-encoded (9 bytes each) they do not."""
    declared = "/" + "뾿" * 700
    url = "https://news.example/a/b"
    assert canonical_url(url, declared) == url
