"""Comment text: what is accepted (plain text of any script, bounded, no control
characters) and how it is shown (escaped, with http(s) links made safe to click)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from broadsheet.web.i18n import gettext as _

# Embedding, override and isolate controls: they could reverse the text after them.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)], None)
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.I)
_TRAILING = ".,;:!?)]}»”’'\""
_BLANK_RUNS = re.compile(r"\n{3,}")
LINK_TEXT_CHARS = 60


def clean(raw: str, max_chars: int) -> tuple[str | None, str]:
    """(text to store, "") or (None, what is wrong)."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_BIDI_CONTROLS)
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\n\t" for c in text):
        return None, _("The comment contains control characters or binary data; send plain text.")
    text = _BLANK_RUNS.sub("\n\n", "\n".join(line.rstrip() for line in text.strip().split("\n")))
    if not text:
        return None, _("Write something first: the comment is empty.")
    if len(text) > max_chars:
        return None, _("Keep comments to %(max)s characters (this one has %(count)s).") % {
            "max": max_chars,
            "count": len(text),
        }
    return text, ""


def links(text: str) -> list[str]:
    """The http(s) URLs a comment would link, as they would be linked."""
    found = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if _host(url):
            found.append(url)
    return found


def _host(url: str) -> str | None:
    """The URL's host, shown in ASCII (punycode for non-ASCII names, so a look-alike
    in another script is visible); None when it is not a usable web address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def render(text: str) -> Markup:
    """Escaped text; http(s) URLs become links with rel="nofollow ugc noopener noreferrer".
    A link to a non-ASCII host shows that host in punycode."""
    out: list[str] = []
    at = 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        host = _host(url)
        if host is None:
            continue
        out.append(str(escape(text[at : match.start()])))
        shown = url
        raw_host = urlsplit(url).hostname or ""
        if raw_host != host:
            shown = url.replace(raw_host, host, 1) if raw_host in url else host
        if len(shown) > LINK_TEXT_CHARS:
            shown = shown[: LINK_TEXT_CHARS - 1] + "…"
        out.append(
            f'<a href="{escape(url)}" rel="nofollow ugc noopener noreferrer" target="_blank">'
            f"{escape(shown)}</a>"
        )
        at = match.start() + len(url)
    out.append(str(escape(text[at:])))
    return Markup("".join(out))
