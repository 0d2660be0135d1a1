"""Golden files for source parsers: ``name.ext`` -> ``name.expected.json`` beside it.

Regenerate deliberately with ``BROADSHEET_REGEN_GOLDEN=1 pytest tests/ingest`` and
review the diff; a normal run only compares.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from broadsheet.ingest.feeds import parse_feed
from broadsheet.models import ParsedFeed

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
NOW = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)  # the fixtures' "today"


def parse_fixture(name: str, url: str = "https://fixture.example/feed") -> ParsedFeed:
    return parse_feed(url, (FEEDS / name).read_bytes(), now=NOW)


def as_json(feed: ParsedFeed) -> str:
    def encode(value: object) -> object:
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    return json.dumps(dataclasses.asdict(feed), default=encode, ensure_ascii=False, indent=2)


def check_golden(name: str) -> ParsedFeed:
    feed = parse_fixture(name)
    expected = FEEDS / (name.rsplit(".", 1)[0] + ".expected.json")
    actual = as_json(feed) + "\n"
    if os.environ.get("BROADSHEET_REGEN_GOLDEN") == "1":
        expected.write_text(actual, encoding="utf-8")
    assert expected.exists(), f"no {expected.name}: run with BROADSHEET_REGEN_GOLDEN=1"
    assert actual == expected.read_text(encoding="utf-8"), f"{name} differs from {expected.name}"
    return feed
