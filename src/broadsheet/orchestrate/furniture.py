"""Furniture learning with its store: learn from each stored page, re-clean in batches.

The rules (fingerprints, when a block becomes furniture, re-cleaning one body) are pure
functions in ``broadsheet.extract.learn``; the store counts and keeps bodies. Re-cleaning
an outlet reads its articles ``RECLEAN_BATCH`` at a time, applies the rule outside any
transaction, and writes each batch's changed bodies in one short transaction, so a big
outlet never holds the write lock for its whole history.
"""

from __future__ import annotations

from broadsheet.extract.blocks import html_blocks
from broadsheet.extract.learn import (
    LearnedFurniture,
    is_learned,
    outlet_key,
    page_fingerprints,
    reclean_body,
)
from broadsheet.models import Article, CleanBody
from broadsheet.store import Store

RECLEAN_BATCH = 200  # articles read, re-cleaned and written per transaction


def furniture_filter(store: Store, outlet: str) -> LearnedFurniture:
    """The outlet's learned furniture filter for ``extract(furniture=...)``."""
    return LearnedFurniture(outlet, store.furniture_fingerprints(outlet))


def learn_from(store: Store, article_id: int, article: Article) -> None:
    """Feed the outlet's furniture learner with this stored page's blocks; when it learns
    something new, the outlet's stored articles are re-cleaned (issue 3)."""
    outlet = outlet_key(article.url)
    store.record_extraction(article_id, outlet, article)
    if article.extraction == "feed" or not outlet:
        return
    texts = [b.text for b in html_blocks(article.unfiltered_html or article.html)]
    if store.learn_furniture(outlet, page_fingerprints(texts), is_learned):
        reclean_outlet(store, outlet)  # every stored article of the outlet
    else:  # this one may have been extracted while another page taught the learner
        reclean_outlet(store, outlet, article_id)


def reclean_outlet(
    store: Store, outlet: str, article_id: int | None = None, batch: int = RECLEAN_BATCH
) -> int:
    """Re-apply the outlet's current furniture to its stored articles (or one of them),
    ``batch`` articles per transaction; the number of articles changed."""
    furniture = furniture_filter(store, outlet)
    changed = 0
    after = 0
    while True:
        rows = store.furniture_bodies(outlet, after, batch, article_id)
        if not rows:
            return changed
        cleaned: list[tuple[int, CleanBody, str | None]] = []
        for row_id, html, unfiltered in rows:
            body = reclean_body(unfiltered or html, furniture)
            if body is not None and body.html != html:
                cleaned.append((row_id, body, html if unfiltered is None else None))
        store.save_cleaned(cleaned)
        changed += len(cleaned)
        after = rows[-1][0]
        if len(rows) < batch:
            return changed


def set_enabled(store: Store, outlet: str, enabled: bool) -> int | None:
    """The per-outlet kill switch: re-cleans (or restores) the outlet's articles. None
    when the outlet is unknown, else the number of articles changed."""
    if not store.set_furniture_enabled(outlet, enabled):
        return None
    return reclean_outlet(store, outlet)
