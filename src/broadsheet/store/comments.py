"""Queries of comments: one level of replies, keyset paging by id, reports, the
moderation queue and its log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from broadsheet.models import Comment
from broadsheet.store.schema import (
    articles,
    comment_counts,
    comment_reports,
    comments,
    moderation_log,
    users,
)


def _select() -> Any:
    title = func.coalesce(articles.c.title, literal("a story")).label("article_title")
    return (
        select(comments, users.c.display_name.label("author"), title)
        .join(users, users.c.id == comments.c.user_id)
        .outerjoin(articles, articles.c.id == comments.c.article_id)
    )


def _on(target: tuple[str, int]) -> Any:
    """The condition "on this article" or "on this story"."""
    kind, target_id = target
    return (comments.c.article_id if kind == "article" else comments.c.story_id) == target_id


def _comment(row: Any) -> Comment:
    m = row._mapping
    return Comment(
        id=m["id"],
        article_id=m["article_id"],
        user_id=m["user_id"],
        author=m["author"],
        parent_id=m["parent_id"],
        body=m["body"],
        status=m["status"],
        created_at=m["created_at"],
        edited_at=m["edited_at"],
        report_count=m["report_count"],
        held_reason=m["held_reason"],
        article_title=m["article_title"],
        story_id=m["story_id"],
    )


def add(
    conn: Connection,
    target: tuple[str, int],
    user_id: int,
    parent_id: int | None,
    body: str,
    status: str,
    held_reason: str | None,
    now: datetime,
) -> int:
    result = conn.execute(
        insert(comments).values(
            article_id=target[1] if target[0] == "article" else None,
            story_id=target[1] if target[0] == "story" else None,
            user_id=user_id,
            parent_id=parent_id,
            body=body,
            status=status,
            held_reason=held_reason,
            report_count=0,
            created_at=now,
        )
    )
    if status == "visible":
        recount(conn, target)
    return int(result.inserted_primary_key[0])


def recount(conn: Connection, target: tuple[str, int]) -> None:
    """Keep the target's number of visible comments (same transaction as the change), so
    teasers read counts, not every comment."""
    kind, target_id = target
    n = count_visible(conn, target)
    where = (comment_counts.c.kind == kind) & (comment_counts.c.target_id == target_id)
    if conn.execute(update(comment_counts).where(where).values(visible=n)).rowcount == 0:
        conn.execute(insert(comment_counts).values(kind=kind, target_id=target_id, visible=n))


def kept_counts(conn: Connection, kind: str, ids: list[int]) -> dict[int, int]:
    """Visible comments of each of ``ids`` (articles or stories) that has any: one query
    per 500 ids, whatever the number of teasers. The ids go as one value (a PostgreSQL
    array, a JSON list on SQLite): an expanding ``IN`` made SQLAlchemy bind and process
    each id at every execution (~1 ms of the web process's CPU for a story page's 50)."""
    out: dict[int, int] = {}
    unique = sorted(set(ids))
    postgres = conn.dialect.name == "postgresql"
    statement = _KEPT_COUNTS_PG if postgres else _KEPT_COUNTS
    for i in range(0, len(unique), 500):
        part = unique[i : i + 500]
        listed: Any = part if postgres else json.dumps([int(n) for n in part])
        rows = conn.execute(statement, {"kind": kind, "ids": listed})
        out.update({int(t): int(n) for t, n in rows})
    return out


# Built once (every story and article page, and every list of teasers, reads it)
_KEPT_COUNTS = text(
    "SELECT target_id, visible FROM comment_counts WHERE kind = :kind"
    " AND target_id IN (SELECT value FROM json_each(:ids)) AND visible > 0"
)
_KEPT_COUNTS_PG = text(
    "SELECT target_id, visible FROM comment_counts WHERE kind = :kind"
    " AND target_id = ANY(CAST(:ids AS bigint[])) AND visible > 0"
)


def get(conn: Connection, comment_id: int) -> Comment | None:
    row = conn.execute(_select().where(comments.c.id == comment_id)).first()
    return None if row is None else _comment(row)


def _shown_to(viewer_id: int | None) -> Any:
    """Visible comments, and the viewer's own comments waiting for review."""
    if viewer_id is None:
        return comments.c.status == "visible"
    return or_(
        comments.c.status == "visible",
        and_(comments.c.status == "held", comments.c.user_id == viewer_id),
    )


def for_target(
    conn: Connection,
    target: tuple[str, int],
    viewer_id: int | None,
    newest_first: bool,
    cursor: int | None,
    limit: int,
) -> tuple[list[Comment], int | None]:
    """A page of top-level comments with their replies (oldest first), and the cursor of
    the next page (None at the end). The cursor is the last id shown: ids grow with time."""
    query = _select().where(
        _on(target),
        comments.c.parent_id.is_(None),
        _shown_to(viewer_id),
    )
    if cursor is not None:
        query = query.where(comments.c.id < cursor if newest_first else comments.c.id > cursor)
    order = comments.c.id.desc() if newest_first else comments.c.id
    rows = conn.execute(query.order_by(order).limit(limit + 1)).all()
    top = [_comment(r) for r in rows[:limit]]
    following = top[-1].id if len(rows) > limit else None
    by_id = {c.id: c for c in top}
    if by_id:
        replies = conn.execute(
            _select()
            .where(comments.c.parent_id.in_(list(by_id)), _shown_to(viewer_id))
            .order_by(comments.c.id)
        )
        for r in replies:
            reply = _comment(r)
            by_id[reply.parent_id or 0].replies.append(reply)
    return top, following


def count_visible(conn: Connection, target: tuple[str, int]) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(comments)
            .where(_on(target), comments.c.status == "visible")
        ).scalar_one()
    )


def has_visible(conn: Connection, user_id: int) -> bool:
    """Whether the reader has a comment that was published (then later ones are not held)."""
    row = conn.execute(
        select(comments.c.id)
        .where(comments.c.user_id == user_id, comments.c.status == "visible")
        .limit(1)
    ).first()
    return row is not None


def set_body(conn: Connection, comment_id: int, body: str, now: datetime) -> None:
    conn.execute(
        update(comments).where(comments.c.id == comment_id).values(body=body, edited_at=now)
    )


def set_status(conn: Connection, comment_id: int, status: str, clear_body: bool = False) -> None:
    values: dict[str, Any] = {"status": status}
    if status == "visible":
        values.update(held_reason=None, report_count=0)
    if clear_body:
        values["body"] = ""
    conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))
    row = conn.execute(
        select(comments.c.article_id, comments.c.story_id).where(comments.c.id == comment_id)
    ).first()
    if row is not None:
        recount(conn, ("article", row[0]) if row[0] is not None else ("story", row[1]))
    if status == "visible":  # restored: earlier reports are dealt with
        conn.execute(comment_reports.delete().where(comment_reports.c.comment_id == comment_id))


def report(conn: Connection, comment_id: int, user_id: int, now: datetime) -> bool:
    """Record one reader's report (once per reader); False if they had reported it."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(comment_reports).values(
                    comment_id=comment_id, user_id=user_id, created_at=now
                )
            )
    except IntegrityError:
        return False
    conn.execute(
        update(comments)
        .where(comments.c.id == comment_id)
        .values(report_count=comments.c.report_count + 1)
    )
    return True


def queue(conn: Connection, limit: int) -> list[Comment]:
    """Held comments and reported visible ones, most reported first, then oldest first."""
    rows = conn.execute(
        _select()
        .where(
            or_(
                comments.c.status == "held",
                and_(comments.c.status == "visible", comments.c.report_count > 0),
            )
        )
        .order_by(comments.c.report_count.desc(), comments.c.id)
        .limit(limit)
    )
    return [_comment(r) for r in rows]


def log(
    conn: Connection,
    moderator_id: int | None,
    action: str,
    now: datetime,
    comment_id: int | None = None,
    target_user_id: int | None = None,
    note: str | None = None,
) -> None:
    conn.execute(
        insert(moderation_log).values(
            at=now,
            moderator_id=moderator_id,
            action=action,
            comment_id=comment_id,
            target_user_id=target_user_id,
            note=(note or "")[:300] or None,
        )
    )


def recent_log(conn: Connection, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(moderation_log, users.c.display_name.label("moderator"))
        .outerjoin(users, users.c.id == moderation_log.c.moderator_id)
        .order_by(moderation_log.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]
