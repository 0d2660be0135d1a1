"""Favicons: where a site declares its icon, and whether bytes really are an image we show.

SVG is never accepted (it can carry script); the type comes from the bytes, not from what
the server claims.
"""

from __future__ import annotations

from lxml import html as lxml_html

from broadsheet.ingest.urls import absolute_url

MAX_ICON_BYTES = 200_000
_RELS = ("icon", "shortcut icon", "apple-touch-icon")

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def icon_urls(page_url: str, html: bytes | str) -> list[str]:
    """Icon URLs a page declares, best first, then the conventional /favicon.ico."""
    found: list[str] = []
    try:
        doc = lxml_html.fromstring(html[:500_000] if html else "<html></html>")
        for rel in _RELS:
            for link in doc.xpath("//link[@rel and @href]"):
                if link.get("rel", "").strip().lower() == rel:
                    url = absolute_url(page_url, link.get("href"))
                    if url and not url.lower().split("?")[0].endswith(".svg") and url not in found:
                        found.append(url)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        pass
    fallback = absolute_url(page_url, "/favicon.ico")
    if fallback and fallback not in found:
        found.append(fallback)
    return found


def sniff_image(body: bytes) -> str | None:
    """The image type of ``body`` judged by its magic bytes, or None."""
    if not body or len(body) > MAX_ICON_BYTES:
        return None
    for magic, content_type in _MAGIC:
        if body.startswith(magic):
            return content_type
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    return None
