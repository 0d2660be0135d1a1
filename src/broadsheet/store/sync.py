"""Queries behind the sync protocols (Google Reader, Fever): which items a stream holds
for a reader, their read and starred state, unread counts, and marking.

Items are articles and stories in one number space: an article is its id, a story is
``STORY_ITEM + id`` (2**48 up, far above any article id, inside the 63 bits every client
keeps). A reader's view is bounded by a window (``since``: articles and stories older
than it are not offered, except starred ones), enabled outlets, and their muted outlets.

- An article is read when ``read_articles`` has it for the reader; starred when saved.
- A story is read when every one of its articles is read (new coverage makes it unread
  again); marking it read marks its articles read, marking it unread forgets the read mark
  of its lead report. Starring a story saves its lead report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.sql import Select

from broadsheet.store.schema import (
    article_topics,
    articles,
    follows,
    read_articles,
    saved_articles,
    sources,
    stories,
    story_articles,
)

STORY_ITEM = 1 << 48
MIN_STORY_OUTLETS = 2  # a story is an item once two outlets report it


@dataclass(frozen=True)
class Stream:
    """What a stream holds: ``all`` (articles and stories), ``outlets`` (every outlet's
    articles), ``outlet`` (key: source id), ``topic`` (key: topic), ``stories``,
    ``starred``, ``read``."""

    kind: str
    key: Any = None

    @property
    def has_articles(self) -> bool:
        return self.kind != "stories"

    @property
    def has_stories(self) -> bool:
        return self.kind in ("all", "stories")


@dataclass(frozen=True)
class Filter:
    since: datetime  # the window's start
    exclude_read: bool = False
    only_read: bool = False
    only_starred: bool = False
    newer_than: datetime | None = None
    older_than: datetime | None = None
    oldest_first: bool = False
    after: tuple[datetime, int] | None = None  # (time, item) of the last item already sent
    limit: int = 20


def is_story(item: int) -> bool:
    return item >= STORY_ITEM


def muted_outlets(conn: Connection, user_id: int) -> list[int]:
    rows = conn.execute(
        select(follows.c.key).where(
            follows.c.user_id == user_id, follows.c.kind == "outlet", follows.c.muted.is_(True)
        )
    )
    return [int(r[0]) for r in rows if str(r[0]).isdigit()]


def read_by(user_id: int, article_id: Any) -> Any:
    return exists().where(
        read_articles.c.user_id == user_id, read_articles.c.article_id == article_id
    )


def _saved(user_id: int, article_id: Any) -> Any:
    return exists().where(
        saved_articles.c.user_id == user_id, saved_articles.c.article_id == article_id
    )


def _story_unread(user_id: int) -> Any:
    """The story (in the enclosing query) has an article the reader has not read."""
    return (
        exists()
        .where(story_articles.c.story_id == stories.c.id)
        .where(~read_by(user_id, story_articles.c.article_id))
    )


def _window(query: Select[Any], at: Any, num: Any, f: Filter, keep_old: bool) -> Select[Any]:
    if not keep_old:
        query = query.where(at >= f.since)
    if f.newer_than is not None:
        query = query.where(at > f.newer_than)
    if f.older_than is not None:
        query = query.where(at < f.older_than)
    if f.after is not None:
        t, n = f.after
        if f.oldest_first:
            query = query.where(or_(at > t, and_(at == t, num > n)))
        else:
            query = query.where(or_(at < t, and_(at == t, num < n)))
    order = (at.asc(), num.asc()) if f.oldest_first else (at.desc(), num.desc())
    return query.order_by(*order).limit(f.limit)


def article_refs(user_id: int, stream: Stream, f: Filter, muted: list[int]) -> Select[Any]:
    num, at = articles.c.id, articles.c.sort_at
    query = select(num, at).join(sources, sources.c.id == articles.c.source_id)
    query = query.where(sources.c.enabled.is_(True))
    if muted:
        query = query.where(articles.c.source_id.not_in(muted))
    if stream.kind == "outlet":
        query = query.where(articles.c.source_id == int(stream.key))
    elif stream.kind == "topic":
        query = query.where(
            exists().where(
                article_topics.c.article_id == articles.c.id, article_topics.c.topic == stream.key
            )
        )
    if stream.kind == "starred" or f.only_starred:
        query = query.where(_saved(user_id, num))
    if stream.kind == "read" or f.only_read:
        query = query.where(read_by(user_id, num))
    if f.exclude_read:
        query = query.where(~read_by(user_id, num))
    return _window(query, at, num, f, keep_old=stream.kind == "starred")


def _story_refs(user_id: int, f: Filter) -> Select[Any]:
    num, at = (stories.c.id + STORY_ITEM).label("num"), stories.c.last_at
    query = select(num, at).where(
        stories.c.merged_into.is_(None), stories.c.source_count >= MIN_STORY_OUTLETS
    )
    if f.exclude_read:
        query = query.where(_story_unread(user_id))
    if f.only_read:
        query = query.where(~_story_unread(user_id))
    if f.only_starred:
        query = query.where(_saved(user_id, stories.c.lead_article_id))
    return _window(query, at, stories.c.id + STORY_ITEM, f, keep_old=False)


def refs(conn: Connection, user_id: int, stream: Stream, f: Filter) -> list[tuple[int, datetime]]:
    """Up to ``f.limit`` items of the stream, as (item, time), in the asked order."""
    muted = muted_outlets(conn, user_id)
    found: list[tuple[int, datetime]] = []
    if stream.has_articles:
        found += [(r[0], r[1]) for r in conn.execute(article_refs(user_id, stream, f, muted))]
    if stream.has_stories:
        found += [(r[0], r[1]) for r in conn.execute(_story_refs(user_id, f))]
    found.sort(key=lambda r: (r[1], r[0]), reverse=not f.oldest_first)
    return found[: f.limit]


def article_ids(
    conn: Connection,
    user_id: int,
    since: datetime,
    limit: int,
    above: int | None = None,
    below: int | None = None,
) -> list[int]:
    """Visible article ids by id (Fever's since_id ascending, max_id descending)."""
    muted = muted_outlets(conn, user_id)
    query = (
        select(articles.c.id)
        .join(sources, sources.c.id == articles.c.source_id)
        .where(sources.c.enabled.is_(True), articles.c.sort_at >= since)
    )
    if muted:
        query = query.where(articles.c.source_id.not_in(muted))
    if above is not None:
        query = query.where(articles.c.id > above).order_by(articles.c.id.asc())
    else:
        if below is not None:
            query = query.where(articles.c.id < below)
        query = query.order_by(articles.c.id.desc())
    return [r[0] for r in conn.execute(query.limit(limit))]


def count_items(conn: Connection, user_id: int, since: datetime) -> int:
    muted = muted_outlets(conn, user_id)
    query = (
        select(func.count())
        .select_from(articles.join(sources, sources.c.id == articles.c.source_id))
        .where(sources.c.enabled.is_(True), articles.c.sort_at >= since)
    )
    if muted:
        query = query.where(articles.c.source_id.not_in(muted))
    n = int(conn.execute(query).scalar_one())
    return n + int(
        conn.execute(
            select(func.count()).where(
                stories.c.merged_into.is_(None),
                stories.c.source_count >= MIN_STORY_OUTLETS,
                stories.c.last_at >= since,
            )
        ).scalar_one()
    )


def unread_counts(conn: Connection, user_id: int, since: datetime) -> dict[str, Any]:
    """Unread articles per outlet and per topic, unread stories: {"outlets": {id: (n,
    newest)}, "topics": {topic: (n, newest)}, "stories": (n, newest)}."""
    muted = muted_outlets(conn, user_id)
    base = (
        select(func.count(), func.max(articles.c.sort_at))
        .select_from(articles.join(sources, sources.c.id == articles.c.source_id))
        .where(sources.c.enabled.is_(True), articles.c.sort_at >= since)
        .where(~read_by(user_id, articles.c.id))
    )
    if muted:
        base = base.where(articles.c.source_id.not_in(muted))
    outlets = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            base.with_only_columns(
                articles.c.source_id, func.count(), func.max(articles.c.sort_at)
            ).group_by(articles.c.source_id)
        )
    }
    topics = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            base.join(article_topics, article_topics.c.article_id == articles.c.id)
            .with_only_columns(article_topics.c.topic, func.count(), func.max(articles.c.sort_at))
            .group_by(article_topics.c.topic)
        )
    }
    n, newest = conn.execute(
        select(func.count(), func.max(stories.c.last_at)).where(
            stories.c.merged_into.is_(None),
            stories.c.source_count >= MIN_STORY_OUTLETS,
            stories.c.last_at >= since,
            _story_unread(user_id),
        )
    ).one()
    return {"outlets": outlets, "topics": topics, "stories": (int(n), newest)}


def article_rows(conn: Connection, user_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
    """What an item shows of these articles, with the reader's read and starred marks."""
    if not ids:
        return {}
    rows = conn.execute(
        select(
            articles.c.id,
            articles.c.title,
            articles.c.url,
            articles.c.canonical_url,
            articles.c.author,
            articles.c.published_at,
            articles.c.fetched_at,
            articles.c.sort_at,
            articles.c.html,
            articles.c.language,
            articles.c.source_id,
            sources.c.name.label("source_name"),
            sources.c.site_url,
            read_by(user_id, articles.c.id).label("read"),
            _saved(user_id, articles.c.id).label("saved"),
        )
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id.in_(ids))
    )
    out = {r.id: {**r._mapping, "topics": []} for r in rows}
    for aid, topic in conn.execute(
        select(article_topics.c.article_id, article_topics.c.topic).where(
            article_topics.c.article_id.in_(list(out))
        )
    ):
        out[aid]["topics"].append(topic)
    return out


def story_marks(conn: Connection, user_id: int, ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """story id → (read, starred) for the reader."""
    if not ids:
        return {}
    rows = conn.execute(
        select(
            stories.c.id,
            (~_story_unread(user_id)).label("read"),
            _saved(user_id, stories.c.lead_article_id).label("saved"),
        ).where(stories.c.id.in_(ids))
    )
    return {r[0]: (bool(r[1]), bool(r[2])) for r in rows}


def saved_ids(conn: Connection, user_id: int) -> list[int]:
    rows = conn.execute(
        select(saved_articles.c.article_id)
        .where(saved_articles.c.user_id == user_id)
        .order_by(saved_articles.c.saved_at.desc())
    )
    return [r[0] for r in rows]
