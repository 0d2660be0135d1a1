"""Reads for the story pages: stories and a story's articles a page at a time (keyset),
stories by id in one query, and the story page's stored digest (``story_digest.py``
computes it; this module keeps it).

The rows are shaped by the helpers of ``store/stories.py``; nothing here writes a story.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from broadsheet.models import Cursor, Page, Story, StoryMember
from broadsheet.store import keyset, upsert
from broadsheet.store.schema import stories, story_articles, story_digests
from broadsheet.store.stories import _member, _member_select, _story, _story_select


def latest_page(
    conn: Connection, limit: int, before: Cursor | None = None, after: Cursor | None = None
) -> Page[Story]:
    """Live stories, latest report first, through ix_stories_merged_last."""
    query = _story_select().where(stories.c.merged_into.is_(None), stories.c.article_count > 0)
    return keyset.page(conn, query, stories.c.last_at, stories.c.id, _story, limit, before, after)


# Built once (the article page's related stories read it on every view).
_BY_IDS = _story_select().where(
    stories.c.id.in_(bindparam("ids", expanding=True)),
    stories.c.merged_into.is_(None),
    stories.c.article_count > 0,
)


def by_ids(conn: Connection, story_ids: list[int]) -> list[Story]:
    """These stories (without members), in the order asked, in one query; merged or
    emptied stories are left out."""
    if not story_ids:
        return []
    rows = conn.execute(_BY_IDS, {"ids": story_ids})
    found = {s.id: s for s in map(_story, rows)}
    return [found[i] for i in story_ids if i in found]


@functools.cache  # built once: read on every article and story page
def _members() -> keyset.Keyed:
    query = _member_select().where(story_articles.c.story_id == bindparam("sid"))
    return keyset.Keyed(query, story_articles.c.sort_at, story_articles.c.article_id)


def member_page(
    conn: Connection,
    story_id: int,
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Page[StoryMember]:
    """A story's articles, newest first, a page at a time: read in the order of
    ``ix_story_articles_story_sort`` (the article's sort_at copied onto its membership), so
    a page of a story of thousands of articles reads a page of rows, not all of them."""
    return _members().page(conn, _member, limit, before, after, {"sid": story_id})


# --- the story page's digest (what it shows about the whole story, computed once) ----------
def digest(conn: Connection, story_id: int) -> tuple[str, datetime, str, datetime] | None:
    """(version, the story's updated_at it was computed for, JSON value, when it was
    computed), if stored."""
    row = conn.execute(_DIGEST, {"sid": story_id}).first()
    return (row[0], row[1], row[2], row[3]) if row else None


def digest_stamp(conn: Connection, story_id: int) -> tuple[str, datetime, datetime] | None:
    """(version, the story's updated_at it was computed for, when it was computed), if
    stored: which digest is stored, without reading (or parsing) its value."""
    row = conn.execute(_STAMP, {"sid": story_id}).first()
    return (row[0], row[1], row[2]) if row else None


_STAMP_COLUMNS = (story_digests.c.version, story_digests.c.story_updated_at)
_WHERE = story_digests.c.story_id == bindparam("sid")
_DIGEST = select(*_STAMP_COLUMNS, story_digests.c.value, story_digests.c.computed_at).where(_WHERE)
_STAMP = select(*_STAMP_COLUMNS, story_digests.c.computed_at).where(_WHERE)


def save_digests(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Replace the digests of these stories (rows: story_id, version, story_updated_at,
    article_count, value, computed_at); a story deleted meanwhile is skipped."""
    if not rows:
        return
    ids = [r["story_id"] for r in rows]
    live = set(conn.execute(select(stories.c.id).where(stories.c.id.in_(ids))).scalars())
    kept = [r for r in rows if r["story_id"] in live]
    if kept:  # an upsert: another process may write the same digest meanwhile
        new = upsert.insert(conn, story_digests)
        columns = [c for c in kept[0] if c != "story_id"]
        conn.execute(
            new.on_conflict_do_update(
                index_elements=[story_digests.c.story_id],
                set_={c: new.excluded[c] for c in columns},
            ),
            kept,
        )


def updated_since(
    conn: Connection, since: datetime, min_articles: int, limit: int, version: str
) -> list[int]:
    """Live stories changed since ``since`` with at least ``min_articles`` articles whose
    digest is missing, older than the change, or of another ``version``."""
    query = (
        select(stories.c.id)
        .outerjoin(story_digests, story_digests.c.story_id == stories.c.id)
        .where(stories.c.updated_at >= since, stories.c.merged_into.is_(None))
        .where(stories.c.article_count >= min_articles)
        .where(
            (story_digests.c.story_id.is_(None))
            | (story_digests.c.story_updated_at != stories.c.updated_at)
            | (story_digests.c.version != version)
        )
        .order_by(stories.c.updated_at.desc())
        .limit(limit)
    )
    return list(conn.execute(query).scalars())
