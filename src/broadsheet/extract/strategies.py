"""Fallback strategies for the body, and the score that picks the best one.

trafilatura is the first strategy. When it under-delivers (nothing, much less than the
page's visible text, or less than the feed says the article has), the next ones are
tried, and the candidate with the best :func:`body_score` wins:

* ``readability``: the readability-style scoring of paragraphs and their containers
  (trafilatura ships a port of readability-lxml);
* ``jsonld``: the ``articleBody`` of the page's JSON-LD article object;
* ``feed``: the feed entry's own full content.

The winner's name is recorded on the Article (``extraction``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree

from broadsheet.extract.blocks import Block, element_blocks, fragment_blocks
from broadsheet.extract.cleanup import is_noise
from broadsheet.extract.dates import jsonld_articles
from broadsheet.extract.furniture import is_furniture

# trafilatura under-delivers below these
MIN_BODY_CHARS = 250
MIN_SHARE_OF_VISIBLE = 0.1
VISIBLE_FLOOR = 2500  # only pages with this much visible text are held to the share
TEASER_RATIO = 0.5  # a body shorter than half the feed's full content is a teaser
# a fallback replaces trafilatura only when it scores this much better
WIN_MARGIN = 1.5
PROSE_MIN_CHARS = 60
_SENTENCE_END = re.compile(r"[.!?…:;\"'»”)\]]\s*$")
_INVISIBLE = ("script", "style", "noscript", "template", "head", "svg", "iframe", "form")


@dataclass
class Candidate:
    name: str
    blocks: list[Block]

    @property
    def chars(self) -> int:
        return sum(len(b.text) for b in self.blocks)


def body_score(blocks: Iterable[Block]) -> float:
    """Characters of prose: full weight for sentence-like paragraphs, a quarter for short
    lines and headings, a penalty for furniture and metadata lines."""
    score = 0.0
    for block in blocks:
        text = block.text
        if is_furniture(text) or is_noise(text):
            score -= len(text)
        elif len(text) >= PROSE_MIN_CHARS and _SENTENCE_END.search(text) and block.kind == "p":
            score += len(text)
        else:
            score += 0.25 * len(text)
    return score


def visible_text_chars(tree: etree._Element) -> int:
    body = tree.find(".//body")
    root = body if body is not None else tree
    total = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _INVISIBLE:
            continue
        parent = el.getparent()
        if parent is not None and isinstance(parent.tag, str) and parent.tag in _INVISIBLE:
            continue
        total += len((el.text or "").strip())
        total += len((el.tail or "").strip())
    return total


def under_delivers(chars: int, visible_chars: int, feed_chars: int) -> bool:
    if chars < MIN_BODY_CHARS:
        return True
    if visible_chars >= VISIBLE_FLOOR and chars < MIN_SHARE_OF_VISIBLE * visible_chars:
        return True
    return chars < TEASER_RATIO * feed_chars


def readability_blocks(tree: etree._Element) -> list[Block]:
    from trafilatura.external import try_readability

    try:
        doc = try_readability(deepcopy(tree))
    except Exception:  # a third-party heuristic: any failure means "no candidate"
        return []
    if doc is None or not len(doc):
        return []
    return element_blocks(doc)


def jsonld_blocks(
    tree: etree._Element, articles: list[dict[str, Any]] | None = None
) -> list[Block]:
    """The JSON-LD articleBody as blocks (``articles``: ``jsonld_articles(tree)``, if read)."""
    for obj in articles if articles is not None else jsonld_articles(tree):
        body = obj.get("articleBody") or obj.get("text")
        if isinstance(body, str) and len(body.strip()) >= MIN_BODY_CHARS:
            if "<" in body and ">" in body:
                return fragment_blocks(body)
            paragraphs = re.split(r"\n\s*\n|\r\n\s*\r\n", body)
            if len(paragraphs) == 1:
                paragraphs = body.split("\n")
            return [Block("p", p.strip()) for p in paragraphs if p.strip()]
    return []


def choose(
    first: Candidate,
    others: Iterable[tuple[str, Callable[[], list[Block]]]],
    clean: Callable[[list[Block]], list[Block]],
) -> Candidate:
    """The best candidate by :func:`body_score`; trafilatura keeps ties (WIN_MARGIN)."""
    best, best_score = first, body_score(first.blocks)
    for name, make in others:
        blocks = clean(make())
        if not blocks:
            continue
        score = body_score(blocks)
        if score > max(best_score, 0) * (WIN_MARGIN if best is first else 1.0):
            best, best_score = Candidate(name, blocks), score
    return best
