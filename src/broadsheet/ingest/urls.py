"""URL helpers shared by every source parser: only absolute http(s) URLs get through."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2048


def is_http_url(url: str | None) -> bool:
    """True for an absolute http/https URL with a host, of sane length, without spaces."""
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


def absolute_url(base: str | None, href: str | None) -> str | None:
    """Resolve ``href`` against ``base``; None unless the result is an http(s) URL."""
    if not href:
        return None
    href = href.strip()
    try:
        url = urljoin(base, href) if base else href
    except ValueError:
        return None
    return url if is_http_url(url) else None
