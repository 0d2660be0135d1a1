"""RELIABILITY 6: XML bombs and external entities are refused fast, reading nothing."""

from __future__ import annotations

import pytest

from tests.reliability.memory import MiB, peak_of

M = "tests/reliability/test_06_xml_bombs.py::"
LINES = {
    "XML bombs (billion laughs, quadratic blow-up) and external entities": [
        # billion laughs, quadratic blow-up, XXE on a file, a DTD from a local port
        "tests/ingest/test_feeds.py::test_entity_documents_are_refused_fast",
        "tests/ingest/test_feeds.py::test_xxe_never_reads_the_file",
        "tests/ingest/test_feeds.py::test_external_dtd_is_never_fetched",
        "tests/ingest/test_sitemap.py::test_entities_refused",
        "tests/ingest/test_opml.py::test_unreadable",
        M + "test_06_bombs_are_refused_within_a_memory_bound",
    ],
}


# Each document would expand to gigabytes; refused before expanding, they cost next to
# nothing. The bound is far below any expansion and well above the parser's own buffers.
BOMBS = {
    "billion laughs (feed)": "body = (FIXTURES / 'billion_laughs.xml').read_bytes()",
    "quadratic blow-up (feed)": (
        "body = b'<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"' + b'x' * 100_000"
        " + b'\">]><rss><channel><title>' + b'&a;' * 100_000 + b'</title></channel></rss>'"
    ),
    "billion laughs (OPML)": (
        "body = (FIXTURES / 'billion_laughs.xml').read_bytes().replace(b'rss', b'opml')"
    ),
}
SETUP = """
from pathlib import Path
from broadsheet.errors import ParseError
from broadsheet.ingest.feeds import parse_feed
from broadsheet.ingest.opml import parse_opml
FIXTURES = Path("tests/fixtures/feeds")
{body}
parse_feed("https://feed.example/rss", (FIXTURES / "atom.xml").read_bytes())  # warm up
"""


@pytest.mark.parametrize("name", list(BOMBS))
def test_06_bombs_are_refused_within_a_memory_bound(name: str) -> None:
    parse = "parse_opml(body)" if "OPML" in name else 'parse_feed("https://feed.example/rss", body)'
    peak = peak_of(SETUP.replace("{body}", BOMBS[name]), parse)
    print(f"{name}: {peak}")  # the figures of the note (pytest -s)
    assert peak.outcome == "ParseError", peak
    assert peak.growth < 32 * MiB, f"{name}: {peak}"
