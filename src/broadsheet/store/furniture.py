"""Queries for furniture learning: per-outlet counts, learned blocks, re-cleaned bodies.

The decisions (fingerprints, thresholds, the filter, the re-clean of one body) are pure
functions in ``broadsheet.extract.learn``, and the orchestrator
(``broadsheet.orchestrate.furniture``) applies them; this module only counts, reads and
stores. Re-cleaning an outlet rewrites its stored articles from the body they had before
learned furniture (kept in ``article_extraction.unfiltered_html`` the first time a body
changes), so turning the kill switch off restores every article exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update

from broadsheet.models import Article, CleanBody, StoredBody
from broadsheet.store import upsert
from broadsheet.store.schema import article_extraction, articles, furniture_blocks, outlet_furniture

# Blocks seen once and not again for this long are forgotten (they were article text).
FORGET_AFTER = timedelta(days=30)
PRUNE_EVERY_PAGES = 200
MAX_SHOWN_BLOCKS = 200


@dataclass
class LearnedBlock:
    fingerprint: str
    sample: str
    pages: int
    learned_at: datetime


@dataclass
class OutletFurniture:
    """What Broadsheet learned about one outlet (for the admin area and the CLI)."""

    outlet: str
    enabled: bool = True
    pages_seen: int = 0
    articles: int = 0
    learned: int = 0
    blocks: list[LearnedBlock] = field(default_factory=list)


def _outlet_row(conn: Connection, outlet: str) -> tuple[bool, int] | None:
    row = conn.execute(
        select(outlet_furniture.c.enabled, outlet_furniture.c.pages_seen).where(
            outlet_furniture.c.outlet == outlet
        )
    ).first()
    return (bool(row[0]), int(row[1])) if row else None


def learned_fingerprints(conn: Connection, outlet: str) -> frozenset[str]:
    return frozenset(
        conn.execute(
            select(furniture_blocks.c.fingerprint).where(
                furniture_blocks.c.outlet == outlet, furniture_blocks.c.learned_at.is_not(None)
            )
        ).scalars()
    )


def active_fingerprints(conn: Connection, outlet: str) -> frozenset[str]:
    """The outlet's learned fingerprints: none when the kill switch is off."""
    row = _outlet_row(conn, outlet)
    if row is not None and not row[0]:
        return frozenset()
    return learned_fingerprints(conn, outlet)


def learn(
    conn: Connection,
    outlet: str,
    seen: dict[str, str],
    now: datetime,
    is_learned: Callable[[int, int], bool],
) -> int:
    """Count one more page of ``outlet`` with these blocks (fingerprint -> sample); the
    number of blocks that became furniture with it (``is_learned(pages with the block,
    pages seen)`` decides)."""
    pages_seen = conn.execute(  # one statement: two workers each count their page
        upsert.insert(conn, outlet_furniture)
        .values(outlet=outlet, enabled=True, pages_seen=1, updated_at=now)
        .on_conflict_do_update(
            index_elements=[outlet_furniture.c.outlet],
            set_={"pages_seen": outlet_furniture.c.pages_seen + 1, "updated_at": now},
        )
        .returning(outlet_furniture.c.pages_seen)
    ).scalar_one()
    if seen:
        known = set(
            conn.execute(
                select(furniture_blocks.c.fingerprint).where(
                    furniture_blocks.c.outlet == outlet,
                    furniture_blocks.c.fingerprint.in_(list(seen)),
                )
            ).scalars()
        )
        if known:
            conn.execute(
                update(furniture_blocks)
                .where(furniture_blocks.c.outlet == outlet,
                       furniture_blocks.c.fingerprint.in_(list(known)))
                .values(pages=furniture_blocks.c.pages + 1, last_seen=now)
            )  # fmt: skip
        fresh = [
            {"outlet": outlet, "fingerprint": fp, "sample": sample, "pages": 1,
             "first_seen": now, "last_seen": now}
            for fp, sample in seen.items() if fp not in known
        ]  # fmt: skip
        if fresh:  # another worker may have added some of them meanwhile
            new = upsert.insert(conn, furniture_blocks)
            conn.execute(
                new.on_conflict_do_update(
                    index_elements=[furniture_blocks.c.outlet, furniture_blocks.c.fingerprint],
                    set_={"pages": furniture_blocks.c.pages + 1, "last_seen": now},
                ),
                fresh,
            )
    # blocks that cross the threshold now (the share can also be met by a later page)
    candidates = conn.execute(
        select(furniture_blocks.c.fingerprint, furniture_blocks.c.pages).where(
            furniture_blocks.c.outlet == outlet,
            furniture_blocks.c.learned_at.is_(None),
            furniture_blocks.c.pages > 1,
        )
    ).all()
    newly = [fp for fp, pages in candidates if is_learned(int(pages), pages_seen)]
    if newly:
        conn.execute(
            update(furniture_blocks)
            .where(furniture_blocks.c.outlet == outlet, furniture_blocks.c.fingerprint.in_(newly))
            .values(learned_at=now)
        )
    if pages_seen % PRUNE_EVERY_PAGES == 0:
        conn.execute(
            delete(furniture_blocks).where(
                furniture_blocks.c.outlet == outlet,
                furniture_blocks.c.learned_at.is_(None),
                furniture_blocks.c.pages == 1,
                furniture_blocks.c.last_seen < now - FORGET_AFTER,
            )
        )
    return len(newly)


def record_article(conn: Connection, article_id: int, outlet: str, article: Article) -> None:
    unfiltered = article.unfiltered_html
    conn.execute(delete(article_extraction).where(article_extraction.c.article_id == article_id))
    conn.execute(
        insert(article_extraction).values(
            article_id=article_id,
            outlet=outlet,
            modified_at=article.modified,
            unfiltered_html=unfiltered if unfiltered and unfiltered != article.html else None,
            printed_date=(article.printed_date or "")[:32] or None,
        )
    )


def set_enabled(conn: Connection, outlet: str, enabled: bool, now: datetime) -> bool:
    """Flip the kill switch; False when the outlet is unknown."""
    if _outlet_row(conn, outlet) is None:
        return False
    conn.execute(
        update(outlet_furniture)
        .where(outlet_furniture.c.outlet == outlet)
        .values(enabled=enabled, updated_at=now)
    )
    return True


def bodies(
    conn: Connection,
    outlet: str,
    after_id: int,
    limit: int,
    article_id: int | None = None,
    ids: list[int] | None = None,
) -> list[StoredBody]:
    """The outlet's stored articles after ``after_id`` in id order (or one of them, or
    those in ``ids``) as re-cleaning reads them."""
    query = (
        select(articles.c.id, articles.c.html, article_extraction.c.unfiltered_html,
               articles.c.url, articles.c.title, articles.c.author, articles.c.published_at,
               articles.c.fetched_at, article_extraction.c.printed_date)
        .join(article_extraction, article_extraction.c.article_id == articles.c.id)
        .where(article_extraction.c.outlet == outlet, articles.c.id > after_id)
        .order_by(articles.c.id)
        .limit(limit)
    )  # fmt: skip
    if article_id is not None:
        query = query.where(articles.c.id == article_id)
    if ids is not None:
        query = query.where(articles.c.id.in_(ids))
    return [StoredBody(*row) for row in conn.execute(query)]


def save_cleaned(conn: Connection, cleaned: list[tuple[int, CleanBody, str | None]]) -> None:
    """Rewrite articles' bodies; the third item, when set, is the body before learned
    furniture, kept the first time an article's body changes."""
    for article_id, body, unfiltered in cleaned:
        conn.execute(
            update(articles)
            .where(articles.c.id == article_id)
            .values(text=body.text, html=body.html, description=body.description,
                    content_hash=body.content_hash, word_count=len(body.text.split()))
        )  # fmt: skip
        if unfiltered is not None:
            conn.execute(
                update(article_extraction)
                .where(article_extraction.c.article_id == article_id)
                .values(unfiltered_html=unfiltered)
            )


def describe(conn: Connection, outlet: str) -> OutletFurniture | None:
    row = _outlet_row(conn, outlet)
    if row is None:
        return None
    count = conn.execute(
        select(func.count())
        .select_from(article_extraction)
        .where(article_extraction.c.outlet == outlet)
    ).scalar()
    blocks = [
        LearnedBlock(fp, sample, int(pages), learned_at)
        for fp, sample, pages, learned_at in conn.execute(
            select(furniture_blocks.c.fingerprint, furniture_blocks.c.sample,
                   furniture_blocks.c.pages, furniture_blocks.c.learned_at)
            .where(furniture_blocks.c.outlet == outlet, furniture_blocks.c.learned_at.is_not(None))
            .order_by(furniture_blocks.c.pages.desc(), furniture_blocks.c.fingerprint)
            .limit(MAX_SHOWN_BLOCKS)
        )
    ]  # fmt: skip
    learned = conn.execute(
        select(func.count())
        .select_from(furniture_blocks)
        .where(furniture_blocks.c.outlet == outlet, furniture_blocks.c.learned_at.is_not(None))
    ).scalar()
    return OutletFurniture(outlet, row[0], row[1], int(count or 0), int(learned or 0), blocks)


def list_outlets(conn: Connection) -> list[OutletFurniture]:
    learned = (
        select(func.count())
        .where(furniture_blocks.c.outlet == outlet_furniture.c.outlet,
               furniture_blocks.c.learned_at.is_not(None))
        .scalar_subquery()
    )  # fmt: skip
    out: list[OutletFurniture] = []
    for outlet, enabled, pages_seen, n in conn.execute(
        select(outlet_furniture.c.outlet, outlet_furniture.c.enabled,
               outlet_furniture.c.pages_seen, learned.label("n"))
        .order_by(outlet_furniture.c.outlet)
    ):  # fmt: skip
        out.append(OutletFurniture(outlet, bool(enabled), int(pages_seen), learned=int(n or 0)))
    return out
