"""The standfirst: the lead paragraph many pages print above the body, outside it.

Extractors often leave it out because it sits in the article header, next to the
headline. The page's own meta description (og:description, description,
twitter:description) names it: when a visible element of the page says the same thing and
the body does not, that element's text is the article's lead and goes first.
Only visible page text is ever added, never the meta description itself.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from broadsheet.extract.sanitize import clean_paragraph

MIN_LEAD_CHARS = 40
MAX_LEAD_CHARS = 1200
KEY_CHARS = 60
_DESCRIPTION_XPATH = (
    "//meta[@property='og:description']/@content|//meta[@name='description']/@content"
    "|//meta[@name='twitter:description']/@content"
)
_CANDIDATE_TAGS = ("p", "div", "h2", "h3", "span", "strong", "section", "header", "summary")
_SKIP_ANCESTORS = {"head", "script", "style", "noscript", "template", "nav", "footer", "aside",
                   "form", "button", "select", "option", "a", "figcaption"}  # fmt: skip
_SPACES = re.compile(r"\s+")
_TRUNCATION = re.compile(r"\s*(\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().lower()


def descriptions(tree: lxml_html.HtmlElement) -> list[str]:
    seen: list[str] = []
    for value in tree.xpath(_DESCRIPTION_XPATH):
        text = _TRUNCATION.sub("", _SPACES.sub(" ", str(value)).strip())
        if len(text) >= MIN_LEAD_CHARS and text not in seen:
            seen.append(text)
    return seen


def _visible(el: etree._Element) -> bool:
    for anc in el.iterancestors():
        if not isinstance(anc.tag, str) or anc.tag in _SKIP_ANCESTORS:
            return False
        if anc.get("hidden") is not None or anc.get("aria-hidden") == "true":
            return False
    return True


def find_lead(tree: lxml_html.HtmlElement, body_text: str) -> str | None:
    """The visible lead paragraph that the meta description names and the body lacks."""
    body = _norm(body_text)
    for description in descriptions(tree):
        key = _norm(description)[:KEY_CHARS]
        if key in body:
            return None  # the body already starts with (or holds) the lead
        best: str | None = None
        for el in tree.iter(*_CANDIDATE_TAGS):
            text = el.text_content()
            if len(text) > 4 * MAX_LEAD_CHARS:
                continue
            norm = _norm(text)
            if key not in norm or not _visible(el):
                continue
            paragraph = clean_paragraph(text)
            if MIN_LEAD_CHARS <= len(paragraph) <= MAX_LEAD_CHARS and (
                best is None or len(paragraph) < len(best)
            ):
                best = paragraph
        if best:
            return best
    return None
