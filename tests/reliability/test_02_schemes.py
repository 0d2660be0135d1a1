"""RELIABILITY 2: only http and https, anywhere a URL comes from."""

from __future__ import annotations

from broadsheet.ingest.feeds import parse_feed
from broadsheet.ingest.opml import parse_opml

M = "tests/reliability/test_02_schemes.py::"
LINES = {
    "Only http and https.": [
        "tests/ingest/test_guard.py::test_http_and_https_pass",
        "tests/ingest/test_guard.py::test_other_schemes_refused",
        "tests/ingest/test_fetch.py::test_redirect_to_another_scheme_is_refused",
    ],
    "`file:`, `gopher:`, `data:`, `javascript:` anywhere": [
        "tests/ingest/test_feeds.py::test_unsafe_links_are_dropped_with_warnings",
        "tests/ingest/test_opml.py::test_hostile_rows_rejected_one_by_one",
        "tests/cli/test_extract.py::test_a_bad_url_is_refused",
        M + "test_02_other_schemes_are_rejected_in_links_enclosures_images_and_opml",
    ],
}

BAD = ("file:///etc/passwd", "gopher://127.0.0.1:70/", "data:text/html,<script>x</script>",
       "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)")  # fmt: skip


def test_02_other_schemes_are_rejected_in_links_enclosures_images_and_opml() -> None:
    items = "".join(
        f"<item><title>bad link {n}</title><link>{url}</link></item>"
        f"<item><title>bad media {n}</title><link>https://ok.example/{n}</link>"
        f'<enclosure url="{url}" type="image/jpeg" length="1"/>'
        f'<media:content url="{url}" medium="image"/></item>'
        for n, url in enumerate(b.replace("<", "&lt;").replace('"', "&quot;") for b in BAD)
    )
    rss = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>t</title><link>https://ok.example/</link>{items}</channel></rss>"
    )
    feed = parse_feed("https://ok.example/feed.xml", rss.encode())
    assert [e.title for e in feed.entries] == [f"bad media {n}" for n in range(len(BAD))]
    for entry in feed.entries:
        assert entry.url.startswith("https://ok.example/")
        assert entry.image is None  # the hostile image and enclosure are gone
    assert len([w for w in feed.warnings if "no http(s) link" in w]) == len(BAD)
    rows = "".join(
        f'<outline type="rss" text="r{n}" xmlUrl="{u.replace("<", "&lt;")}"/>'
        for n, u in enumerate(BAD)
    )
    opml = f'<opml version="2.0"><body>{rows}<outline xmlUrl="https://ok.example/f"/></body></opml>'
    outlines, warnings = parse_opml(opml.encode())
    assert [o.url for o in outlines] == ["https://ok.example/f"]
    assert len(warnings) >= len(BAD)
