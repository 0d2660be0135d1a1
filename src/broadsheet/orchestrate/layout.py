"""An outlet's layout with its store (issue 15): the site rules built, the layout learned.

The decisions are pure (``extract.boundaries.learn_boundaries``, ``extract.glued``'s date
order, ``extract.teasers.KnownArticles``); the store keeps plain counts and fingerprints
(``store/layout.py``). This module reads those, decides, and writes the result back.
"""

from __future__ import annotations

from broadsheet.extract.blocks import html_blocks
from broadsheet.extract.boundaries import BOUNDARY_WINDOW, learn_boundaries
from broadsheet.extract.glued import decide_order, order_evidence
from broadsheet.extract.site import SiteRules
from broadsheet.extract.teasers import RECENT_ARTICLES, KnownArticles
from broadsheet.store import Store

# Boundaries are learned again on every page while the outlet is new, then every
# RELEARN_EVERY pages or when its furniture changed.
EARLY_PAGES = BOUNDARY_WINDOW // 2
RELEARN_EVERY = 10


def site_rules(store: Store, outlet: str, known: KnownArticles | None = None) -> SiteRules:
    """What the outlet taught, for ``extract(site=...)`` and re-cleaning; its recent stored
    articles stand for ``known`` when none is given. Boundaries and teasers are off with
    the outlet's furniture kill switch (the date order stays)."""
    state = store.outlet_layout(outlet)
    order = decide_order(state.dmy_pages, state.mdy_pages)
    if not state.enabled:
        return SiteRules(outlet, frozenset(), order, KnownArticles())
    if known is None:
        known = KnownArticles.build(store.recent_outlet_articles(outlet, RECENT_ARTICLES))
    return SiteRules(outlet, state.boundaries, order, known)


def learn_layout(
    store: Store,
    outlet: str,
    printed_date: str | None,
    known: KnownArticles,
    *,
    furniture_changed: bool,
) -> bool:
    """Count one more page of the outlet: its printed date's evidence of the date order,
    and (when due) the boundaries learned again. True when what the outlet's articles
    are cleaned or dated with changed."""
    state = store.outlet_layout(outlet)
    evidence = order_evidence(printed_date)
    dmy_add, mdy_add = int(evidence == "dmy"), int(evidence == "mdy")
    changed = decide_order(state.dmy_pages + dmy_add, state.mdy_pages + mdy_add) != (
        decide_order(state.dmy_pages, state.mdy_pages)
    )
    due = (furniture_changed or state.pages_seen <= EARLY_PAGES
           or state.pages_seen - state.learned_at_page >= RELEARN_EVERY)  # fmt: skip
    boundaries: frozenset[str] | None = None
    if due:
        recent = store.recent_outlet_bodies(outlet, BOUNDARY_WINDOW)
        pages = [(url, title, [b.text for b in html_blocks(body)]) for url, title, body in recent]
        fresh = learn_boundaries(pages, store.learned_fingerprints(outlet), known)
        if fresh != state.boundaries:
            boundaries = fresh
            changed = True
    store.save_layout(outlet, dmy_add=dmy_add, mdy_add=mdy_add, boundaries=boundaries,
                      learned_at_page=state.pages_seen if due else None)  # fmt: skip
    return changed
