"""Where an outlet's articles end: the headings that always precede non-article content.

Every page of an outlet ends the same way: "Comments", "Related Articles", "More from
Dayglass", the newsletter box, "DOWNLOAD THE APP". The phrase table in ``cleanup.py``
knows some of these words, but only on one page at a time, so it cannot tell the
outlet's comments heading from an inline "Related" box that the article carries on after;
and it knows nothing of an outlet's own words ("Reader letters", "Elsewhere on ...").

A **boundary** is one of the outlet's learned furniture blocks (``learn.py``: it repeats
on the outlet's pages) that is short like a heading and that, on the outlet's recent
pages, is never followed by article text: after it come only furniture, teasers of other
articles (``teasers.py``), short lines (names, "2 hours ago") and single paragraphs
between them (a reader's comment, a teaser's extract), never a run of ``MIN_RUN``
adjacent paragraphs of unknown text, which is what an article that goes on looks like.
A promo box in the middle of some pages' articles therefore never becomes a boundary,
while "Comments" does, even on pages that carry readers' comments. (At most
``MAX_BAD_SHARE`` of the pages may disagree: one odd page does not unlearn a boundary.)

On a new page of the outlet, the body ends at the first boundary that comes after at least
``MIN_TEXT_BEFORE_CUT`` characters of text. Pure functions: the store keeps the learned
fingerprints (``SiteRules.boundaries``) and the recent bodies to learn from.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from broadsheet.extract.blocks import Block
from broadsheet.extract.learn import MIN_PAGES, fingerprint
from broadsheet.extract.teasers import KnownArticles, is_prose, teaser_blocks

MAX_HEADING_CHARS = 90  # a boundary is a heading-like line
MIN_RUN = 2  # consecutive paragraphs that mean "the article goes on"
MAX_BAD_SHARE = 0.1  # pages on which a boundary may be followed by a run (noise)
# A boundary is on at least this share of the pages learned from: the outlet's template,
# not a teaser's headline or a credited outlet's name (which would come and go as the
# window moves, and every change re-cleans the outlet's articles).
MIN_PAGE_SHARE = 0.5
MIN_TEXT_BEFORE_CUT = 150
BOUNDARY_WINDOW = 40  # recent pages of the outlet a boundary is learned from


def runs_after(blocks: Sequence[Block], known: set[int]) -> list[bool]:
    """``out[i]``: a run of MIN_RUN consecutive paragraphs comes after block ``i``.

    Only paragraphs of unknown text count: a known block (furniture, a teaser of another
    article) breaks a run like a heading, a name or a time line does, so two teasers'
    extracts or a long furniture blurb between short lines never look like an article.
    """
    out = [False] * len(blocks)
    found = False
    streak = 0
    for i in range(len(blocks) - 1, -1, -1):
        out[i] = found
        if i not in known and is_prose(blocks[i].text):
            streak += 1
            found = found or streak >= MIN_RUN
        else:
            streak = 0
    return out


def learn_boundaries(
    pages: Iterable[tuple[str, str, list[str]]],
    furniture: frozenset[str],
    known: KnownArticles,
) -> frozenset[str]:
    """The outlet's boundaries from its recent pages: (url, headline, body blocks before
    site rules) each, its learned furniture fingerprints, and its known articles."""
    appear: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    pages = list(pages)
    for url, title, texts in pages:
        blocks = [Block("p", text) for text in texts]
        fps = [fingerprint(text) for text in texts]
        not_article = teaser_blocks(blocks, known, url=url, title=title)
        not_article |= {i for i, fp in enumerate(fps) if fp in furniture}
        after = runs_after(blocks, not_article)
        seen: set[str] = set()
        for i, (text, fp) in enumerate(zip(texts, fps, strict=True)):
            if fp is None or fp not in furniture or fp in seen or len(text) > MAX_HEADING_CHARS:
                continue
            seen.add(fp)
            appear[fp] += 1
            bad[fp] += after[i]
    least = max(MIN_PAGES, MIN_PAGE_SHARE * len(pages))
    return frozenset(fp for fp, n in appear.items() if n >= least and bad[fp] <= MAX_BAD_SHARE * n)


def cut_at_boundary(
    blocks: Sequence[Block],
    boundaries: frozenset[str],
    article: Callable[[int], bool] | None = None,
) -> list[Block]:
    """The body up to the first learned boundary after MIN_TEXT_BEFORE_CUT characters of
    the article's text (``article(i)``: block ``i`` is the article's, not its headline or
    furniture; every block when not given)."""
    if not boundaries:
        return list(blocks)
    seen = 0
    for i, block in enumerate(blocks):
        if seen >= MIN_TEXT_BEFORE_CUT and fingerprint(block.text) in boundaries:
            return list(blocks[:i])
        if article is None or article(i):
            seen += len(block.text)
    return list(blocks)
