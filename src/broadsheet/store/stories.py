"""Queries about stories: membership, moves and merges (logged), stats, main terms.

Story ids for new stories are allocated here, in the same transaction that stores the
assignment; the clustering stage hands over provisional (negative) ids and learns the
permanent ones from :func:`apply`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    union_all,
    update,
)

from broadsheet.models import Story, StoryMember
from broadsheet.models import StoryChange as Change
from broadsheet.store.schema import (
    UTCDateTime,
    article_entities,
    articles,
    source_icons,
    sources,
    stories,
    story_articles,
    story_events,
    story_terms,
)

MAX_TERMS = 12
RELATED_POSTINGS = 200  # newest stories read per shared term when finding related ones


def apply(conn: Connection, changes: list[Change], now: datetime) -> dict[int, int]:
    """Store ``changes`` (in the order decided) in one transaction; the permanent id of
    every provisional story they named.

    Batched: the new memberships go in with one statement, and each touched story is
    recounted and its main terms written once per batch, not once per article. Every move
    and merge of a batch concerns articles placed before it, so applying them after the
    new memberships gives the same result as applying the changes one by one."""
    ids = _allocate(conn, changes, now)

    def real(story: int) -> int:
        return story if story >= 0 else ids[story]

    if not changes:
        return ids
    placed = [c.article_id for c in changes]
    # the articles' sort_at goes on their rows: a story's pages read its latest in index order
    sort_at = {
        row[0]: row[1]
        for row in conn.execute(
            select(articles.c.id, articles.c.sort_at).where(articles.c.id.in_(placed))
        )
    }
    conn.execute(delete(story_articles).where(story_articles.c.article_id.in_(placed)))
    conn.execute(
        insert(story_articles),
        [
            dict(
                article_id=c.article_id,
                story_id=real(c.story),
                similarity=round(c.similarity, 4),
                agency=c.agency,
                assigned_at=now,
                sort_at=sort_at.get(c.article_id),
            )
            for c in changes
        ],
    )
    touched = {real(c.story) for c in changes}
    copies = [(c.article_id, c.duplicate_of) for c in changes if c.duplicate_of is not None]
    for article_id, original in copies:
        conn.execute(
            update(articles)
            .where(articles.c.id == article_id, articles.c.duplicate_of.is_(None))
            .values(duplicate_of=original)
        )
    events: list[dict[str, Any]] = []
    terms: dict[int, dict[str, float]] = {}
    for change in changes:
        touched |= _regroup(conn, change, real, now, events)
        terms.update({real(story): t for story, t in change.terms.items()})
    if events:
        conn.execute(insert(story_events), events)
    set_terms(conn, terms)
    refresh(conn, touched, now)
    return ids


def _allocate(conn: Connection, changes: list[Change], now: datetime) -> dict[int, int]:
    """A permanent id for every provisional (negative) story the changes name, in one
    statement, in the order they are first named."""
    named: dict[int, None] = {}
    for c in changes:
        named.update(dict.fromkeys([c.story, *(x for m in c.merges for x in m)]))
        named.update(dict.fromkeys(x for _a, old, new in c.moves for x in (old, new)))
        named.update(dict.fromkeys(c.terms))
    provisional = [s for s in named if s < 0]
    if not provisional:
        return {}
    rows = [dict(created_at=now, updated_at=now, article_count=0, source_count=0)]
    made = conn.execute(
        insert(stories).returning(stories.c.id, sort_by_parameter_order=True),
        rows * len(provisional),
    ).scalars()
    return dict(zip(provisional, map(int, made), strict=True))


def _regroup(
    conn: Connection,
    change: Change,
    real: Callable[[int], int],
    now: datetime,
    events: list[dict[str, Any]],
) -> set[int]:
    """One change's merges and moves; the stories they touched. Events are collected."""
    touched: set[int] = set()
    for story, into in change.merges:
        src, dst = real(story), real(into)
        conn.execute(
            update(story_articles).where(story_articles.c.story_id == src).values(story_id=dst)
        )
        conn.execute(update(stories).where(stories.c.id == src).values(merged_into=dst))
        events.append(
            dict(
                at=now,
                kind="merge",
                article_id=change.article_id,
                from_story=src,
                to_story=dst,
                reason=f"article {change.article_id} joined both",
            )
        )
        touched.update((src, dst))
    moved = {a for a, _old, _new in change.moves}
    if moved:  # an article deleted since (its source removed) has nothing left to move
        moved = set(conn.execute(select(articles.c.id).where(articles.c.id.in_(moved))).scalars())
    for article_id, old, new in change.moves:
        if article_id not in moved:
            continue
        src, dst = real(old), real(new)
        conn.execute(
            update(story_articles)
            .where(story_articles.c.article_id == article_id)
            .values(story_id=dst, assigned_at=now)
        )
        events.append(
            dict(
                at=now,
                kind="move",
                article_id=article_id,
                from_story=src,
                to_story=dst,
                reason=f"re-clustered when article {change.article_id} arrived",
            )
        )
        touched.update((src, dst))
    return touched


def set_terms(conn: Connection, terms: dict[int, dict[str, float]]) -> None:
    """Replace the main terms of these stories (story id -> term -> weight)."""
    if not terms:
        return
    conn.execute(delete(story_terms).where(story_terms.c.story_id.in_(list(terms))))
    rows = [
        {"story_id": story_id, "term": t[:100], "weight": float(w)}
        for story_id, weights in terms.items()
        for t, w in sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_TERMS]
    ]
    if rows:
        conn.execute(insert(story_terms), rows)


_REFRESH = text(
    """
    UPDATE stories SET
      article_count = (SELECT count(*) FROM story_articles m WHERE m.story_id = stories.id),
      source_count = (
        SELECT count(DISTINCT a.source_id) FROM story_articles m
        JOIN articles a ON a.id = m.article_id WHERE m.story_id = stories.id),
      first_at = (
        SELECT min(a.sort_at) FROM story_articles m
        JOIN articles a ON a.id = m.article_id WHERE m.story_id = stories.id),
      last_at = (
        SELECT max(a.sort_at) FROM story_articles m
        JOIN articles a ON a.id = m.article_id WHERE m.story_id = stories.id),
      lead_article_id = (
        SELECT a.id FROM story_articles m JOIN articles a ON a.id = m.article_id
        WHERE m.story_id = stories.id
        ORDER BY a.duplicate_of IS NOT NULL, a.sort_at, a.id LIMIT 1),
      updated_at = :now
    WHERE id IN :ids
    """
).bindparams(bindparam("now", type_=UTCDateTime), bindparam("ids", expanding=True))


def refresh(conn: Connection, story_ids: Iterable[int], now: datetime) -> None:
    """Recount stories' articles and outlets, first and last report, lead article (the
    first original report, not a copy). One statement for them all, portable SQL."""
    wanted = sorted(set(story_ids))
    if wanted:
        conn.execute(_REFRESH, {"ids": wanted, "now": now})


# --- reading --------------------------------------------------------------------------------
@functools.cache  # built once: statements are immutable, each use adds its own conditions
def _member_select() -> Any:
    icon = select(source_icons.c.source_id).where(source_icons.c.source_id == articles.c.source_id)
    return (
        select(
            story_articles.c.article_id,
            story_articles.c.story_id,
            story_articles.c.similarity,
            story_articles.c.agency,
            articles.c.title,
            articles.c.url,
            articles.c.source_id,
            articles.c.sort_at,
            articles.c.published_at,
            articles.c.language,
            articles.c.duplicate_of,
            sources.c.name.label("source_name"),
            sources.c.country,
            sources.c.language.label("source_language"),
            icon.exists().label("has_icon"),
        )
        .select_from(
            story_articles.join(articles, articles.c.id == story_articles.c.article_id).join(
                sources, sources.c.id == articles.c.source_id
            )
        )
        .order_by(articles.c.sort_at, articles.c.id)
    )


def _member(row: Any) -> StoryMember:
    # attribute access, not row._mapping: the ranking reads thousands of members
    return StoryMember(
        article_id=row.article_id,
        story_id=row.story_id,
        title=row.title,
        url=row.url,
        source_id=row.source_id,
        source_name=row.source_name,
        source_has_icon=bool(row.has_icon),
        shown_at=row.sort_at,
        published=row.published_at,
        country=row.country,
        language=row.language or row.source_language,
        duplicate_of=row.duplicate_of,
        agency=row.agency,
        similarity=float(row.similarity or 0.0),
    )


def _story(row: Any) -> Story:
    m = row._mapping
    return Story(
        id=m["id"],
        first_at=m["first_at"],
        last_at=m["last_at"],
        article_count=m["article_count"],
        source_count=m["source_count"],
        lead_article_id=m["lead_article_id"],
        title=m.get("title") or "",
        updated_at=m["updated_at"],
        created_at=m.get("created_at"),
    )


@functools.cache  # built once (as _member_select)
def _story_select() -> Any:
    return select(stories, articles.c.title.label("title")).select_from(
        stories.outerjoin(articles, articles.c.id == stories.c.lead_article_id)
    )


_STORY_BY_ID = _story_select().where(stories.c.id == bindparam("sid"))  # built once


def get(conn: Connection, story_id: int, with_members: bool = True) -> Story | None:
    seen: set[int] = set()
    while story_id not in seen:  # a merged story answers for the one it went into
        seen.add(story_id)
        row = conn.execute(_STORY_BY_ID, {"sid": story_id}).first()
        if row is None:
            return None
        if row._mapping["merged_into"] is None:
            break
        story_id = row._mapping["merged_into"]
    story = _story(row)
    if with_members:
        story.members = members(conn, [story.id])
    return story


def members(conn: Connection, story_ids: list[int]) -> list[StoryMember]:
    """Every member of these stories, oldest report first. Sorted here, not in SQL: an
    ORDER BY on the articles' sort_at makes SQLite walk that index over every article."""
    out: list[StoryMember] = []
    for i in range(0, len(story_ids), 500):
        chunk = story_ids[i : i + 500]
        query = _member_select().order_by(None).where(story_articles.c.story_id.in_(chunk))
        out.extend(_member(r) for r in conn.execute(query))
    out.sort(key=lambda m: (m.shown_at, m.article_id))
    return out


_STORY_OF = select(story_articles.c.story_id).where(  # built once: every article view
    story_articles.c.article_id == bindparam("id")
)


def story_of(conn: Connection, article_id: int) -> int | None:
    return conn.execute(_STORY_OF, {"id": article_id}).scalar()


def export(conn: Connection, article_id: int) -> tuple[int | None, int | None]:
    """(story, duplicate_of) of an article; the story followed through merges."""
    row = conn.execute(
        select(story_articles.c.story_id, articles.c.duplicate_of)
        .select_from(
            articles.outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
        )
        .where(articles.c.id == article_id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def recent(conn: Connection, since: datetime, limit: int) -> list[Story]:
    """Stories with a report since ``since``, newest first (trending ranks them)."""
    query = (
        _story_select()
        .where(stories.c.last_at >= since, stories.c.merged_into.is_(None))
        .where(stories.c.article_count > 0)
        .order_by(stories.c.last_at.desc())
        .limit(limit)
    )
    return [_story(r) for r in conn.execute(query)]


def latest(conn: Connection, limit: int, offset: int = 0) -> list[Story]:
    query = (
        _story_select()
        .where(stories.c.merged_into.is_(None), stories.c.article_count > 0)
        .order_by(stories.c.last_at.desc(), stories.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_story(r) for r in conn.execute(query)]


def count(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(stories).where(stories.c.article_count > 0)
        ).scalar()
        or 0
    )


_RELATED: dict[int, Any] = {}  # number of terms -> the prepared statement


def _related_statement(terms: int) -> Any:
    """The related-stories statement for ``terms`` terms, written once per shape: built
    with SQLAlchemy's constructs it cost more to compile (12 unioned subqueries) than to
    run, so it is plain SQL (portable: SQLite and PostgreSQL)."""
    statement = _RELATED.get(terms)
    if statement is None:
        branches = " UNION ALL ".join(
            f"SELECT * FROM (SELECT story_id, weight * :w{i} AS product FROM story_terms"
            f" WHERE term = :t{i} AND story_id <> :sid ORDER BY story_id DESC LIMIT :n)"
            f" AS p{i}"
            for i in range(terms)
        )
        # grouped before the join: only the stories sharing two terms are looked up, not
        # every posting's (0.45 ms less a read at 1M: 2.2 → 1.7 ms)
        statement = _RELATED[terms] = text(
            "SELECT shared.story_id, shared.score FROM (SELECT story_id,"
            f" SUM(product) AS score FROM ({branches}) AS postings"
            " GROUP BY story_id HAVING COUNT(*) >= 2) AS shared"
            " JOIN stories ON stories.id = shared.story_id"
            " WHERE stories.merged_into IS NULL AND stories.article_count > 0"
            " ORDER BY shared.score DESC, shared.story_id DESC LIMIT :limit"
        )
    return statement


_TERMS = select(story_terms.c.term, story_terms.c.weight).where(  # built once
    story_terms.c.story_id == bindparam("sid")
)


def related(conn: Connection, story_id: int, limit: int) -> list[tuple[int, float]]:
    """Stories sharing at least two main terms with ``story_id``, by summed weight
    products. Each term contributes its ``RELATED_POSTINGS`` newest stories (read in
    order from the (term, story_id) index), so a common word costs a bounded read however
    many stories ever used it: my terms (one query), then one statement."""
    mine = conn.execute(_TERMS, {"sid": story_id}).all()
    if len(mine) < 2:
        return []
    params: dict[str, Any] = {"sid": story_id, "n": RELATED_POSTINGS, "limit": limit}
    for i, (term, weight) in enumerate(mine):
        params[f"t{i}"], params[f"w{i}"] = term, float(weight)
    rows = conn.execute(_related_statement(len(mine)), params)
    return [(int(r[0]), float(r[1])) for r in rows]


def _events_statement() -> Any:
    into = select(story_events).where(story_events.c.to_story == bindparam("sid"))
    out = select(story_events).where(
        story_events.c.from_story == bindparam("sid"), story_events.c.to_story != bindparam("sid")
    )
    both = union_all(into.order_by(None), out).subquery()
    return select(both).order_by(both.c.id.desc()).limit(bindparam("n", type_=Integer))


# Built once: the union's column proxies cost more to build than the two lookups to run
# (some 0.7 ms a story page).
_EVENTS = _events_statement()


def events(conn: Connection, story_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The latest moves and merges into or out of a story: two indexed lookups, not a
    scan for an OR."""
    return [dict(r._mapping) for r in conn.execute(_EVENTS, {"sid": story_id, "n": limit})]


_ENTITIES = select(
    article_entities.c.article_id,
    article_entities.c.entity_id,
    article_entities.c.label,
    article_entities.c.mentions,
).where(article_entities.c.article_id.in_(bindparam("ids", expanding=True)))


def _entities(conn: Connection, ids: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    """The understanding stage's entities of these articles: (entity id, label, mentions)."""
    found: dict[int, list[tuple[str, str, int]]] = {}
    for r in conn.execute(_ENTITIES, {"ids": ids}):
        found.setdefault(r.article_id, []).append((r.entity_id, r.label, r.mentions))
    return found


# Built once: building a statement costs more than running it (measured: 0.7 ms a call
# built each time, 0.09 ms prebuilt), and the stage reads once per article.
_FOR_CLUSTERING = (
    select(
        articles.c.id,
        articles.c.source_id,
        articles.c.title,
        articles.c.text,
        articles.c.author,
        articles.c.sort_at,
        articles.c.duplicate_of,
        story_articles.c.story_id,
    )
    .select_from(articles.outerjoin(story_articles, story_articles.c.article_id == articles.c.id))
    .where(articles.c.id > bindparam("after"))
    .order_by(articles.c.id)
    .limit(bindparam("batch"))
)
_UPTO = articles.c.id <= bindparam("upto")  # no sentinel: PostgreSQL's INTEGER has 32 bits


def for_clustering(
    conn: Connection,
    after_id: int,
    oldest: datetime | None,
    upto: int | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """Articles after ``after_id`` (up to ``upto``, in id order) with their story, if they
    have one yet, and their entities."""
    last = after_id
    params: dict[str, Any] = {"batch": batch}
    query = _FOR_CLUSTERING
    if upto is not None:
        query = query.where(_UPTO)
        params["upto"] = upto
    if oldest is not None:
        query = query.where(articles.c.sort_at >= bindparam("oldest"))
        params["oldest"] = oldest
    while True:
        rows = conn.execute(query, {**params, "after": last}).all()
        if not rows:
            return
        found = _entities(conn, [r[0] for r in rows])
        for r in rows:
            row = dict(r._mapping)
            row["entities"] = found.get(row["id"], [])
            yield row
        if len(rows) < batch:
            return
        last = rows[-1][0]


def last_article_id(conn: Connection) -> int:
    return int(conn.execute(select(func.max(articles.c.id))).scalar() or 0)


def first_unplaced(
    conn: Connection,
    after_id: int = 0,
    since: datetime | None = None,
    seen: int | None = None,
    first: bool = True,
) -> int | None:
    """The first stored article after ``after_id`` that is in no story yet (saved, then
    the process died before the stories stage placed it), or None. With ``since`` and
    ``seen``: only articles dated from ``since`` on, or with an id above ``seen`` (a story
    engine that read its window from ``since`` up to ``seen`` never places the older ones);
    with ``since`` alone: one dated from ``since`` on, any one unless ``first``."""
    placed = select(story_articles.c.article_id).where(story_articles.c.article_id == articles.c.id)
    if since is not None and seen is None and not first:
        # any one of the window's, not the first: in id order the planner would walk the ids
        # from ``after_id`` and filter the dates (the whole store); unordered, it reads the
        # window by the date index and probes the memberships
        return conn.execute(
            select(articles.c.id)
            .where(articles.c.sort_at >= since, articles.c.id > after_id, ~placed.exists())
            .limit(1)
        ).scalar()
    query = select(articles.c.id).where(articles.c.id > after_id, ~placed.exists())
    if since is not None:
        dated = articles.c.sort_at >= since
        query = query.where(dated if seen is None else dated | (articles.c.id > seen))
    return conn.execute(query.order_by(articles.c.id).limit(1)).scalar()
