"""What an outlet's other pages teach about a new one, and the end of the body cascade.

``SiteRules`` is the plain data the orchestrator passes to ``extract(site=...)`` (and to
a re-clean of stored articles): the outlet's learned boundaries (``boundaries.py``), its
order of numeric dates (``glued.py``) and its other recent articles (``teasers.py``).
Picklable, built from the store by the orchestrator; extraction never reads the store.

:func:`finish` is the last part of the cleaning cascade, shared by ``extract()`` and the
re-clean of a stored body (``learn.reclean_body``), so that both give the same body for
the same knowledge. It starts from the body after the page-level rules (what
``Article.unfiltered_html`` keeps) and applies, in order: the outlet's boundary cut,
teasers dropped, the outlet's learned furniture (and the phrase table), the headline once
more (learned furniture may have hidden it from the first pass), and the page-level
end-of-article cut (``cleanup.cut_tail``), which still sees the end-of-article labels the
furniture filter dropped ("Related articles"), so that the teasers under them go too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from broadsheet.extract import cleanup
from broadsheet.extract.blocks import Block
from broadsheet.extract.boundaries import cut_at_boundary
from broadsheet.extract.furniture import FurnitureFilter
from broadsheet.extract.teasers import KnownArticles, drop_teasers


@dataclass(frozen=True)
class SiteRules:
    outlet: str = ""
    boundaries: frozenset[str] = frozenset()  # fingerprints of the outlet's boundaries
    date_order: str | None = None  # "dmy" | "mdy": how the outlet writes 04-06-2025
    known: KnownArticles = field(default_factory=KnownArticles)


def apply_furniture(blocks: list[Block], furniture: FurnitureFilter) -> list[Block]:
    """The blocks whose text the furniture filter keeps, in order."""
    kept = furniture([b.text for b in blocks])
    out: list[Block] = []
    i = 0
    for text in kept:  # the filter returns a subsequence: align it with the blocks
        while i < len(blocks) and blocks[i].text != text:
            i += 1
        if i < len(blocks):
            out.append(blocks[i])
            i += 1
    return out


def finish(
    blocks: list[Block],
    *,
    furniture: FurnitureFilter,
    site: SiteRules | None,
    url: str | None,
    title: str | None,
    headline: Callable[[list[Block]], list[Block]] | None = None,
) -> list[Block]:
    """The body from its page-level clean state to the stored one (see the module)."""
    blocks = list(blocks)
    if site is not None and site.boundaries:
        # only the article's own text counts before a boundary: not furniture above the
        # headline, nor the headline itself (another page's teasers may have made it one)
        own = apply_furniture(blocks, furniture)
        own = {id(b) for b in (headline(own) if headline is not None else own)}
        blocks = cut_at_boundary(blocks, site.boundaries, lambda i: id(blocks[i]) in own)
    if site is not None:
        blocks = drop_teasers(blocks, site.known, url=url, title=title)
    # An end-of-article label the furniture filter drops ("Related articles", "Read also",
    # "Siehe auch") stays as a marker until the end-of-article cut has seen it: it still
    # goes, but the teasers under it go with it. Not a heading that a later section of its
    # rank follows (one the body keeps): that document goes on in sections (a README's "See
    # also" list, then its "Environment variables").
    kept = {id(b) for b in apply_furniture(blocks, furniture)}
    labels = {
        id(b)
        for i, b in enumerate(blocks)
        if id(b) not in kept
        and cleanup.is_end_marker(b.text)
        and not _section_follows(blocks, i, kept)
    }
    blocks = [b for b in blocks if id(b) in kept or id(b) in labels]
    if headline is not None:
        blocks = headline(blocks)
    return [b for b in cleanup.cut_tail(blocks) if id(b) not in labels]


def _section_follows(blocks: list[Block], i: int, kept: set[int]) -> bool:
    """Block ``i`` is a heading, and a later heading of its rank or above opens a section
    that the body keeps (``kept``: not furniture) and that is not an end of the article."""
    rank = blocks[i].kind
    if rank not in _RANKS:
        return False
    return any(
        b.kind in _RANKS and b.kind <= rank and id(b) in kept and not cleanup.is_end_marker(b.text)
        for b in blocks[i + 1 :]
    )


_RANKS = ("h2", "h3", "h4")  # "h2" < "h3" < "h4": a smaller name is a higher rank
