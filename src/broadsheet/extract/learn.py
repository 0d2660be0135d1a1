"""Site-level furniture learning: the blocks that repeat across one outlet's pages.

Pages of one outlet share furniture that no phrase table knows: "Try our AI features",
the outlet's own newsletter box, a fixed "About us" blurb, a related-links list heading, a
copyright line. A block whose text recurs on at least ``MIN_PAGES`` pages of the outlet,
and on at least ``MIN_SHARE`` of the pages seen, is furniture for that outlet.

Everything here is pure: fingerprints, the per-outlet decision, the filter that plugs into
``extract(furniture=...)``, and the re-clean of a stored body. Counting happens in the
store (``broadsheet.store.furniture``), so that learning survives restarts and the admin
area can show, per outlet, what was learned and switch it off; the orchestrator
(``broadsheet.orchestrate.furniture``) wires the two.

A fingerprint is the first 16 hex digits of SHA-256 over the block's normalised text
(case, punctuation and digits folded, so "© 2024" and "© 2025" match).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from broadsheet.extract.blocks import Block, html_blocks, render
from broadsheet.extract.canonical import normalize_for_hash
from broadsheet.extract.furniture import drop_furniture
from broadsheet.models import CleanBody

if TYPE_CHECKING:
    from broadsheet.extract.site import SiteRules

MIN_PAGES = 3  # a block seen on this many pages of one outlet...
MIN_SHARE = 0.2  # ...and on this share of the outlet's pages seen is furniture
MAX_BLOCK_CHARS = 1000  # longer blocks are never learned (reporting, not furniture)
MIN_BLOCK_CHARS = 2
SAMPLE_CHARS = 200
_DIGITS = re.compile(r"\d+")


def outlet_key(url: str) -> str:
    """The outlet a page belongs to: its host, lower case, without "www."."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def fingerprint(text: str) -> str | None:
    key = _DIGITS.sub("0", normalize_for_hash(text))
    if len(key) < MIN_BLOCK_CHARS or len(text) > MAX_BLOCK_CHARS:
        return None
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def page_fingerprints(texts: Iterable[str]) -> dict[str, str]:
    """The distinct fingerprints of one page's blocks -> a sample of each block's text."""
    out: dict[str, str] = {}
    for text in texts:
        fp = fingerprint(text)
        if fp and fp not in out:
            out[fp] = text[:SAMPLE_CHARS]
    return out


def is_learned(pages_with_block: int, pages_seen: int) -> bool:
    return pages_with_block >= MIN_PAGES and pages_with_block >= MIN_SHARE * pages_seen


@dataclass(frozen=True)
class LearnedFurniture:
    """A furniture filter for one outlet: the phrase table plus what was learned.

    Picklable (it travels to the extraction worker processes) and callable as a
    ``FurnitureFilter``: paragraphs in, the paragraphs that are not furniture out.
    """

    outlet: str = ""
    fingerprints: frozenset[str] = field(default_factory=frozenset)

    def __call__(self, paragraphs: list[str]) -> list[str]:
        kept = [p for p in paragraphs if fingerprint(p) not in self.fingerprints]
        return drop_furniture(kept)

    def __bool__(self) -> bool:
        return bool(self.fingerprints)


def reclean_body(
    unfiltered_html: str,
    furniture: LearnedFurniture,
    site: SiteRules | None = None,
    *,
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
) -> CleanBody | None:
    """A stored body (as it was after the page-level rules) cleaned with what the outlet
    taught by now: its furniture, and with ``site`` its boundaries and teasers
    (``site.finish``, the same cascade as ``extract()``).

    None when nothing would be left (the stored body is then kept as it is).
    """
    from broadsheet.extract.article import _drop_headline, describe
    from broadsheet.extract.canonical import content_hash
    from broadsheet.extract.site import finish

    def headline(blocks: list[Block]) -> list[Block]:
        return _drop_headline(blocks, title or "", author)

    blocks = html_blocks(unfiltered_html)
    kept = finish(blocks, furniture=furniture, site=site, url=url, title=title,
                  headline=headline)  # fmt: skip
    if not kept:
        return None
    text, html = render(kept)
    return CleanBody(text, html, describe(kept), content_hash(text))


def blocks_texts(blocks: Iterable[Block]) -> list[str]:
    return [b.text for b in blocks]
