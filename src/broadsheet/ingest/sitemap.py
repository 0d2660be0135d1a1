"""XML sitemaps: ``urlset`` (with Google News and image extensions) and ``sitemapindex``.

Read with defusedxml in a streaming pass (no entities, bounded memory), stopping after
MAX_URLS. A truncated sitemap keeps the URLs read before the break.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLParseError

import defusedxml
import defusedxml.ElementTree

from broadsheet.errors import ParseError
from broadsheet.ingest import fields
from broadsheet.models import FeedEntry, ParsedFeed

MAX_URLS = 50_000  # the sitemaps.org limit for one file
_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*["'])([\w.:-]{1,40})""")


def accepts(head: bytes, root: str | None, content_type: str) -> bool:
    return root in ("urlset", "sitemapindex")


def parse(url: str, body: bytes, content_type: str | None, now: datetime) -> ParsedFeed:
    try:
        return _parse(body, now)
    except ParseError as exc:
        if not isinstance(exc.__cause__, ValueError | LookupError):
            raise
        return _parse(_as_utf8(body), now)  # Shift_JIS, GBK...: expat reads single-byte only


def _as_utf8(body: bytes) -> bytes:
    """Transcode a document whose declared encoding expat lacks, declaration included."""
    declared = _DECLARED.match(body)
    try:
        text = body.decode(declared.group(2).decode("ascii") if declared else "utf-8", "replace")
    except LookupError:
        text = body.decode("utf-8", "replace")
    return _DECLARED.sub(rb"\1utf-8", text.encode("utf-8"), count=1)


def _parse(body: bytes, now: datetime) -> ParsedFeed:
    feed = ParsedFeed(kind="sitemap")
    root: Element | None = None
    try:
        events = defusedxml.ElementTree.iterparse(
            io.BytesIO(body), events=("start", "end"), forbid_dtd=False
        )
        for event, elem in events:
            if root is None:
                root = elem
                if _local(elem.tag) == "sitemapindex":
                    feed.kind = "sitemapindex"
                continue
            if event != "end" or _local(elem.tag) not in ("url", "sitemap"):
                continue
            if len(feed.entries) + len(feed.children) >= MAX_URLS:
                feed.warnings.append(f"more than {MAX_URLS} URLs: read the first {MAX_URLS}")
                break
            _read(elem, feed, now)
            root.clear()  # keep memory flat on 50,000-URL files
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(f"refused: sitemap declares entities ({exc})") from exc
    except (XMLParseError, ValueError, LookupError) as exc:  # an encoding expat lacks
        if not (feed.entries or feed.children):
            raise ParseError(f"not a sitemap: {exc}") from exc
        feed.warnings.append(f"malformed sitemap, kept the URLs before the error: {exc}")
    return feed


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(elem: Element) -> str | None:
    return elem.text.strip() if elem.text and elem.text.strip() else None


def _read(elem: Element, feed: ParsedFeed, now: datetime) -> None:
    loc = lastmod = title = published = language = image = None
    keywords: list[str] = []
    for child in elem:
        name = _local(child.tag)
        if name == "loc":
            loc = _text(child)
        elif name == "lastmod":
            lastmod = _text(child)
        elif name == "image" and image is None:
            image = next((_text(c) for c in child if _local(c.tag) == "loc"), None)
        elif name == "news":
            for part in child.iter():
                key = _local(part.tag)
                if key == "title":
                    title = _text(part)
                elif key == "publication_date":
                    published = _text(part)
                elif key == "language":
                    language = _text(part)
                elif key == "keywords" and part.text:
                    keywords = part.text.split(",")
    if _local(elem.tag) == "sitemap":
        if loc:
            feed.children.append(loc)
        return
    feed.entries.append(
        FeedEntry(
            url=loc or "",
            title=title or "",
            published=fields.parse_date(published or lastmod, now),
            categories=tuple(k.strip() for k in keywords if k.strip()),
            image=image,
            language=language,
        )
    )
