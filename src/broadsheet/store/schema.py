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
    Float,
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

# --- understanding (issue 5): one row per (article, feature), and indexes for pages -------
article_features = Table(
    "article_features",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("feature", String(32), primary_key=True),
    Column("version", String(100), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("computed_at", UTCDateTime, nullable=False),
)
article_entities = Table(
    "article_entities",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("label", String(32), nullable=False),
    Column("name", String(300), nullable=False),
    Column("mentions", Integer, nullable=False),
    Index("ix_article_entities_entity_id", "entity_id"),
)
article_countries = Table(
    "article_countries",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Index("ix_article_countries_country", "country"),
)
article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("score", Float, nullable=False),
    Index("ix_article_topics_topic", "topic"),
)
ai_results = Table(
    "ai_results",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("feature", String(32), primary_key=True),
    Column("key", String(64), primary_key=True),  # target language, question hash...
    Column("version", String(100), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("created_at", UTCDateTime, nullable=False),
)
ai_usage = Table(
    "ai_usage",
    metadata,
    Column("day", String(10), primary_key=True),  # UTC date, YYYY-MM-DD
    Column("requests", Integer, nullable=False),
)

# --- furniture learning (issue 3; queries in store/furniture.py) -----------------------------
# Per outlet (a site's host without "www."): pages seen, and the kill switch.
outlet_furniture = Table(
    "outlet_furniture",
    metadata,
    Column("outlet", String(255), primary_key=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("pages_seen", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

# Every distinct block seen on the outlet's pages, by fingerprint; learned_at is set when
# it crossed the threshold (it is furniture from then on).
furniture_blocks = Table(
    "furniture_blocks",
    metadata,
    Column(
        "outlet",
        String(255),
        ForeignKey("outlet_furniture.outlet", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("fingerprint", String(16), primary_key=True),
    Column("sample", Text, nullable=False),
    Column("pages", Integer, nullable=False, default=1),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    Column("learned_at", UTCDateTime),
)

# What extraction knew about a stored article beyond the articles row: its outlet, the
# page's "modified" date, and the body before learned furniture (NULL: same as html).
article_extraction = Table(
    "article_extraction",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("outlet", String(255), nullable=False),
    Column("modified_at", UTCDateTime),
    Column("unfiltered_html", Text),
    Column("printed_date", String(32)),  # the numeric date printed near the headline (0008)
    Index("ix_article_extraction_outlet", "outlet"),
)

# --- stories (issue 4): stories, which article is in which, and what changed ---------------
stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("first_at", UTCDateTime),  # earliest report (sort_at of its articles)
    Column("last_at", UTCDateTime),  # latest report
    Column("lead_article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("article_count", Integer, nullable=False, default=0),
    Column("source_count", Integer, nullable=False, default=0),
    Column("merged_into", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Index("ix_stories_last_at", "last_at"),
)
story_articles = Table(
    "story_articles",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("similarity", Float, nullable=False, default=0.0),  # to its closest story-mate
    Column("agency", String(40)),  # the news agency its text credits, if any
    Column("assigned_at", UTCDateTime, nullable=False),
    Index("ix_story_articles_story_id", "story_id"),
)
story_events = Table(
    "story_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),  # move | merge
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("from_story", Integer),
    Column("to_story", Integer),
    Column("reason", String(300), nullable=False),
    Index("ix_story_events_to_story", "to_story"),
)
story_terms = Table(  # a story's main features, for related stories (an inverted index)
    "story_terms",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(100), primary_key=True),
    Column("weight", Float, nullable=False),
    Index("ix_story_terms_term", "term"),
)

# --- outlet layout (issue 15; queries in store/layout.py) ------------------------------------
# What an outlet's pages teach beyond furniture: the learned boundaries (fingerprints of the
# headings its articles end at, space-separated), and how many pages proved each order of
# numeric dates (a day above 12 first: day-month; second: month-day).
outlet_layout = Table(
    "outlet_layout",
    metadata,
    Column("outlet", String(255), primary_key=True),
    Column("boundaries", Text, nullable=False, default=""),
    Column("dmy_pages", Integer, nullable=False, default=0),
    Column("mdy_pages", Integer, nullable=False, default=0),
    Column("learned_at_page", Integer, nullable=False, default=0),  # pages_seen then
    Column("updated_at", UTCDateTime, nullable=False),
)
