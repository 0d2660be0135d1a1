"""Queries for outlet layout learning (issue 15): boundaries, date order, known articles.

The decisions are pure functions in ``broadsheet.extract`` (``boundaries.learn_boundaries``,
``glued.decide_order``, ``teasers.KnownArticles``), applied by the orchestrator
(``broadsheet.orchestrate.site``); this module only reads what they learn from and
stores what they decide, per outlet, in ``outlet_layout``.
"""

from __future__ import annotations

import html
from datetime import datetime

from sqlalchemy import Connection, func, select, update

from broadsheet.models import OutletLayout
from broadsheet.store import upsert
from broadsheet.store.schema import (
    article_countries,
    article_entities,
    article_extraction,
    article_topics,
    articles,
    outlet_furniture,
    outlet_layout,
    story_articles,
)

# tables holding a copy of an article's sort_at (so their lists read in index order)
SORT_COPIES = (story_articles, article_entities, article_countries, article_topics)

KNOWN_TEXT_CHARS = 4000  # of each recent article: its lead, for teaser matching


def read(conn: Connection, outlet: str) -> OutletLayout:
    """The outlet's layout as stored (empty when nothing was learned yet), with its pages
    seen and furniture kill switch."""
    row = conn.execute(
        select(outlet_layout.c.boundaries, outlet_layout.c.dmy_pages,
               outlet_layout.c.mdy_pages, outlet_layout.c.learned_at_page)
        .where(outlet_layout.c.outlet == outlet)
    ).first()  # fmt: skip
    switch = conn.execute(
        select(outlet_furniture.c.enabled, outlet_furniture.c.pages_seen).where(
            outlet_furniture.c.outlet == outlet
        )
    ).first()
    enabled, pages_seen = (bool(switch[0]), int(switch[1])) if switch else (True, 0)
    if row is None:
        return OutletLayout(outlet, pages_seen=pages_seen, enabled=enabled)
    return OutletLayout(outlet, frozenset(row[0].split()), int(row[1]), int(row[2]),
                        int(row[3]), pages_seen, enabled)  # fmt: skip


def save(
    conn: Connection,
    outlet: str,
    *,
    dmy_add: int,
    mdy_add: int,
    boundaries: frozenset[str] | None,
    learned_at_page: int | None,
    now: datetime,
) -> None:
    """Add pages of evidence for each date order; store new boundaries and the page count
    they were learned at (None: unchanged)."""
    conn.execute(
        upsert.insert(conn, outlet_layout)
        .values(outlet=outlet, boundaries="", dmy_pages=0, mdy_pages=0, learned_at_page=0,
                updated_at=now)
        .on_conflict_do_nothing(index_elements=[outlet_layout.c.outlet])
    )  # fmt: skip
    values: dict[str, object] = {
        "dmy_pages": outlet_layout.c.dmy_pages + dmy_add,
        "mdy_pages": outlet_layout.c.mdy_pages + mdy_add,
        "updated_at": now,
    }
    if boundaries is not None:
        values["boundaries"] = " ".join(sorted(boundaries))
    if learned_at_page is not None:
        values["learned_at_page"] = learned_at_page
    conn.execute(update(outlet_layout).where(outlet_layout.c.outlet == outlet).values(values))


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


def recent_bodies(conn: Connection, outlet: str, limit: int) -> list[tuple[str, str, str]]:
    """(url, headline, body html before learned rules) of the outlet's newest pages."""
    rows = conn.execute(
        select(articles.c.url, articles.c.title, articles.c.html,
               article_extraction.c.unfiltered_html)
        .join(article_extraction, article_extraction.c.article_id == articles.c.id)
        .where(article_extraction.c.outlet == outlet, articles.c.extraction != "feed")
        .order_by(articles.c.id.desc())
        .limit(limit)
    ).all()  # fmt: skip
    return [(url, title, unfiltered or body) for url, title, body, unfiltered in rows]


def articles_showing(conn: Connection, ids: list[int], titles: set[str]) -> list[int]:
    """Those of ``ids`` whose stored body shows one of ``titles`` other than their own."""
    wanted = {t: html.escape(t, quote=False) for t in titles if t}
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


def save_dates(conn: Connection, dates: list[tuple[int, datetime, datetime]]) -> None:
    """Corrected (article id, published, sort date) of stored articles, and the copies of
    the sort date that lists are read by (story members, entity, country and topic rows)."""
    for article_id, published, sort_at in dates:
        conn.execute(
            update(articles)
            .where(articles.c.id == article_id)
            .values(published_at=published, sort_at=sort_at)
        )
        for table in SORT_COPIES:
            conn.execute(
                update(table).where(table.c.article_id == article_id).values(sort_at=sort_at)
            )
