"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), defensive about types.

Every field may be missing, null or of the wrong type; such fields are ignored, never
trusted. feedparser 6 does not read JSON Feed, hence this module.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from typing import Any

from broadsheet.errors import ParseError
from broadsheet.ingest import fields
from broadsheet.models import FeedEntry, ParsedFeed

MAX_ITEMS = 600
_PARAGRAPHS = re.compile(r"\n\s*\n")


def accepts(head: bytes, root: str | None, content_type: str) -> bool:
    return root is None and head[:1] in (b"{", b"[")


def parse(url: str, body: bytes, content_type: str | None, now: datetime) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8", errors="replace"), strict=False)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not a feed: invalid JSON ({str(exc)[:120]})") from exc
    if not isinstance(document, dict):
        raise ParseError("not a feed: JSON document is not an object")
    version = _str(document, "version") or ""
    items = document.get("items")
    if not version.startswith("https://jsonfeed.org/version/"):
        if not isinstance(items, list):
            raise ParseError("not a feed: JSON without a JSON Feed version or items")
    warnings = []
    if not version:
        warnings.append("JSON Feed without a version: read as 1.1")
    if not isinstance(items, list):
        items = []
        warnings.append("JSON Feed without an items list")
    if len(items) > MAX_ITEMS:
        warnings.append(f"more than {MAX_ITEMS} items: read the first {MAX_ITEMS}")
    feed_authors = _authors(document)
    return ParsedFeed(
        kind="jsonfeed",
        title=_str(document, "title"),
        site_url=_str(document, "home_page_url"),
        language=_str(document, "language"),
        entries=[
            _entry(item, now, feed_authors) for item in items[:MAX_ITEMS] if isinstance(item, dict)
        ],
        warnings=warnings,
    )


def _str(obj: Any, key: str) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def _authors(obj: dict[str, Any]) -> list[str]:
    """Names from 1.1 ``authors`` or 1.0 ``author``."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    return [name for a in authors if (name := _str(a, "name"))]


def _entry(item: dict[str, Any], now: datetime, feed_authors: list[str]) -> FeedEntry:
    guid = item.get("id")
    if isinstance(guid, int | float) and not isinstance(guid, bool):
        guid = str(guid)  # 1.0 feeds often use numbers; the spec says strings
    text = _str(item, "content_text")
    content = _str(item, "content_html") or (_text_to_html(text) if text else None)
    authors = _authors(item) or feed_authors
    tags = item.get("tags")
    date = _str(item, "date_published") or _str(item, "date_modified")
    return FeedEntry(
        url=_str(item, "url") or _str(item, "external_url") or "",
        title=_str(item, "title") or "",
        guid=guid if isinstance(guid, str) else None,
        author=", ".join(authors[:5]) or None,
        published=fields.parse_date(date, now),
        summary=_str(item, "summary"),
        content=content,
        categories=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        image=_str(item, "image") or _str(item, "banner_image"),
        language=_str(item, "language"),
    )


def _text_to_html(text: str) -> str:
    paragraphs = (p.strip() for p in _PARAGRAPHS.split(text[: fields.CONTENT_MAX]))
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
