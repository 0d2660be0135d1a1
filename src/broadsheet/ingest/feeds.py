"""Bytes of a feed or sitemap in, a ParsedFeed out: sniff, guard, dispatch, clean.

``parse_feed`` runs a numbered cascade:

1. unwrap: gunzip (capped), UTF-16/32 to UTF-8, drop NUL bytes;
2. guard: refuse DOCTYPEs that declare entities (XML bombs, XXE) before any XML parser
   that could expand them sees the bytes; refuse HTML pages with a message discovery
   can act on;
3. dispatch to the first parser in ``PARSERS`` that accepts the document;
4. clean every entry the same way (http(s) links only, plain-text titles, plausible
   dates, no duplicates, bounded counts).

A new source type is one module with ``accepts(head, root, content_type)`` and
``parse(url, body, content_type, now)``, appended to ``PARSERS``.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from types import ModuleType
from xml.parsers import expat

from broadsheet.errors import ParseError
from broadsheet.ingest import fields, jsonfeed, rss, sitemap
from broadsheet.ingest.urls import absolute_url, is_http_url
from broadsheet.models import FeedEntry, ParsedFeed

PARSERS: tuple[ModuleType, ...] = (jsonfeed, sitemap, rss)

MAX_ENTRIES = 500  # feed entries kept, in document order (newest first in practice)
MAX_UNZIPPED = 8 * 1024 * 1024  # default cap on an inflated body (Settings.max_body_bytes)
HEAD_BYTES = 64 * 1024

HTML_ROOTS = frozenset({"html", "head", "body", "meta", "link", "script", "style", "div", "p"})
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*["'])[^"']*""")
_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.I)
_FIRST_TAG = re.compile(rb"<(!doctype\s+html|[A-Za-z_][\w.:-]*)", re.I)
_SKIPPABLE = re.compile(rb"<\?.*?\?>|<!--.*?-->", re.S)


def parse_feed(
    url: str,
    body: bytes,
    content_type: str | None = None,
    *,
    now: datetime | None = None,
    max_bytes: int = MAX_UNZIPPED,
) -> ParsedFeed:
    """Parse an RSS, Atom, JSON Feed or sitemap document fetched from ``url``.

    A body that is itself gzip (sent without Content-Encoding) is inflated up to
    ``max_bytes``, the same cap the fetcher applies to what it inflates.
    Raises ParseError (and nothing else) when ``body`` is not a source we can read;
    the message says why ("not a feed: looks like an HTML page").
    """
    now = now or datetime.now(UTC)
    ctype = (content_type or "").split(";")[0].strip().lower()
    warnings: list[str] = []
    try:
        body = _unwrap(body, warnings, max_bytes)
        stripped = body.lstrip()
        if not stripped:
            raise ParseError("not a feed: empty document")
        root = None if stripped[:1] in (b"{", b"[") else _guard(body)
        head = stripped[:HEAD_BYTES]
        for parser in PARSERS:
            if parser.accepts(head, root, ctype):
                feed = parser.parse(url, body, content_type, now)
                break
        else:
            raise ParseError("not a feed: no RSS, Atom, JSON Feed or sitemap found")
    except RecursionError as exc:
        raise ParseError("not a feed: nested too deeply") from exc
    except MemoryError as exc:
        raise ParseError("not a feed: too large to parse") from exc
    feed.warnings[:0] = warnings
    return _finish(url, feed)


# 1. unwrap --------------------------------------------------------------------------------


def _unwrap(body: bytes, warnings: list[str], max_bytes: int) -> bytes:
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body, warnings, max_bytes)
    if body[:3] == b"\xef\xbb\xbf":
        body = body[3:]
    encoding = next((enc for bom, enc in _BOMS if body.startswith(bom)), None)
    if encoding is None and b"\x00" in body[:4]:
        encoding = _encoding_from_nulls(body[:4])
    if encoding:
        text = body.decode(encoding, errors="replace").lstrip("\ufeff")
        body = _XML_ENCODING.sub(rb"\1utf-8", text.encode("utf-8", errors="replace"), count=1)
    nuls = body.count(b"\x00")
    if nuls:
        warnings.append(f"removed {nuls} NUL bytes")
        body = body.replace(b"\x00", b"")
    return body


def _encoding_from_nulls(first: bytes) -> str | None:
    """UTF-16/32 without a BOM, told apart by where the zero bytes of ASCII text fall."""
    zeros = tuple(b == 0 for b in first.ljust(4, b"\x01"))
    return {
        (True, True, True, False): "utf-32-be",
        (False, True, True, True): "utf-32-le",
        (True, False, True, False): "utf-16-be",
        (False, True, False, True): "utf-16-le",
    }.get(zeros)


def _gunzip(body: bytes, warnings: list[str], cap: int) -> bytes:
    inflater = zlib.decompressobj(wbits=47)  # gzip or zlib header
    try:
        data = inflater.decompress(body, cap + 1)  # never more than one byte past the cap
    except zlib.error as exc:
        raise ParseError(f"not a feed: broken gzip data ({exc})") from exc
    if len(data) > cap:
        raise ParseError(f"not a feed: gzip body inflates beyond the {cap:,}-byte cap")
    if not inflater.eof:
        if not data.strip():
            raise ParseError("not a feed: truncated gzip data")
        warnings.append("truncated gzip data: read what arrived")
    return data


# 2. guard ---------------------------------------------------------------------------------


class _Refused(Exception):
    pass


class _Root(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _guard(body: bytes) -> str | None:
    """The root element's local name; ParseError for entity declarations or HTML.

    expat reads only the prolog (it stops at the root's start tag) with every
    declaration handler set to refuse, so a billion-laughs or XXE document fails at its
    first ``<!ENTITY`` without anything being expanded, read or fetched. When expat
    cannot read the prolog, any ``<!ENTITY`` in the body is refused outright.
    """
    root: str | None = None
    parser = expat.ParserCreate(encoding="iso-8859-1")  # every byte decodes; tags are ASCII

    def refuse(*args: object) -> None:
        raise _Refused()

    def found(name: str, attrs: object) -> None:
        raise _Root(name)

    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = found
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        for start in range(0, len(body), HEAD_BYTES):
            parser.Parse(body[start : start + HEAD_BYTES], False)
        parser.Parse(b"", True)
    except _Refused as exc:
        raise ParseError("refused: the DOCTYPE declares entities (XML bomb or XXE)") from exc
    except _Root as found_root:
        root = found_root.name
    except expat.ExpatError:
        if _ENTITY_DECL.search(body):
            raise ParseError("refused: malformed XML that declares entities") from None
        root = _first_tag(body)
    if root and (root.lower() in HTML_ROOTS or root.lower().startswith("!doctype")):
        raise ParseError("not a feed: looks like an HTML page")
    return root.rsplit(":", 1)[-1] if root else None


def _first_tag(body: bytes) -> str | None:
    head = _SKIPPABLE.sub(b"", body[:HEAD_BYTES])
    match = _FIRST_TAG.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


# 4. clean ---------------------------------------------------------------------------------


def _finish(url: str, feed: ParsedFeed) -> ParsedFeed:
    feed.title = fields.plain_text(feed.title) or None
    feed.site_url = absolute_url(url, feed.site_url)
    feed.language = fields.language(feed.language)
    limit = sitemap.MAX_URLS if feed.kind == "sitemap" else MAX_ENTRIES
    kept: dict[str, FeedEntry] = {}
    for index, entry in enumerate(feed.entries):
        link = entry.url if is_http_url(entry.url) else absolute_url(url, entry.url)
        if link is None and is_http_url(entry.guid):
            link = entry.guid
        if link is None:
            feed.warnings.append(f"entry {index + 1}: no http(s) link ({_show(entry.url)})")
            continue
        if link in kept:
            continue
        if len(kept) >= limit:
            feed.warnings.append(f"kept the first {limit} of {len(feed.entries)} entries")
            break
        kept[link] = _clean(entry, link, url, feed.language)
    feed.entries = list(kept.values())
    children = (absolute_url(url, child) for child in feed.children[: sitemap.MAX_URLS])
    feed.children = list(dict.fromkeys(c for c in children if c and c != url))
    feed.warnings = [fields.plain_text(w, 300) for w in feed.warnings[:100]]
    return feed


def _clean(entry: FeedEntry, link: str, base: str, feed_language: str | None) -> FeedEntry:
    return replace(
        entry,
        url=link,
        title=fields.plain_text(entry.title),
        guid=fields.safe_string(entry.guid, 2048) or None,
        author=fields.plain_text(entry.author, fields.AUTHOR_MAX) or None,
        summary=fields.safe_string(entry.summary, fields.SUMMARY_MAX) or None,
        content=fields.safe_string(entry.content, fields.CONTENT_MAX) or None,
        categories=fields.categories(list(entry.categories)),
        image=_image(entry.image, link, base),
        language=fields.language(entry.language) or feed_language,
    )


def _image(image: str | None, link: str, base: str) -> str | None:
    if not image or is_http_url(image):
        return image or None
    return absolute_url(link, image) or absolute_url(base, image)


def _show(value: object) -> str:
    return repr(value)[:80] if value else "missing"
