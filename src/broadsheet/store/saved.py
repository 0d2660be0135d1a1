"""Queries of a reader's saved articles and reading history (always by the reader's id:
no query here takes another reader's list)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from broadsheet.models import ReaderArticle
from broadsheet.store.schema import articles, read_articles, saved_articles, sources


def save(conn: Connection, user_id: int, article_id: int, now: datetime) -> None:
    try:
        with conn.begin_nested():
            conn.execute(
                insert(saved_articles).values(user_id=user_id, article_id=article_id, saved_at=now)
            )
    except IntegrityError:  # saved already (or no such article: the caller checked)
        pass


def unsave(conn: Connection, user_id: int, article_id: int) -> None:
    conn.execute(
        delete(saved_articles).where(
            saved_articles.c.user_id == user_id, saved_articles.c.article_id == article_id
        )
    )


def is_saved(conn: Connection, user_id: int, article_id: int) -> bool:
    row = conn.execute(
        select(saved_articles.c.article_id).where(
            saved_articles.c.user_id == user_id, saved_articles.c.article_id == article_id
        )
    ).first()
    return row is not None


def mark_read(conn: Connection, user_id: int, article_id: int, now: datetime) -> None:
    done = conn.execute(
        update(read_articles)
        .where(read_articles.c.user_id == user_id, read_articles.c.article_id == article_id)
        .values(read_at=now)
    ).rowcount
    if not done:
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(read_articles).values(
                        user_id=user_id, article_id=article_id, read_at=now
                    )
                )
        except IntegrityError:
            pass


def _listing(conn: Connection, table: Table, at: Any, user_id: int, limit: int) -> list[Any]:
    rows = conn.execute(
        select(articles.c.id, articles.c.title, sources.c.name, at)
        .join(articles, articles.c.id == table.c.article_id)
        .join(sources, sources.c.id == articles.c.source_id)
        .where(table.c.user_id == user_id)
        .order_by(at.desc(), table.c.article_id.desc())  # the same order on every backend
        .limit(limit)
    )
    return [ReaderArticle(r[0], r[1], r[2], r[3]) for r in rows]


def list_saved(conn: Connection, user_id: int, limit: int) -> list[ReaderArticle]:
    return _listing(conn, saved_articles, saved_articles.c.saved_at, user_id, limit)


def history(conn: Connection, user_id: int, limit: int) -> list[ReaderArticle]:
    return _listing(conn, read_articles, read_articles.c.read_at, user_id, limit)


def read_ids(conn: Connection, user_id: int, article_ids: list[int]) -> set[int]:
    if not article_ids:
        return set()
    rows = conn.execute(
        select(read_articles.c.article_id).where(
            read_articles.c.user_id == user_id, read_articles.c.article_id.in_(article_ids)
        )
    )
    return {r[0] for r in rows}


def clear_history(conn: Connection, user_id: int) -> int:
    return int(
        conn.execute(delete(read_articles).where(read_articles.c.user_id == user_id)).rowcount
    )
