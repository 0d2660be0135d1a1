"""Queries about sources: the feeds and sitemaps Broadsheet polls, and their health."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, or_, select, update

from broadsheet.models import Source
from broadsheet.store.articles import add_to_count
from broadsheet.store.schema import articles, entry_failures, source_icons, sources


def _row_to_source(row: Any) -> Source:
    m = row._mapping
    return Source(
        id=m["id"],
        url=m["url"],
        name=m["name"],
        kind=m["kind"],
        site_url=m["site_url"],
        country=m["country"],
        language=m["language"],
        enabled=m["enabled"],
        etag=m["etag"],
        last_modified=m["last_modified"],
        last_polled_at=m["last_polled_at"],
        last_success_at=m["last_success_at"],
        next_poll_at=m["next_poll_at"],
        poll_interval=m["poll_interval"],
        error_count=m["error_count"],
        last_error=m["last_error"],
        disabled_reason=m["disabled_reason"],
        has_icon=bool(m.get("has_icon", False)),
        icon_checked_at=m["icon_checked_at"],
        article_count=int(m.get("article_count", 0) or 0),
        failing_entries=int(m.get("failing_entries", 0) or 0),
    )


def _select(counts: bool = True) -> Any:
    """Sources with whether they have an icon and, with ``counts``, how many articles and
    failing entries each has (left 0 without)."""
    icon = select(source_icons.c.source_id).where(source_icons.c.source_id == sources.c.id)
    if not counts:
        return select(sources, icon.exists().label("has_icon"))
    count = select(func.count()).where(articles.c.source_id == sources.c.id).scalar_subquery()
    failing = (
        select(func.count()).where(entry_failures.c.source_id == sources.c.id).scalar_subquery()
    )
    return select(
        sources,
        count.label("article_count"),
        icon.exists().label("has_icon"),
        failing.label("failing_entries"),
    )


def add(
    conn: Connection, url: str, name: str, now: datetime, poll_interval: int, **extra: Any
) -> int:
    values = {
        "url": url,
        "name": name,
        "kind": extra.pop("kind", "feed"),
        "enabled": True,
        "created_at": now,
        "next_poll_at": now,
        "poll_interval": poll_interval,
        "error_count": 0,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return int(conn.execute(insert(sources).values(**values)).inserted_primary_key[0])


def get(conn: Connection, source_id: int) -> Source | None:
    row = conn.execute(_select().where(sources.c.id == source_id)).first()
    return _row_to_source(row) if row else None


def get_by_url(conn: Connection, url: str) -> Source | None:
    row = conn.execute(_select().where(sources.c.url == url)).first()
    return _row_to_source(row) if row else None


def list_all(conn: Connection, counts: bool = True) -> list[Source]:
    """Every source, by name. ``counts`` counts every article of the store (4-7 s at 1M
    articles on PostgreSQL, through each outlet's index entries): the pages and sync APIs
    that list outlets for readers leave it off (article_count and failing_entries 0)."""
    query = _select(counts).order_by(sources.c.name)
    return [_row_to_source(r) for r in conn.execute(query)]


def due(conn: Connection, now: datetime, limit: int | None = None) -> list[Source]:
    query = (
        _select()
        .where(sources.c.enabled.is_(True))
        .where(or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now))
        .where(or_(sources.c.lease_until.is_(None), sources.c.lease_until < now))  # polled
        .order_by(sources.c.next_poll_at)
    )
    if limit:
        query = query.limit(limit)
    return [_row_to_source(r) for r in conn.execute(query)]


def remove(conn: Connection, source_id: int) -> bool:
    """Delete a source; its articles go with it (the foreign keys cascade, each through an
    index) and leave the articles counter."""
    taken = conn.execute(
        select(func.count()).select_from(articles).where(articles.c.source_id == source_id)
    ).scalar()
    removed = conn.execute(delete(sources).where(sources.c.id == source_id)).rowcount > 0
    if removed and taken:
        add_to_count(conn, -int(taken))
    return removed


def name_of(conn: Connection, source_id: int) -> str | None:
    return conn.execute(select(sources.c.name).where(sources.c.id == source_id)).scalar()


_COUNTRY_OF = select(sources.c.country).where(sources.c.id == bindparam("id"))  # built once


def country_of(conn: Connection, source_id: int) -> str | None:
    """Read on every article view: the statement is built once."""
    return conn.execute(_COUNTRY_OF, {"id": source_id}).scalar()


def outlet_of(conn: Connection, source_id: int) -> tuple[str | None, str | None, str | None]:
    """(site URL, country, language) of a source, without counting its articles."""
    row = conn.execute(
        select(sources.c.site_url, sources.c.country, sources.c.language).where(
            sources.c.id == source_id
        )
    ).first()
    return (row.site_url, row.country, row.language) if row else (None, None, None)


def enabled_outlets(conn: Connection, ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(id, name) of every enabled source (or of those of ``ids``), without counting their
    articles."""
    query = select(sources.c.id, sources.c.name).where(sources.c.enabled.is_(True))
    if ids is not None:
        query = query.where(sources.c.id.in_(ids))
    return [(r.id, r.name) for r in conn.execute(query).all()]


def update_fields(conn: Connection, source_id: int, **values: Any) -> None:
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))


def set_icon(
    conn: Connection, source_id: int, body: bytes, content_type: str, now: datetime
) -> None:
    conn.execute(delete(source_icons).where(source_icons.c.source_id == source_id))
    conn.execute(
        insert(source_icons).values(
            source_id=source_id, body=body, content_type=content_type, fetched_at=now
        )
    )


def get_icon(conn: Connection, source_id: int) -> tuple[bytes, str] | None:
    row = conn.execute(
        select(source_icons.c.body, source_icons.c.content_type).where(
            source_icons.c.source_id == source_id
        )
    ).first()
    return (bytes(row[0]), row[1]) if row else None


def dated_since(conn: Connection, since: datetime) -> dict[int, int]:
    """Articles of each source dated since ``since`` (their sort time), read through the
    articles' time index: a day's articles, not the whole table."""
    rows = conn.execute(
        select(articles.c.source_id, func.count())
        .where(articles.c.sort_at >= since)
        .group_by(articles.c.source_id)
    )
    return {int(source_id): int(n) for source_id, n in rows}
