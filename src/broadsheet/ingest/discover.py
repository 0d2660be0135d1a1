"""Feed autodiscovery: the ``<link rel="alternate">`` feeds an HTML page advertises."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from broadsheet.ingest.urls import absolute_url

MAX_HTML = 5 * 1024 * 1024  # the <head> is near the top; don't parse a 50 MB page
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
    }
)
# application/json alternates that are APIs, not feeds (WordPress, oEmbed)
NOT_FEEDS = ("/wp-json/", "oembed")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def discover_feeds(page_url: str, html: bytes | str) -> list[str]:
    """Absolute http(s) feed URLs the page links to, in document order, without repeats."""
    if isinstance(html, str):  # lxml refuses str with an encoding declaration
        html = _XML_DECLARATION.sub("", html.replace("\x00", ""), count=1)
    else:
        html = html.replace(b"\x00", b"")
    if not html.strip():
        return []
    try:
        document = lxml.html.document_fromstring(html[:MAX_HTML])
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return []
    base = page_url
    for element in document.iter("base"):
        base = absolute_url(page_url, element.get("href")) or page_url
        break
    found: dict[str, None] = {}
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        mime = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or mime not in FEED_TYPES:
            continue
        url = absolute_url(base, link.get("href"))
        if url and not any(marker in url for marker in NOT_FEEDS):
            found.setdefault(url, None)
    return list(found)
