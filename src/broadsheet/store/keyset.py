"""Keyset pagination: a page of a list sorted newest first, by (time, id), found through an
index from a cursor, never by skipping rows with OFFSET (whose cost grows with the page
number). A page reads one row more than it shows, to know whether an older page exists.

A list read on every view of a page builds its :class:`Keyed` once (statements are
immutable; the cursor, the limit and the list's own key are bound at each read): building
a select and its cache key cost more than SQLite's reading of a page of an index."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Connection, Integer, and_, bindparam, or_

from broadsheet.models import Cursor, Page

T = TypeVar("T")


LIMIT = bindparam("keyset_limit", type_=Integer)  # rows read: a page and one more


def past_cursor(at: Any, ident: Any, mode: str) -> tuple[Any, ...]:
    """The conditions for the rows past the page's cursor by (``at``, ``ident``): those
    ``older`` than it, or ``newer``, or none for the ``newest``; the cursor bound at each
    read (:meth:`Keyed.page`)."""
    if mode == "newest":
        return ()
    c_at = bindparam("keyset_at", type_=at.type)
    c_id = bindparam("keyset_id", type_=ident.type)
    if mode == "older":
        return (at <= c_at, or_(at < c_at, and_(at == c_at, ident < c_id)))
    return (at >= c_at, or_(at > c_at, and_(at == c_at, ident > c_id)))


class Keyed:
    """``query``'s keyset statements by (``at``, ``ident``): its newest rows, the rows older
    than a cursor, the rows newer than one (closest first); each built on first use."""

    def __init__(self, query: Any, at: Any, ident: Any) -> None:
        self.base = query.order_by(None).add_columns(at.label("key_at"), ident.label("key_id"))
        self.at, self.ident = at, ident
        self.limit = LIMIT

    @cached_property
    def newest(self) -> Any:
        return self.base.order_by(self.at.desc(), self.ident.desc()).limit(self.limit)

    @cached_property
    def older(self) -> Any:
        return (
            self.base.where(*past_cursor(self.at, self.ident, "older"))
            .order_by(self.at.desc(), self.ident.desc())
            .limit(self.limit)
        )

    @cached_property
    def newer(self) -> Any:
        return (
            self.base.where(*past_cursor(self.at, self.ident, "newer"))
            .order_by(self.at.asc(), self.ident.asc())
            .limit(self.limit)
        )

    def page(
        self,
        conn: Connection,
        make: Callable[[Any], T],
        limit: int,
        before: Cursor | None = None,
        after: Cursor | None = None,
        params: dict[str, Any] | None = None,
    ) -> Page[T]:
        """The ``limit`` rows older than ``before``, else newer than ``after`` (closest
        first), else the newest; ``params`` are the query's own bound parameters."""
        values = {**(params or {}), "keyset_limit": limit + 1}
        if after is not None:
            values.update(keyset_at=after.at, keyset_id=after.id)
            rows = conn.execute(self.newer, values).all()
            more_newer = len(rows) > limit
            rows = rows[:limit][::-1]
            return Page(
                [make(r) for r in rows],
                older=_key(rows[-1]) if rows else None,
                newer=_key(rows[0]) if more_newer else None,
            )
        if before is not None:
            values.update(keyset_at=before.at, keyset_id=before.id)
        rows = conn.execute(self.older if before is not None else self.newest, values).all()
        more_older = len(rows) > limit
        rows = rows[:limit]
        return Page(
            [make(r) for r in rows],
            older=_key(rows[-1]) if more_older else None,
            newer=_key(rows[0]) if before is not None and rows else None,
        )


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
    return Keyed(query, at, ident).page(conn, make, limit, before, after)


def _key(row: Any) -> Cursor:
    return Cursor(row.key_at, row.key_id)
