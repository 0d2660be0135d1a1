"""The tables, in SQLAlchemy Core. Migrations in migrations/versions build exactly these.

Written for SQLite and PostgreSQL alike: portable types, timestamps stored as UTC, no
SQLite-only columns (the FTS5 index is created by the migration on SQLite only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the backend keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("kind", String(16), nullable=False, default="feed"),
    Column("name", String(300), nullable=False),
    Column("site_url", String(2048)),
    Column("country", String(2)),
    Column("language", String(16)),
    Column("category", String(100)),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("etag", String(1024)),
    Column("last_modified", String(100)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_polled_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("next_poll_at", UTCDateTime, index=True),
    Column("poll_interval", Integer, nullable=False, default=1800),
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("disabled_reason", Text),
    Column("icon_checked_at", UTCDateTime),
)

source_icons = Table(
    "source_icons",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("canonical_url", String(2048), nullable=False, unique=True),
    Column("guid", String(2048)),
    Column("title", Text, nullable=False),
    Column("author", String(300)),
    Column("published_at", UTCDateTime),
    Column("fetched_at", UTCDateTime, nullable=False),
    # what lists sort by: published, but never later than when we fetched it
    Column("sort_at", UTCDateTime, nullable=False),
    Column("language", String(16)),
    Column("site_name", String(300)),
    Column("image_url", String(2048)),
    Column("description", Text),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("extraction", String(16), nullable=False, default="page"),
    Column("word_count", Integer, nullable=False, default=0),
    Column("duplicate_of", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Index("ix_articles_source_id", "source_id"),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_sort_at", "sort_at"),
)

# What a source has already offered: re-polling a feed never refetches or re-adds these.
entries_seen = Table(
    "entries_seen",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("outcome", String(300), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "key", name="uq_entries_seen_source_key"),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
