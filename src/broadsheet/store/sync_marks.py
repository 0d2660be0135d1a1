"""The sync protocols' writes: read and unread, starred and unstarred, for articles and
stories (a story's read mark is its articles'; its star is its lead report's), and
"mark all as read" of a stream. Also ``SyncQueries``, the Store's methods for sync
(reads from ``store/sync.py``, writes from here)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, literal, select
from sqlalchemy.exc import IntegrityError

from broadsheet.store.schema import (
    articles,
    read_articles,
    saved_articles,
    stories,
    story_articles,
)
from broadsheet.store.sync import (
    MIN_STORY_OUTLETS,
    STORY_ITEM,
    Filter,
    Stream,
    article_ids,
    article_refs,
    article_rows,
    count_items,
    is_story,
    muted_outlets,
    read_by,
    refs,
    saved_ids,
    story_marks,
    unread_counts,
)

MEMBERS_MARKED = 1000  # articles of one story marked read at most


def _existing(conn: Connection, items: list[int]) -> tuple[list[int], dict[int, int | None]]:
    """The articles among ``items`` that exist, and the stories' lead articles."""
    aids = [i for i in items if not is_story(i)]
    sids = [i - STORY_ITEM for i in items if is_story(i)]
    found = (
        [r[0] for r in conn.execute(select(articles.c.id).where(articles.c.id.in_(aids)))]
        if aids
        else []
    )
    leads = (
        {
            r[0]: r[1]
            for r in conn.execute(
                select(stories.c.id, stories.c.lead_article_id).where(stories.c.id.in_(sids))
            )
        }
        if sids
        else {}
    )
    return found, leads


def _mark_read(conn: Connection, user_id: int, article_ids: list[int], now: datetime) -> None:
    if not article_ids:
        return
    already = {
        r[0]
        for r in conn.execute(
            select(read_articles.c.article_id).where(
                read_articles.c.user_id == user_id, read_articles.c.article_id.in_(article_ids)
            )
        )
    }
    for aid in dict.fromkeys(article_ids):
        if aid not in already:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(read_articles).values(user_id=user_id, article_id=aid, read_at=now)
                    )
            except IntegrityError:  # marked meanwhile, or the article just went
                pass


def _forget_read(conn: Connection, user_id: int, article_ids: list[int]) -> None:
    if article_ids:
        conn.execute(
            delete(read_articles).where(
                read_articles.c.user_id == user_id, read_articles.c.article_id.in_(article_ids)
            )
        )


def set_read(conn: Connection, user_id: int, items: list[int], read: bool, now: datetime) -> int:
    """Mark items read or unread; returns how many items exist."""
    found, leads = _existing(conn, items)
    if read:
        members = []
        for sid in leads:
            members += [
                r[0]
                for r in conn.execute(
                    select(story_articles.c.article_id)
                    .where(story_articles.c.story_id == sid)
                    .limit(MEMBERS_MARKED)
                )
            ]
        _mark_read(conn, user_id, found + members, now)
    else:
        _forget_read(conn, user_id, found + [a for a in leads.values() if a is not None])
    return len(found) + len(leads)


def set_starred(
    conn: Connection, user_id: int, items: list[int], starred: bool, now: datetime
) -> int:
    found, leads = _existing(conn, items)
    targets = list(dict.fromkeys(found + [a for a in leads.values() if a is not None]))
    if starred:
        have = (
            set(
                conn.execute(
                    select(saved_articles.c.article_id).where(
                        saved_articles.c.user_id == user_id,
                        saved_articles.c.article_id.in_(targets),
                    )
                ).scalars()
            )
            if targets
            else set()
        )
        for aid in targets:
            if aid not in have:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(saved_articles).values(
                                user_id=user_id, article_id=aid, saved_at=now
                            )
                        )
                except IntegrityError:
                    pass
    elif targets:
        conn.execute(
            delete(saved_articles).where(
                saved_articles.c.user_id == user_id, saved_articles.c.article_id.in_(targets)
            )
        )
    return len(found) + len(leads)


def mark_all_read(
    conn: Connection, user_id: int, stream: Stream, since: datetime, until: datetime, now: datetime
) -> int:
    """Mark every unread item of the stream up to ``until`` read (one INSERT … SELECT for
    the articles, one for the stories' articles)."""
    f = Filter(since=since, exclude_read=True, older_than=None, limit=10**9)
    done = 0
    if stream.has_articles:
        ids = (
            article_refs(user_id, stream, f, muted_outlets(conn, user_id))
            .where(articles.c.sort_at <= until)
            .with_only_columns(
                literal(user_id), articles.c.id, literal(now, type_=read_articles.c.read_at.type)
            )
            .order_by(None)
            .limit(None)
        )
        done += (
            conn.execute(
                insert(read_articles).from_select(["user_id", "article_id", "read_at"], ids)
            ).rowcount
            or 0
        )
    if stream.has_stories:
        members = (
            select(
                literal(user_id),
                story_articles.c.article_id,
                literal(now, type_=read_articles.c.read_at.type),
            )
            .join(stories, stories.c.id == story_articles.c.story_id)
            .where(
                stories.c.merged_into.is_(None),
                stories.c.source_count >= MIN_STORY_OUTLETS,
                stories.c.last_at >= since,
                stories.c.last_at <= until,
            )
            .where(~read_by(user_id, story_articles.c.article_id))
        )
        done += (
            conn.execute(
                insert(read_articles).from_select(["user_id", "article_id", "read_at"], members)
            ).rowcount
            or 0
        )
    return int(done)


class SyncQueries:
    """The Store's methods for the sync protocols (``Store`` inherits them)."""

    def reader(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def writer(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def sync_refs(self, user_id: int, stream: Stream, f: Filter) -> list[tuple[int, datetime]]:
        with self.reader() as conn:
            return refs(conn, user_id, stream, f)

    def sync_article_ids(
        self,
        user_id: int,
        since: datetime,
        limit: int,
        above: int | None = None,
        below: int | None = None,
    ) -> list[int]:
        with self.reader() as conn:
            return article_ids(conn, user_id, since, limit, above, below)

    def sync_count(self, user_id: int, since: datetime) -> int:
        with self.reader() as conn:
            return count_items(conn, user_id, since)

    def sync_unread_counts(self, user_id: int, since: datetime) -> dict[str, Any]:
        with self.reader() as conn:
            return unread_counts(conn, user_id, since)

    def sync_articles(self, user_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
        with self.reader() as conn:
            return article_rows(conn, user_id, ids)

    def sync_story_marks(self, user_id: int, ids: list[int]) -> dict[int, tuple[bool, bool]]:
        with self.reader() as conn:
            return story_marks(conn, user_id, ids)

    def sync_saved_ids(self, user_id: int) -> list[int]:
        with self.reader() as conn:
            return saved_ids(conn, user_id)

    def sync_muted(self, user_id: int) -> list[int]:
        with self.reader() as conn:
            return muted_outlets(conn, user_id)

    def sync_set_read(self, user_id: int, items: list[int], read: bool, now: datetime) -> int:
        with self.writer() as conn:
            return set_read(conn, user_id, items, read, now)

    def sync_set_starred(self, user_id: int, items: list[int], starred: bool, now: datetime) -> int:
        with self.writer() as conn:
            return set_starred(conn, user_id, items, starred, now)

    def sync_mark_all_read(
        self, user_id: int, stream: Stream, since: datetime, until: datetime, now: datetime
    ) -> int:
        with self.writer() as conn:
            return mark_all_read(conn, user_id, stream, since, until, now)
