"""Articles from JSON Lines: the format ``broadsheet export`` writes (untrusted input).

One JSON object per line with ``url``, ``title``, ``text`` and optionally ``source``
(the outlet's name), ``canonical_url``, ``author``, ``published``, ``fetched`` and
``language``; other fields (the export's understanding and story fields) are ignored,
because the stages recompute them. Pure: lines in, ``Record`` or ``ParseError`` out.
"""

from __future__ import annotations

import html as html_lib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from broadsheet.errors import ParseError
from broadsheet.extract.canonical import canonical_url, content_hash
from broadsheet.models import Article

MAX_FIELD_CHARS = {"title": 1000, "author": 300, "language": 16, "source": 300}
MAX_TEXT_CHARS = 2_000_000


@dataclass
class Record:
    """One input line: the article, its outlet's name and when it was fetched."""

    number: int  # the line number (1-based)
    article: Article
    source: str
    fetched: datetime | None


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time (naive means UTC), or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _text(record: dict[str, Any], name: str, strict: bool = True) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        if strict:
            raise ParseError(f"field {name!r} is not a string")
        value = str(value)
    limit = MAX_FIELD_CHARS.get(name, MAX_TEXT_CHARS)
    return value.strip()[:limit]


def paragraphs_html(text: str) -> str:
    """Minimal escaped HTML for a text whose paragraphs are separated by blank lines."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paragraphs)


def article_from_record(record: dict[str, Any], number: int, require_url: bool = True) -> Record:
    """A JSON object as an article; ``require_url=False`` names a URL-less input
    ``urn:broadsheet:input:<line>`` (the ``cluster`` command's inputs)."""
    title = _text(record, "title", require_url)
    text = _text(record, "text", require_url)
    url = _text(record, "url", require_url)
    if not url:
        if require_url:
            raise ParseError("no url")
        url = f"urn:broadsheet:input:{number}"
    elif require_url and not url.startswith(("http://", "https://")):
        raise ParseError(f"url is not http(s): {url[:80]!r}")
    if require_url and not (title or text):
        raise ParseError("neither title nor text")
    canonical = _text(record, "canonical_url", require_url) or url
    if canonical.startswith("http"):
        canonical = canonical_url(canonical)
    article = Article(
        url=url,
        canonical_url=canonical,
        title=title or url,
        text=text,
        html=paragraphs_html(text),
        author=_text(record, "author", require_url) or None,
        published=parse_date(record.get("published")),
        language=_text(record, "language", require_url) or None,
        extraction="import",
        content_hash=content_hash(text or title),  # an empty body must not equal another
    )
    source = _text(record, "source", require_url) or "unknown"
    return Record(number, article, source, parse_date(record.get("fetched")))


def parse_line(line: str, number: int, require_url: bool = True) -> Record | None:
    """One line: None when blank; ``ParseError`` (with the line number) when bad."""
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ParseError(f"line {number}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict):
        raise ParseError(f"line {number}: not a JSON object")
    try:
        return article_from_record(record, number, require_url)
    except ParseError as exc:
        raise ParseError(f"line {number}: {exc}") from None
