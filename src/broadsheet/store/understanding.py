"""Queries about what Broadsheet understood of articles, and the AI results cache.

Features are stored per (article, feature) with the version that produced them, so a
re-run with the same version is a no-op and a new version overwrites only its feature.
The entity, country and topic rows are derived from those features for the pages.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, select, true

from broadsheet.models import ArticleTeaser, Cursor, Page
from broadsheet.store import keyset, upsert
from broadsheet.store.articles import teaser_select, to_teaser
from broadsheet.store.schema import (
    ai_results,
    ai_usage,
    article_countries,
    article_entities,
    article_features,
    article_topics,
    articles,
    sources,
)

NAME_CHARS = 300
NAME_SAMPLE = 200  # an entity's latest mentions its page name is chosen from
FEW_OUTLETS = 16  # a country with more is read through the newest articles (place_page)


def versions(conn: Connection, article_id: int) -> dict[str, str]:
    rows = conn.execute(
        select(article_features.c.feature, article_features.c.version).where(
            article_features.c.article_id == article_id
        )
    )
    return {r.feature: r.version for r in rows}


# Read on every article view: built once (statements are immutable).
_FEATURES = select(article_features.c.feature, article_features.c.value).where(
    article_features.c.article_id == bindparam("id")
)


def features(conn: Connection, article_id: int) -> dict[str, Any]:
    rows = conn.execute(_FEATURES, {"id": article_id})
    return {r.feature: json.loads(r.value) for r in rows}


def save(
    conn: Connection,
    article_id: int,
    values: dict[str, Any],
    version_of: dict[str, str],
    now: datetime,
) -> list[str]:
    """Store the features whose version changed; return the names written."""
    known = versions(conn, article_id)
    written = []
    sort_at = None
    if any(f in INDEXED for f in values):  # copied onto the index rows, for the pages
        sort_at = conn.execute(
            select(articles.c.sort_at).where(articles.c.id == article_id)
        ).scalar()
    for feature, value in values.items():
        version = version_of.get(feature, "0")
        if known.get(feature) == version:
            continue
        conn.execute(
            delete(article_features).where(
                article_features.c.article_id == article_id,
                article_features.c.feature == feature,
            )
        )
        conn.execute(
            insert(article_features).values(
                article_id=article_id,
                feature=feature,
                version=version,
                value=json.dumps(value, ensure_ascii=False),
                computed_at=now,
            )
        )
        _index(conn, article_id, feature, value, sort_at)
        written.append(feature)
    return written


INDEXED = ("entities", "countries", "topics")


def _index(
    conn: Connection, article_id: int, feature: str, value: Any, sort_at: datetime | None
) -> None:
    found = index_rows(article_id, feature, value, sort_at)
    if found is None:
        return
    table, rows = found
    conn.execute(delete(table).where(table.c.article_id == article_id))
    if rows:
        conn.execute(insert(table), rows)


def index_rows(
    article_id: int, feature: str, value: Any, sort_at: datetime | None
) -> tuple[Table, list[dict[str, Any]]] | None:
    """The page-index rows a feature's value makes (entities, countries, topics), each with
    the article's ``sort_at`` copied on for the pages' index order, and their table; None
    for features without an index. Shared with ``bulk``."""
    if feature == "entities":
        counts: Counter[str] = Counter(m["entity_id"] for m in value)
        first: dict[str, dict[str, Any]] = {}
        for m in value:  # the longest spelling names the entity
            best = first.get(m["entity_id"])
            if best is None or len(m["text"]) > len(best["text"]):
                first[m["entity_id"]] = m
        rows = [
            dict(
                article_id=article_id,
                entity_id=eid,
                label=m["label"],
                name=m["text"][:NAME_CHARS],
                mentions=counts[eid],
                sort_at=sort_at,
            )
            for eid, m in first.items()
        ]
        return article_entities, rows
    if feature == "countries":
        rows = [
            dict(article_id=article_id, country=c["code"], mentions=c["mentions"], sort_at=sort_at)
            for c in value
        ]
        return article_countries, rows
    if feature == "topics":
        rows = [
            dict(article_id=article_id, topic=t["topic"], score=t["score"], sort_at=sort_at)
            for t in value
        ]
        return article_topics, rows
    return None


_LISTED = {
    "entity": (article_entities, article_entities.c.entity_id),
    "country": (article_countries, article_countries.c.country),
    "topic": (article_topics, article_topics.c.topic),
}


@functools.cache  # built once: read on every entity, place and topic page
def _listed(kind: str) -> keyset.Keyed:
    table, column = _LISTED[kind]
    query = (
        teaser_select()
        .join(table, table.c.article_id == articles.c.id)
        .where(column == bindparam("key"), articles.c.duplicate_of.is_(None))
    )
    return keyset.Keyed(query, table.c.sort_at, table.c.article_id)


@functools.cache  # built once (as _listed)
def _from_outlets() -> keyset.Keyed:
    outlets = select(sources.c.id).where(sources.c.country == bindparam("country"))
    query = teaser_select().where(
        articles.c.source_id.in_(outlets.scalar_subquery()), articles.c.duplicate_of.is_(None)
    )
    return keyset.Keyed(query, articles.c.sort_at, articles.c.id)


@functools.cache  # built once (as _listed)
def _from_few_outlets(mode: str) -> keyset.Keyed:
    """As :func:`_from_outlets`, for a country of at most FEW_OUTLETS outlets on
    PostgreSQL, for one kind of page read (``mode``: newest, older or newer; Keyed's
    statement of that name is the one used). Each outlet gives its own ``limit`` newest (or
    closest) originals past the cursor, read in order from its ``(source_id, sort_at,
    id)`` index (a LATERAL subquery), and those are sorted: with ``source_id IN (the
    country's outlets)`` PostgreSQL read every article of a country's few outlets and
    sorted them all (Argentina's four: 2,815 rows, 10-20 ms at 1M articles, growing with
    the store). A country of many outlets keeps the plain form: the newest articles of
    the store walked back until enough are its own (35 ms for the United States' outlets
    one by one, 3 ms walked back)."""
    at, ident = articles.c.sort_at, articles.c.id
    outlet = sources.alias("outlet")
    newest = select(ident).where(
        articles.c.source_id == outlet.c.id,
        articles.c.duplicate_of.is_(None),
        *keyset.past_cursor(at, ident, mode),
    )
    order = (at.asc(), ident.asc()) if mode == "newer" else (at.desc(), ident.desc())
    each = newest.order_by(*order).limit(keyset.LIMIT).lateral()
    ids = (
        select(each.c.id)
        .select_from(outlet.join(each, true()))
        .where(outlet.c.country == bindparam("country"))
    )
    return keyset.Keyed(teaser_select().where(ident.in_(ids)), at, ident)


def listing_page(
    conn: Connection,
    kind: str,
    key: str,
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Page[ArticleTeaser]:
    """The latest original reports naming an entity / about a country / in a topic, read
    through the (key, sort_at, article_id) index in order: no sort of every match."""
    return _listed(kind).page(conn, to_teaser, limit, before, after, {"key": key})


def place_page(
    conn: Connection,
    country: str,
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Page[ArticleTeaser]:
    """The latest original reports about a country or from its outlets, newest first.

    Two keyset pages, each read through its own index (the country's rows of
    ``article_countries``; each of the country's outlets' ``(source_id, sort_at, id)``),
    merged: an article both about the country and from one of its outlets shows once."""
    about = listing_page(conn, "country", country, limit, before, after)
    keyed = _from_outlets()
    if conn.dialect.name == "postgresql" and _few_outlets(conn, country):
        keyed = _from_few_outlets("newer" if after else "older" if before else "newest")
    local = keyed.page(conn, to_teaser, limit, before, after, {"country": country})
    unique = {t.id: t for t in about.items + local.items}
    if after is not None:  # the closest newer ones, shown newest first
        closest = sorted(unique.values(), key=lambda t: (t.sort_at, t.id))
        shown = closest[:limit][::-1]
        more_newer = len(closest) > limit or about.newer is not None or local.newer is not None
        return Page(
            shown,
            older=_cursor(shown[-1]) if shown else None,
            newer=_cursor(shown[0]) if more_newer and shown else None,
        )
    newest = sorted(unique.values(), key=lambda t: (t.sort_at, t.id), reverse=True)
    shown = newest[:limit]
    more_older = len(newest) > limit or about.older is not None or local.older is not None
    return Page(
        shown,
        older=_cursor(shown[-1]) if more_older and shown else None,
        newer=_cursor(shown[0]) if before is not None and shown else None,
    )


_OUTLETS_OF = select(func.count()).select_from(
    select(sources.c.id)
    .where(sources.c.country == bindparam("country"))
    .limit(FEW_OUTLETS + 1)
    .subquery()
)


def _few_outlets(conn: Connection, country: str) -> bool:
    return int(conn.execute(_OUTLETS_OF, {"country": country}).scalar() or 0) <= FEW_OUTLETS


def _cursor(t: ArticleTeaser) -> Cursor:
    return Cursor(t.sort_at, t.id)


def listed_ids(conn: Connection, kind: str, key: str, limit: int) -> list[int]:
    """The ids of the first page of :func:`listing_page`."""
    return [t.id for t in listing_page(conn, kind, key, limit).items]


def _entity_name_statement() -> Any:
    recent = (
        select(article_entities.c.name, article_entities.c.label)
        .where(article_entities.c.entity_id == bindparam("entity"))
        .order_by(article_entities.c.sort_at.desc(), article_entities.c.article_id.desc())
        .limit(NAME_SAMPLE)
        .subquery()
    )
    return (
        select(recent.c.name, recent.c.label, func.count().label("n"))
        .group_by(recent.c.name, recent.c.label)
        .order_by(func.count().desc(), func.length(recent.c.name).desc())
        .limit(1)
    )


_ENTITY_NAME = _entity_name_statement()  # built once: read on every entity page not kept


def entity_name(conn: Connection, entity_id: str) -> tuple[str, str] | None:
    """The most used spelling of an entity and its label, among its latest mentions."""
    row = conn.execute(_ENTITY_NAME, {"entity": entity_id}).first()
    return (row.name, row.label) if row else None


# --- AI results and budget ------------------------------------------------------------------
def ai_result(conn: Connection, article_id: int, feature: str, key: str, version: str) -> Any:
    row = conn.execute(
        select(ai_results.c.value).where(
            ai_results.c.article_id == article_id,
            ai_results.c.feature == feature,
            ai_results.c.key == key,
            ai_results.c.version == version,
        )
    ).first()
    return json.loads(row.value) if row else None


def save_ai_result(
    conn: Connection,
    article_id: int,
    feature: str,
    key: str,
    version: str,
    value: Any,
    now: datetime,
) -> None:
    row = dict(version=version, value=json.dumps(value, ensure_ascii=False), created_at=now)
    conn.execute(
        upsert.insert(conn, ai_results)
        .values(article_id=article_id, feature=feature, key=key, **row)
        .on_conflict_do_update(
            index_elements=[ai_results.c.article_id, ai_results.c.feature, ai_results.c.key],
            set_=row,
        )
    )


def take_ai_request(conn: Connection, day: str, budget: int) -> bool:
    """Count one AI request against ``day``'s budget; False when the budget is spent."""
    if budget <= 0:
        return False
    counted = conn.execute(  # one statement: two workers cannot both take the last request
        upsert.insert(conn, ai_usage)
        .values(day=day, requests=1)
        .on_conflict_do_update(
            index_elements=[ai_usage.c.day],
            set_={"requests": ai_usage.c.requests + 1},
            where=ai_usage.c.requests < budget,
        )
        .returning(ai_usage.c.requests)
    ).first()
    return counted is not None


def not_understood(
    conn: Connection, after_id: int, limit: int
) -> list[tuple[int, str, str, str | None]]:
    """(id, title, text, language) of stored articles after ``after_id`` that have no
    understanding at all (saved, then the process died before the stage ran), in id
    order: the durable to-do of the understanding step."""
    done = select(article_features.c.article_id).where(
        article_features.c.article_id == articles.c.id
    )
    rows = conn.execute(
        select(articles.c.id, articles.c.title, articles.c.text, articles.c.language)
        .where(articles.c.id > after_id, ~done.exists())
        .order_by(articles.c.id)
        .limit(limit)
    )
    return [(r.id, r.title, r.text, r.language) for r in rows]
