"""Queries about what Broadsheet understood of articles, and the AI results cache.

Features are stored per (article, feature) with the version that produced them, so a
re-run with the same version is a no-op and a new version overwrites only its feature.
The entity, country and topic rows are derived from those features for the pages.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from broadsheet.store.schema import (
    ai_results,
    ai_usage,
    article_countries,
    article_entities,
    article_features,
    article_topics,
    articles,
)

NAME_CHARS = 300


def versions(conn: Connection, article_id: int) -> dict[str, str]:
    rows = conn.execute(
        select(article_features.c.feature, article_features.c.version).where(
            article_features.c.article_id == article_id
        )
    )
    return {r.feature: r.version for r in rows}


def features(conn: Connection, article_id: int) -> dict[str, Any]:
    rows = conn.execute(
        select(article_features.c.feature, article_features.c.value).where(
            article_features.c.article_id == article_id
        )
    )
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
        _index(conn, article_id, feature, value)
        written.append(feature)
    return written


def _index(conn: Connection, article_id: int, feature: str, value: Any) -> None:
    if feature == "entities":
        conn.execute(delete(article_entities).where(article_entities.c.article_id == article_id))
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
            )
            for eid, m in first.items()
        ]
        if rows:
            conn.execute(insert(article_entities), rows)
    elif feature == "countries":
        conn.execute(delete(article_countries).where(article_countries.c.article_id == article_id))
        rows = [
            dict(article_id=article_id, country=c["code"], mentions=c["mentions"]) for c in value
        ]
        if rows:
            conn.execute(insert(article_countries), rows)
    elif feature == "topics":
        conn.execute(delete(article_topics).where(article_topics.c.article_id == article_id))
        rows = [dict(article_id=article_id, topic=t["topic"], score=t["score"]) for t in value]
        if rows:
            conn.execute(insert(article_topics), rows)


def _recent(conn: Connection, column: Any, join_on: Any, value: str, limit: int) -> list[int]:
    query = (
        select(articles.c.id)
        .join(column.table, join_on == articles.c.id)
        .where(column == value, articles.c.duplicate_of.is_(None))
        .order_by(articles.c.sort_at.desc(), articles.c.id.desc())
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def articles_for_entity(conn: Connection, entity_id: str, limit: int) -> list[int]:
    return _recent(
        conn, article_entities.c.entity_id, article_entities.c.article_id, entity_id, limit
    )


def articles_for_country(conn: Connection, country: str, limit: int) -> list[int]:
    return _recent(
        conn, article_countries.c.country, article_countries.c.article_id, country, limit
    )


def articles_for_topic(conn: Connection, topic: str, limit: int) -> list[int]:
    return _recent(conn, article_topics.c.topic, article_topics.c.article_id, topic, limit)


def entity_name(conn: Connection, entity_id: str) -> tuple[str, str] | None:
    """The most used spelling of an entity and its label."""
    row = conn.execute(
        select(article_entities.c.name, article_entities.c.label, func.count().label("n"))
        .where(article_entities.c.entity_id == entity_id)
        .group_by(article_entities.c.name, article_entities.c.label)
        .order_by(func.count().desc(), func.length(article_entities.c.name).desc())
        .limit(1)
    ).first()
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
    conn.execute(
        delete(ai_results).where(
            ai_results.c.article_id == article_id,
            ai_results.c.feature == feature,
            ai_results.c.key == key,
        )
    )
    conn.execute(
        insert(ai_results).values(
            article_id=article_id,
            feature=feature,
            key=key,
            version=version,
            value=json.dumps(value, ensure_ascii=False),
            created_at=now,
        )
    )


def take_ai_request(conn: Connection, day: str, budget: int) -> bool:
    """Count one AI request against ``day``'s budget; False when the budget is spent."""
    used = conn.execute(select(ai_usage.c.requests).where(ai_usage.c.day == day)).scalar()
    if used is None:
        if budget <= 0:
            return False
        conn.execute(insert(ai_usage).values(day=day, requests=1))
        return True
    if used >= budget:
        return False
    conn.execute(update(ai_usage).where(ai_usage.c.day == day).values(requests=used + 1))
    return True


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
