"""Queries for outlet layout learning (issue 15): boundaries, date order, known articles.

The decisions are pure functions in ``broadsheet.extract`` (``boundaries.learn_boundaries``,
``glued.decide_order``, ``teasers.KnownArticles``); this module reads what they learn
from and stores what they decide, per outlet, in ``outlet_layout``.
"""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from broadsheet.extract.blocks import html_blocks
from broadsheet.extract.boundaries import BOUNDARY_WINDOW, learn_boundaries
from broadsheet.extract.glued import decide_order, order_evidence
from broadsheet.extract.site import SiteRules
from broadsheet.extract.teasers import MIN_TITLE_CHARS, KnownArticles
from broadsheet.store.furniture import learned_fingerprints
from broadsheet.store.schema import article_extraction, articles, outlet_furniture, outlet_layout

# Boundaries are learned again on every page while the outlet is new, then every
# RELEARN_EVERY pages or when its furniture changed.
EARLY_PAGES = BOUNDARY_WINDOW // 2
RELEARN_EVERY = 10
KNOWN_TEXT_CHARS = 4000  # of each recent article: its lead, for teaser matching


def _row(conn: Connection, outlet: str) -> tuple[frozenset[str], int, int, int] | None:
    row = conn.execute(
        select(outlet_layout.c.boundaries, outlet_layout.c.dmy_pages,
               outlet_layout.c.mdy_pages, outlet_layout.c.learned_at_page)
        .where(outlet_layout.c.outlet == outlet)
    ).first()  # fmt: skip
    if row is None:
        return None
    return frozenset(row[0].split()), int(row[1]), int(row[2]), int(row[3])


def site_rules(conn: Connection, outlet: str, known: KnownArticles | None = None) -> SiteRules:
    """What the outlet taught, for ``extract(site=...)`` and re-cleaning; boundaries and
    teasers are off with the outlet's furniture kill switch (the date order stays)."""
    row = _row(conn, outlet)
    boundaries, dmy, mdy = (row[0], row[1], row[2]) if row else (frozenset(), 0, 0)
    if _switched_off(conn, outlet):
        return SiteRules(outlet, frozenset(), decide_order(dmy, mdy), KnownArticles())
    return SiteRules(outlet, boundaries, decide_order(dmy, mdy), known or KnownArticles())


def _switched_off(conn: Connection, outlet: str) -> bool:
    enabled = conn.execute(
        select(outlet_furniture.c.enabled).where(outlet_furniture.c.outlet == outlet)
    ).scalar()
    return enabled is not None and not enabled


def recent_articles(conn: Connection, outlet: str, limit: int) -> list[tuple[str, str, str]]:
    """(url, headline, start of text) of the outlet's most recent stored articles."""
    rows = conn.execute(
        select(articles.c.url, articles.c.title, func.substr(articles.c.text, 1, KNOWN_TEXT_CHARS))
        .join(article_extraction, article_extraction.c.article_id == articles.c.id)
        .where(article_extraction.c.outlet == outlet)
        .order_by(articles.c.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    return [(url, title, text or "") for url, title, text in rows]


def articles_showing(conn: Connection, ids: list[int], titles: set[str]) -> list[int]:
    """Those of ``ids`` whose stored body shows one of ``titles`` other than their own."""
    wanted = {t: html.escape(t, quote=False) for t in titles if len(t) >= MIN_TITLE_CHARS}
    if not ids or not wanted:
        return []
    rows = conn.execute(
        select(articles.c.id, articles.c.title, articles.c.html,
               article_extraction.c.unfiltered_html)
        .join(article_extraction, article_extraction.c.article_id == articles.c.id)
        .where(articles.c.id.in_(ids))
    ).all()  # fmt: skip
    return [
        article_id for article_id, own, body, unfiltered in rows
        if any(shown in (unfiltered or body) for t, shown in wanted.items() if t != own)
    ]  # fmt: skip


def _recent_bodies(conn: Connection, outlet: str) -> list[tuple[str, str, list[str]]]:
    rows = conn.execute(
        select(articles.c.url, articles.c.title, articles.c.html,
               article_extraction.c.unfiltered_html)
        .join(article_extraction, article_extraction.c.article_id == articles.c.id)
        .where(article_extraction.c.outlet == outlet, articles.c.extraction != "feed")
        .order_by(articles.c.id.desc())
        .limit(BOUNDARY_WINDOW)
    ).all()  # fmt: skip
    return [(url, title, [b.text for b in html_blocks(unfiltered or body)])
            for url, title, body, unfiltered in rows]  # fmt: skip


def learn(
    conn: Connection,
    outlet: str,
    printed_date: str | None,
    known: KnownArticles,
    *,
    furniture_changed: bool,
    now: datetime,
) -> bool:
    """Count one more page of the outlet: its printed date's evidence of the date order,
    and (when due) the boundaries learned again. True when what the outlet's articles
    are cleaned or dated with changed."""
    row = _row(conn, outlet)
    if row is None:
        conn.execute(insert(outlet_layout).values(outlet=outlet, boundaries="", dmy_pages=0,
                                                  mdy_pages=0, learned_at_page=0,
                                                  updated_at=now))  # fmt: skip
        row = (frozenset(), 0, 0, 0)
    boundaries, dmy, mdy, learned_at = row
    pages_seen = int(
        conn.execute(
            select(outlet_furniture.c.pages_seen).where(outlet_furniture.c.outlet == outlet)
        ).scalar()
        or 0
    )
    values: dict[str, object] = {}
    evidence = order_evidence(printed_date)
    new_dmy, new_mdy = dmy + (evidence == "dmy"), mdy + (evidence == "mdy")
    if evidence:
        values.update(dmy_pages=new_dmy, mdy_pages=new_mdy)
    changed = decide_order(new_dmy, new_mdy) != decide_order(dmy, mdy)
    due = (furniture_changed or pages_seen <= EARLY_PAGES
           or pages_seen - learned_at >= RELEARN_EVERY)  # fmt: skip
    if due:
        fresh = learn_boundaries(
            _recent_bodies(conn, outlet), learned_fingerprints(conn, outlet), known
        )
        values["learned_at_page"] = pages_seen
        if fresh != boundaries:
            values["boundaries"] = " ".join(sorted(fresh))
            changed = True
    if values:
        values["updated_at"] = now
        conn.execute(update(outlet_layout).where(outlet_layout.c.outlet == outlet).values(values))
    return changed


def boundary_count(conn: Connection, outlet: str) -> int:
    row = _row(conn, outlet)
    return len(row[0]) if row else 0
