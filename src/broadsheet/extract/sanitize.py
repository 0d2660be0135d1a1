"""Untrusted text and HTML made safe to store and show.

``sanitize_html`` keeps a minimal allow-list for reading an article (paragraphs, a few
headings, lists, quotes, emphasis, plain links) and drops everything else: scripts, styles,
event handlers, frames, SVG/MathML, forms, ``<base>``, images (for now) and any link whose
scheme is not http, https or mailto. It is idempotent: sanitizing its own output changes
nothing. ``clean_text`` is for one-line fields (titles, bylines); ``clean_paragraph`` keeps
line breaks for body text.
"""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

import nh3

from broadsheet.ingest.urls import is_http_url

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote",
        "em", "strong", "b", "i", "a", "figure", "figcaption",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
MAX_PASSES = 4
# Elements dropped together with everything inside them (the rest keep their text).
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset",
        "object", "embed", "applet", "svg", "math", "form", "select", "textarea",
        "button", "title", "head", "canvas", "audio", "video", "map", "noembed",
        "noframes", "xmp", "plaintext",
    }
)  # fmt: skip

# NUL, C0/C1 controls except tab and newlines, lone surrogates, non-characters, BOM,
# zero-width space, word joiner, and the soft hyphen: a hint where a renderer may break a
# word, invisible otherwise ("Mit&shy;tel&shy;al&shy;ter"), that would keep the stored
# word from matching a search for it. Other format characters (ZWJ, ZWNJ, bidi marks)
# are real text.
_INVALID_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\xad\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\ufeff"
    "\u200b\u2060]"
)
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def strip_invalid(s: str) -> str:
    """Remove characters that have no business in stored text (and that PostgreSQL or
    the Rust sanitizer would refuse): NUL, controls, lone surrogates, non-characters."""
    return _INVALID_CHARS.sub("", s.replace("\r\n", "\n").replace("\r", "\n"))


BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean_text(s: str | None) -> str:
    """One line of clean text (a title, a name): invalid characters and bidi embeddings,
    overrides and isolates removed, NFC, whitespace collapsed."""
    if not s:
        return ""
    s = strip_invalid(s).translate(BIDI_CONTROLS)
    return _SPACES.sub(" ", unicodedata.normalize("NFC", s)).strip()


def clean_paragraph(s: str | None) -> str:
    """Like :func:`clean_text` but keeps single line breaks (verse, addresses)."""
    if not s:
        return ""
    s = unicodedata.normalize("NFC", strip_invalid(s))
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in s.split("\n"))
    return "\n".join(line for line in lines if line)


def split_paragraphs(text: str) -> list[str]:
    """Text with paragraphs separated by blank lines -> clean paragraphs."""
    parts = _BLANK_LINES.split(strip_invalid(text))
    return [p for p in (clean_paragraph(part) for part in parts) if p]


def sanitize_html(html: str, *, base_url: str | None = None) -> str:
    """Reduce untrusted HTML to the minimal allow-list for article display.

    Relative links are resolved against ``base_url`` when it is an http(s) URL and
    dropped otherwise (they would point at Broadsheet itself).
    """
    if not html:
        return ""
    relative: object = "deny"
    if base_url and is_http_url(base_url):
        relative = ("rewrite_with_base", base_url)
    out = _clean(strip_invalid(html), relative)
    # html5ever can serialize a tree that parses differently (<h2> inside <h2>): clean
    # until the output is a fixed point, so that sanitizing twice changes nothing.
    for _ in range(MAX_PASSES):
        again = _clean(out, relative)
        if again == out:
            return out
        out = again
    return text_to_html(html_lib.unescape(nh3.clean(out, tags=set())))


def _only_allowed(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ALLOWED_ATTRIBUTES.get(tag, ()):
        return value
    return value if (tag, attribute, value) == ("a", "rel", LINK_REL) else None


def _clean(html: str, relative: object) -> str:
    # strip_invalid after nh3 too: a character reference ("&#1;") decodes to a control
    # character that the input did not hold, and the next pass would drop it
    return strip_invalid(
        nh3.clean(
            html,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(DROP_WITH_CONTENT),
            attributes=ALLOWED_ATTRIBUTES,
            attribute_filter=_only_allowed,  # nh3 lets lang and title through on any tag
            url_schemes=set(URL_SCHEMES),
            link_rel=LINK_REL,
            strip_comments=True,
            url_relative=relative,
        )
    ).strip()


def text_to_html(text: str) -> str:
    """Plain text (paragraphs separated by blank lines) -> escaped ``<p>`` elements."""
    return "".join(
        "<p>"
        + "<br>".join(html_lib.escape(line, quote=False) for line in para.split("\n"))
        + "</p>"
        for para in split_paragraphs(text)
    )
