"""Keyset pagination: a page of a list sorted newest first, by (time, id), found through an
index from a cursor, never by skipping rows with OFFSET (whose cost grows with the page
number). A page reads one row more than it shows, to know whether an older page exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, or_

from broadsheet.models import Cursor, Page

T = TypeVar("T")


def page(
    conn: Connection,
    query: Any,
    at: Any,
    ident: Any,
    make: Callable[[Any], T],
    limit: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> Page[T]:
    """``query``'s rows newest first by (``at``, ``ident``): the ``limit`` rows older than
    ``before``, else newer than ``after`` (closest first), else the newest."""
    query = query.order_by(None).add_columns(at.label("key_at"), ident.label("key_id"))
    if after is not None:
        rows = conn.execute(
            query.where(at >= after.at, or_(at > after.at, and_(at == after.at, ident > after.id)))
            .order_by(at.asc(), ident.asc())
            .limit(limit + 1)
        ).all()
        more_newer = len(rows) > limit
        rows = rows[:limit][::-1]
        items = [make(r) for r in rows]
        return Page(
            items,
            older=_key(rows[-1]) if rows else None,
            newer=_key(rows[0]) if more_newer else None,
        )
    if before is not None:
        query = query.where(
            at <= before.at, or_(at < before.at, and_(at == before.at, ident < before.id))
        )
    rows = conn.execute(query.order_by(at.desc(), ident.desc()).limit(limit + 1)).all()
    more_older = len(rows) > limit
    rows = rows[:limit]
    return Page(
        [make(r) for r in rows],
        older=_key(rows[-1]) if more_older else None,
        newer=_key(rows[0]) if before is not None and rows else None,
    )


def _key(row: Any) -> Cursor:
    return Cursor(row.key_at, row.key_id)
