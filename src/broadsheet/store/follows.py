"""Queries of follows and mutes, and of the recent articles each follow brings in."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from broadsheet.store.schema import (
    article_countries,
    article_entities,
    article_topics,
    articles,
    follows,
    read_articles,
    story_articles,
)

KINDS = ("topic", "entity", "place", "outlet", "story")


def set_follow(
    conn: Connection, user_id: int, kind: str, key: str, muted: bool, now: datetime
) -> None:
    unfollow(conn, user_id, kind, key)
    conn.execute(
        insert(follows).values(user_id=user_id, kind=kind, key=key, muted=muted, created_at=now)
    )


def unfollow(conn: Connection, user_id: int, kind: str, key: str) -> None:
    conn.execute(
        delete(follows).where(
            follows.c.user_id == user_id, follows.c.kind == kind, follows.c.key == key
        )
    )


def list_for(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(follows.c.kind, follows.c.key, follows.c.muted, follows.c.created_at)
        .where(follows.c.user_id == user_id)
        .order_by(follows.c.created_at, follows.c.kind, follows.c.key)
    )
    return [dict(r._mapping) for r in rows]


def _article_ids(conn: Connection, kind: str, key: str, since: datetime, limit: int) -> Any:
    if kind == "outlet":
        query = select(articles.c.id).where(articles.c.source_id == int(key))
    elif kind == "story":
        query = (
            select(articles.c.id)
            .join(story_articles, story_articles.c.article_id == articles.c.id)
            .where(story_articles.c.story_id == int(key))
        )
    else:
        table, column = {
            "topic": (article_topics, article_topics.c.topic),
            "read": (article_topics, article_topics.c.topic),  # a topic the reader reads
            "entity": (article_entities, article_entities.c.entity_id),
            "place": (article_countries, article_countries.c.country),
        }[kind]
        query = (
            select(articles.c.id)
            .join(table, table.c.article_id == articles.c.id)
            .where(column == key)
        )
    query = query.where(articles.c.sort_at >= since, articles.c.duplicate_of.is_(None))
    return [r[0] for r in conn.execute(query.order_by(articles.c.sort_at.desc()).limit(limit))]


def candidates(
    conn: Connection, followed: list[dict[str, Any]], since: datetime, per_follow: int
) -> dict[int, list[tuple[str, str]]]:
    """Recent articles each (unmuted) follow brings in: article id → [(kind, key), …]."""
    found: dict[int, list[tuple[str, str]]] = {}
    for f in followed:
        if f["muted"]:
            continue
        for aid in _article_ids(conn, f["kind"], f["key"], since, per_follow):
            found.setdefault(aid, []).append((f["kind"], f["key"]))
    return found


def facts(conn: Connection, article_ids: list[int]) -> dict[int, dict[str, Any]]:
    """What ranking needs of each article: when, which outlet, which story, its topics."""
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(article_ids), 500):
        chunk = article_ids[i : i + 500]
        rows = conn.execute(
            select(
                articles.c.id, articles.c.sort_at, articles.c.source_id, story_articles.c.story_id
            )
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .where(articles.c.id.in_(chunk))
        )
        for aid, sort_at, source_id, story_id in rows:
            out[aid] = {"at": sort_at, "source": source_id, "story": story_id, "topics": set()}
        for aid, topic in conn.execute(
            select(article_topics.c.article_id, article_topics.c.topic).where(
                article_topics.c.article_id.in_(chunk)
            )
        ):
            if aid in out:
                out[aid]["topics"].add(topic)
    return out


def read_topics(conn: Connection, user_id: int, last: int, at_least: int) -> list[str]:
    """Topics of the reader's ``last`` opened articles that came up ``at_least`` times,
    most frequent first."""
    recent = (
        select(read_articles.c.article_id)
        .where(read_articles.c.user_id == user_id)
        .order_by(read_articles.c.read_at.desc())
        .limit(last)
        .subquery()
    )
    counts: Counter[str] = Counter(
        r[0]
        for r in conn.execute(
            select(article_topics.c.topic).join(
                recent, recent.c.article_id == article_topics.c.article_id
            )
        )
    )
    return [t for t, n in counts.most_common() if n >= at_least]
