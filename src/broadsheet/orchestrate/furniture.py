"""Furniture learning with its store: learn from each stored page, re-clean in batches.

The rules (fingerprints, when a block becomes furniture, re-cleaning one body) are pure
functions in ``broadsheet.extract.learn``; the store counts and keeps bodies. Re-cleaning
an outlet reads its articles ``RECLEAN_BATCH`` at a time, applies the rule outside any
transaction, and writes each batch's changed bodies in one short transaction, so a big
outlet never holds the write lock for its whole history.

With site rules (issue 15: ``extract.site.SiteRules``) re-cleaning also applies the
outlet's boundaries and teasers (``extract.site.finish``, the same cascade as
``extract()``) and corrects dates read in the wrong day/month order (``glued.redate``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from broadsheet.extract.blocks import html_blocks
from broadsheet.extract.glued import redate
from broadsheet.extract.learn import (
    LearnedFurniture,
    is_learned,
    outlet_key,
    page_fingerprints,
    reclean_body,
)
from broadsheet.extract.site import SiteRules
from broadsheet.models import Article, CleanBody
from broadsheet.orchestrate.layout import site_rules
from broadsheet.store import Store

if TYPE_CHECKING:
    from broadsheet.orchestrate.site import SiteKnowledge

RECLEAN_BATCH = 200  # articles read, re-cleaned and written per transaction


def furniture_filter(store: Store, outlet: str) -> LearnedFurniture:
    """The outlet's learned furniture filter for ``extract(furniture=...)``."""
    return LearnedFurniture(outlet, store.furniture_fingerprints(outlet))


def learn_from(
    store: Store, article_id: int, article: Article, sites: SiteKnowledge | None = None
) -> None:
    """Feed the outlet's furniture learner (and with ``sites`` its layout learner, issue
    15) with this stored page; when either learns something new, the outlet's stored
    articles are re-cleaned (issue 3), else just this one."""
    outlet = outlet_key(article.url)
    store.record_extraction(article_id, outlet, article)
    if article.extraction == "feed" or not outlet:
        return
    texts = [b.text for b in html_blocks(article.unfiltered_html or article.html)]
    learned = bool(store.learn_furniture(outlet, page_fingerprints(texts), is_learned))
    site = None
    if sites is not None:
        learned = sites.learn(outlet, article_id, article, learned) or learned
        site = sites.rules(outlet)
    if learned:
        reclean_outlet(store, outlet, site=site)  # every stored article, in batches
    else:  # this one may have been extracted while another page taught the learner
        reclean_outlet(store, outlet, article_id, site=site)


def reclean_outlet(
    store: Store,
    outlet: str,
    article_id: int | None = None,
    batch: int | None = None,
    *,
    site: SiteRules | None = None,
    ids: list[int] | None = None,
) -> int:
    """Re-apply what the outlet taught (its furniture; with ``site`` its boundaries,
    teasers and date order) to its stored articles, or one, or ``ids``: ``batch``
    (default ``RECLEAN_BATCH``) articles per transaction. The number of articles changed."""
    batch = batch or RECLEAN_BATCH
    furniture = furniture_filter(store, outlet)
    # with nothing taught, a body nothing was removed from stays as stored: the cascade's
    # page-level rules already ran in extract(), and a body that did not come from it
    # (an imported or hand-made article) is not cut by them after the fact
    taught = bool(furniture) or (site is not None and bool(site.boundaries or site.known))
    if article_id is not None:
        ids = [article_id]
    changed = 0
    after = 0
    while True:
        if ids is not None:
            chunk, ids = ids[:batch], ids[batch:]
            rows = store.furniture_bodies(outlet, 0, len(chunk), ids=chunk) if chunk else []
        else:
            rows = store.furniture_bodies(outlet, after, batch)
        if not rows:
            return changed
        cleaned: list[tuple[int, CleanBody, str | None]] = []
        dates: list[tuple[int, datetime, datetime]] = []
        for row in rows:
            fixed = redate(row.published_at, row.printed_date, site.date_order) if site else None
            if fixed is not None:
                dates.append((row.id, fixed, min(fixed, row.fetched_at)))
            if row.unfiltered_html is None and not taught:
                continue  # nothing was removed from it and nothing is to be: as stored
            body = reclean_body(row.unfiltered_html or row.html, furniture, site, url=row.url,
                                title=row.title, author=row.author)  # fmt: skip
            if body is not None and body.html != row.html:
                cleaned.append((row.id, body, row.html if row.unfiltered_html is None else None))
        store.save_dates(dates)
        store.save_cleaned(cleaned)
        changed += len({i for i, _, _ in cleaned} | {i for i, _, _ in dates})
        after = rows[-1].id
        if ids is None and len(rows) < batch:
            return changed


def set_enabled(store: Store, outlet: str, enabled: bool) -> int | None:
    """The per-outlet kill switch (furniture, boundaries and teasers): re-cleans (or
    restores) the outlet's articles. None when the outlet is unknown, else the number of
    articles changed."""
    if not store.set_furniture_enabled(outlet, enabled):
        return None
    return reclean_outlet(store, outlet, site=site_rules(store, outlet))
