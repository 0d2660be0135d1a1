"""RSS 0.9x / 1.0 / 2.0 and Atom through feedparser, inside a time and size budget.

feedparser is lenient and well tested, but it parses every item of a 100k-item feed and
runs a quadratic e-mail regex over author fields, so the bytes are bounded first: only
the first MAX_ITEMS items are kept and author- and date-like fields are cut to
FIELD_MAX bytes. Entity declarations were already refused by ``feeds._guard``.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import feedparser

from broadsheet.errors import ParseError
from broadsheet.ingest import fields
from broadsheet.ingest.urls import absolute_url
from broadsheet.models import FeedEntry, ParsedFeed

MAX_ITEMS = 600  # a little above feeds.MAX_ENTRIES: some items lack links or repeat
FIELD_MAX = 1024

_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]", re.I)
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.I)
_BOUNDED_FIELD = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:author|creator|name|email|managingEditor|webMaster|"
    rb"contributor|publisher|owner|pubDate|published|updated|date|modified|issued|"
    rb"created|lastBuildDate)(?:\s[^<>]{0,4096})?>",
    re.I,
)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]{1,40})", re.I)
_DECLARED_ENCODING = re.compile(rb"\s*<\?xml[^>]{0,200}?encoding\s*=", re.I)
_PARTIAL_ENTITY = re.compile(rb"&#?\w{0,12}$")


def accepts(head: bytes, root: str | None, content_type: str) -> bool:
    """Any XML document: feedparser knows RSS, RDF, Atom and CDF, and says if it isn't."""
    return root is not None


def parse(url: str, body: bytes, content_type: str | None, now: datetime) -> ParsedFeed:
    warnings: list[str] = []
    body = _keep_first_items(body, warnings)
    body = _cut_long_fields(body, warnings)
    try:
        result = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-type": _content_type(body, content_type)},
            sanitize_html=False,  # sanitizing happens later, with our own allow-list
            resolve_relative_uris=False,
        )
    except Exception as exc:  # a third-party parser on hostile bytes: contain everything
        raise ParseError(f"not a feed: parser failed ({type(exc).__name__}: {exc})") from exc
    feed = _get(result, "feed") or {}
    entries = _get(result, "entries") or []
    version = _get(result, "version") or ""
    if not version and not entries:
        reason = _get(result, "bozo_exception")
        detail = f" ({str(reason)[:200]})" if reason else ""
        raise ParseError(f"not a feed: no RSS or Atom items found{detail}")
    if _get(result, "bozo") and entries:
        warnings.append(f"malformed feed, read leniently: {str(_get(result, 'bozo_exception'))}")
    language = _get(feed, "language") or _get(_get(feed, "title_detail"), "language")
    return ParsedFeed(
        kind="atom" if version.startswith("atom") else "rss",
        title=_get(feed, "title"),
        site_url=_get(feed, "link"),
        language=language,
        entries=[_entry(url, item, now) for item in entries if isinstance(item, dict)],
        warnings=warnings,
    )


def _content_type(body: bytes, content_type: str | None) -> str:
    """What feedparser is told: XML, with the HTTP charset only if the bytes declare none.

    Servers' default charsets are wrong more often than the document's own declaration,
    and a text/html label on a feed must not turn feedparser away. No base URL is given:
    feedparser would resolve GUIDs as URLs; links are resolved in ``feeds._finish``.
    """
    charset = _CHARSET.search(content_type or "")
    if charset and not _DECLARED_ENCODING.match(body):
        return f"application/xml; charset={charset.group(1)}"
    return "application/xml"


def _get(mapping: Any, key: str) -> Any:
    """dict.get without FeedParserDict's deprecated updated -> published fallback."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _entry(base: str, item: dict[str, Any], now: datetime) -> FeedEntry:
    raw_date = _get(item, "published") or _get(item, "updated") or _get(item, "created")
    parsed = _get(item, "published_parsed") or _get(item, "updated_parsed")
    content = [c for c in _get(item, "content") or [] if isinstance(_get(c, "value"), str)]
    author = _author_name(_get(item, "author"))
    tags = [_get(t, "term") or _get(t, "label") for t in _get(item, "tags") or []]
    return FeedEntry(
        url=_link(base, item),
        title=_get(item, "title") or "",
        guid=_get(item, "id") if isinstance(_get(item, "id"), str) else None,
        author=author,
        published=fields.parse_date(raw_date, now, parsed),
        summary=_get(item, "summary"),
        content=_get(content[0], "value") if content else None,
        categories=tuple(t for t in tags if isinstance(t, str)),
        image=_image(item),
        language=_get(_get(item, "title_detail"), "language"),
    )


def _author_name(raw: object) -> str | None:
    """The name in "jo@x.org (Jo Bloggs)", "Jo <jo@x.org>" or "Jo"; None for a bare address.

    feedparser's own author_detail truncates long top-level domains ("jo@x.exam"), and
    addresses are not names. Word-splitting keeps this linear on hostile input.
    """
    if not isinstance(raw, str):
        return None
    words = [w for w in raw[: fields.AUTHOR_MAX * 4].split() if "@" not in w]
    name = " ".join(words).replace("()", "").replace("<>", "").strip(" ,;()<>")
    return name or None


def _link(base: str, item: dict[str, Any]) -> str:
    """The first usable alternate link; else the raw link, so the warning can show it."""
    link = _get(item, "link")
    candidates = [link] + [
        _get(x, "href") for x in _get(item, "links") or [] if _get(x, "rel") == "alternate"
    ]
    for candidate in candidates:
        if isinstance(candidate, str) and absolute_url(base, candidate):
            return candidate
    return link if isinstance(link, str) else ""


def _image(item: dict[str, Any]) -> str | None:
    for media in _get(item, "media_content") or []:
        medium, mime = _get(media, "medium") or "", _get(media, "type") or ""
        if medium == "image" or mime.startswith("image/") or (not medium and not mime):
            if isinstance(_get(media, "url"), str):
                return _get(media, "url")
    for thumb in _get(item, "media_thumbnail") or []:
        if isinstance(_get(thumb, "url"), str):
            return _get(thumb, "url")
    for link in _get(item, "links") or []:
        if _get(link, "rel") == "enclosure" and (_get(link, "type") or "").startswith("image/"):
            return _get(link, "href")
    href = _get(_get(item, "image"), "href")
    return href if isinstance(href, str) else None


def _keep_first_items(body: bytes, warnings: list[str]) -> bytes:
    """Drop items after the first MAX_ITEMS, keeping the closing tags after the last."""
    cut = None
    for count, match in enumerate(_ITEM_START.finditer(body)):
        if count == MAX_ITEMS:
            cut = match.start()
            break
    if cut is None:
        return body
    last = None
    for last in _ITEM_END.finditer(body, cut):  # noqa: B007 - we want the last one
        pass
    warnings.append(f"more than {MAX_ITEMS} items: read the first {MAX_ITEMS}")
    return body[:cut] + (body[last.end() :] if last else b"")


def _cut_long_fields(body: bytes, warnings: list[str]) -> bytes:
    """Cut author- and date-like fields longer than FIELD_MAX bytes (regex DoS guard)."""
    parts: list[bytes] = []
    pos = 0
    for match in _BOUNDED_FIELD.finditer(body):
        start = match.end()
        if match.start() < pos or body.find(b"</", start, start + FIELD_MAX) != -1:
            continue
        end = body.find(b"</", start)
        end = len(body) if end == -1 else end
        if end - start <= FIELD_MAX:
            continue
        parts += [body[pos:start], _clip(body[start : start + FIELD_MAX])]
        pos = end
    if not parts:
        return body
    warnings.append("cut over-long author or date fields")
    return b"".join(parts) + body[pos:]


def _clip(chunk: bytes) -> bytes:
    """End a cut field cleanly: no half entity, no half UTF-8 character, CDATA closed."""
    chunk = _PARTIAL_ENTITY.sub(b"", chunk)
    for back in range(1, min(4, len(chunk)) + 1):
        byte = chunk[-back]
        if byte >= 0xC0:  # lead byte: drop it if its sequence is incomplete
            need = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if back < need:
                chunk = chunk[:-back]
            break
        if byte < 0x80:
            break
    if chunk.rfind(b"<![CDATA[") > chunk.rfind(b"]]>"):
        chunk += b"]]>"
    return chunk
