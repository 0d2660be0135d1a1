"""The standfirst: the lead paragraph many pages print above the body, outside it.

Extractors often leave it out because it sits in the article header, next to the
headline. The page's own meta description (og:description, description,
twitter:description) names it: when a visible element of the page says the same thing and
the body does not, that element's text is the article's lead and goes first.
Only visible page text is ever added, never the meta description itself.

Many pages have no such description, or one that is not the lead. The second rule reads
the page's layout instead: an element between the headline (the ``h1``) and the body's
first paragraph that the page itself names a lead ("lead", "intro", "teaser", "excerpt",
"standfirst", "chapo", "summary", "deck" in its class or id), or a sentence-long subtitle
in the headline's own ``header``/``hgroup``, is the standfirst. Related-article teasers
use the same class names, but they come after the article, never between its headline
and its first paragraph, and they are links.
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
# class / id words of a standfirst; "teaser" too, as a whole word or "teaser-text"
_LEAD_NAME = re.compile(
    r"(^|[\s_-])(lead|leader|intro|introduction|teaser|excerpt|standfirst|chapo|chapeau|"
    r"summary|deck|dek|subtitle|sub-?headline|abstract|kurztext|vorspann|anriss|bajada|"
    r"entradilla|sumario)(?=$|[\s_-])",
    re.IGNORECASE,
)
# how far after the headline a standfirst may stand, in elements
MAX_ELEMENTS_AFTER_HEADLINE = 120
MAX_LINK_SHARE = 0.3
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


def _headline_element(tree: lxml_html.HtmlElement, title: str | None) -> etree._Element | None:
    """The page's ``h1`` that carries the title (else its first ``h1``)."""
    h1s = [h for h in tree.iter("h1") if _shown(h)]
    if not h1s:
        return None
    key = _norm(title or "")[:40]
    return next((h for h in h1s if key and key in _norm(h.text_content())), h1s[0])


def _shown(el: etree._Element) -> bool:
    """Not hidden and not in the page's head or a script (a headline may sit in a link)."""
    for anc in el.iterancestors():
        if not isinstance(anc.tag, str) or anc.tag in ("head", "script", "noscript", "template"):
            return False
        if anc.get("hidden") is not None or anc.get("aria-hidden") == "true":
            return False
    return True


def _names_lead(el: etree._Element) -> bool:
    return bool(_LEAD_NAME.search(f"{el.get('class') or ''} {el.get('id') or ''}"))


def _subtitle(el: etree._Element, headline: etree._Element) -> bool:
    """A sentence-long h2 in the headline's own header or hgroup."""
    if el.tag != "h2":
        return False
    box = headline.getparent()
    return box is not None and box.tag in ("header", "hgroup") and el.getparent() is box


def _link_share(el: etree._Element, length: int) -> float:
    linked = sum(len(a.text_content()) for a in el.iter("a"))
    return linked / length if length else 1.0


def lead_after_headline(
    tree: lxml_html.HtmlElement, title: str | None, body_text: str
) -> str | None:
    """The standfirst between the headline and the body's first paragraph, when the body
    lacks it (see the module)."""
    headline = _headline_element(tree, title)
    if headline is None:
        return None
    body = _norm(body_text)
    first = _norm(body_text.split("\n", 1)[0])[:KEY_CHARS]
    following = headline.xpath(f"following::*[position() <= {MAX_ELEMENTS_AFTER_HEADLINE}]")
    for el in following:
        if not isinstance(el.tag, str) or el.tag in _SKIP_ANCESTORS:
            continue
        text = el.text_content()
        if len(text) > 4 * MAX_LEAD_CHARS:
            continue
        norm = _norm(text)
        if first and norm.startswith(first):
            return None  # the body's first paragraph: no standfirst above it
        if not (_names_lead(el) or _subtitle(el, headline)):
            continue
        if any(_names_lead(inner) for inner in el.iterdescendants()):
            continue  # the innermost box that names the lead, not its wrapper
        paragraph = clean_paragraph(text)
        if not MIN_LEAD_CHARS <= len(paragraph) <= MAX_LEAD_CHARS or not _visible(el):
            continue
        if _norm(paragraph)[:KEY_CHARS] in body or len(paragraph.split()) < 6:
            continue  # already in the body, or a label rather than a paragraph
        if _link_share(el, len(text)) > MAX_LINK_SHARE:
            continue  # a teaser of another article
        return paragraph
    return None
