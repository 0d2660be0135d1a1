"""Queries of the Daily 8: the stories first reported in a day, their lead articles'
topics, and each day's chosen edition (kept, so a past day's eight never change)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from broadsheet.models import Story
from broadsheet.store import upsert
from broadsheet.store.schema import (
    article_countries,
    article_topics,
    daily_editions,
    stories,
    story_articles,
)
from broadsheet.store.stories import _story, _story_select, members

CANDIDATES = 300  # stories of a day considered at most (the most widely covered)


def stories_of_day(conn: Connection, start: datetime, end: datetime) -> list[Story]:
    """Stories first reported in [start, end), widest coverage first, with members."""
    rows = conn.execute(
        _story_select()
        .where(stories.c.first_at >= start, stories.c.first_at < end)
        .where(stories.c.merged_into.is_(None))
        .order_by(stories.c.source_count.desc(), stories.c.id)
        .limit(CANDIDATES)
    ).all()
    found = [_story(r) for r in rows]
    by_story: dict[int, Story] = {s.id: s for s in found}
    for m in members(conn, list(by_story)):
        by_story[m.story_id].members.append(m)
    return found


def main_topics(conn: Connection, article_ids: list[int]) -> dict[int, str]:
    """Each article's strongest topic, where it has one."""
    out: dict[int, tuple[float, str]] = {}
    for i in range(0, len(article_ids), 500):
        chunk = article_ids[i : i + 500]
        rows = conn.execute(
            select(
                article_topics.c.article_id, article_topics.c.topic, article_topics.c.score
            ).where(article_topics.c.article_id.in_(chunk))
        )
        for article_id, topic, score in rows:
            if article_id not in out or score > out[article_id][0]:
                out[article_id] = (score, topic)
    return {a: t for a, (_s, t) in out.items()}


def stories_naming(conn: Connection, country: str, story_ids: list[int]) -> set[int]:
    """The stories among ``story_ids`` one of whose reports names ``country`` (a place the
    understanding found in its text): one statement per 500 stories, each report looked up
    by its key in ``article_countries``."""
    out: set[int] = set()
    for i in range(0, len(story_ids), 500):
        chunk = story_ids[i : i + 500]
        rows = conn.execute(
            select(story_articles.c.story_id)
            .distinct()
            .join(article_countries, article_countries.c.article_id == story_articles.c.article_id)
            .where(article_countries.c.country == country, story_articles.c.story_id.in_(chunk))
        )
        out.update(r[0] for r in rows)
    return out


def get_edition(conn: Connection, day: str, edition: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(daily_editions).where(
            daily_editions.c.day == day, daily_editions.c.edition == edition
        )
    ).first()
    if row is None:
        return None
    m = row._mapping
    return {
        "day": m["day"],
        "edition": m["edition"],
        "items": json.loads(m["items"]),
        "final": bool(m["final"]),
        "computed_at": m["computed_at"],
    }


def save_edition(
    conn: Connection,
    day: str,
    edition: str,
    items: list[dict[str, Any]],
    final: bool,
    now: datetime,
) -> None:
    row = dict(items=json.dumps(items), final=final, computed_at=now)
    conn.execute(
        upsert.insert(conn, daily_editions)
        .values(day=day, edition=edition, **row)
        .on_conflict_do_update(
            index_elements=[daily_editions.c.day, daily_editions.c.edition], set_=row
        )
    )


def recent_editions(conn: Connection, edition: str, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(daily_editions.c.day)
        .where(daily_editions.c.edition == edition)
        .order_by(daily_editions.c.day.desc())
        .limit(limit)
    ).all()
    found = [get_edition(conn, r[0], edition) for r in rows]
    return [e for e in found if e is not None]
