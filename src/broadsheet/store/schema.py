"""The tables, in SQLAlchemy Core. Migrations in migrations/versions build exactly these.

Written for SQLite and PostgreSQL alike: portable types, timestamps stored as UTC, no
SQLite-only columns (the FTS5 index is created by the migration on SQLite only).

On PostgreSQL a ``String(n)`` column is an unbounded ``VARCHAR``, as it is on SQLite, which
never enforced the lengths: they document what a column is for, and a feed's overlong
title or a server's long error must not turn into a failed write on one backend only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import TypeDecorator


@compiles(String, "postgresql")
def _unbounded_varchar(type_: String, compiler: Any, **kw: Any) -> str:
    return "VARCHAR"


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


# Ids (primary keys, the foreign keys to them, and plain numbers that hold one) are 64-bit
# on PostgreSQL (BIGINT, BIGSERIAL for the keys: no wrap at 2^31 rows ingested, counting
# the ids that deleted rows and rolled-back inserts used up) and stay SQLite's INTEGER, which
# is 64-bit already and keeps INTEGER PRIMARY KEY as the table's rowid. Migration 0019.
Id = BigInteger().with_variant(Integer, "sqlite")

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("id", Id, primary_key=True),
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
    # one poll of a source at a time, across processes (issue 10): who holds it, until when
    Column("lease_owner", String(100)),
    Column("lease_until", UTCDateTime),
)

source_icons = Table(
    "source_icons",
    metadata,
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("body", LargeBinary, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
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
    Column("duplicate_of", Id, ForeignKey("articles.id", ondelete="SET NULL")),
    Index("ix_articles_content_hash", "content_hash"),
    Index("ix_articles_sort_at", "sort_at"),
    Index("ix_articles_fetched_at", "fetched_at"),  # stored in the last hour (/metrics, 0020)
    # an outlet's page, newest first; also the index of the foreign key (0006)
    Index("ix_articles_source_sort", "source_id", "sort_at", "id"),
    # The latest page: originals newest first (0017). Partial, so that "duplicate_of IS
    # NULL" is never an index lookup: SQLite's statistics count every NULL as a value of its
    # own, so the planner took it for a rare key and, at 1M articles, read every original to
    # sort them instead of walking the entity / topic / country index of a listing page.
    Index(
        "ix_articles_originals_sort",
        "sort_at",
        "id",
        sqlite_where=text("duplicate_of IS NULL"),
        postgresql_where=text("duplicate_of IS NULL"),
    ),
    # the foreign key's index: the copies of an article (few)
    Index(
        "ix_articles_duplicate_of",
        "duplicate_of",
        sqlite_where=text("duplicate_of IS NOT NULL"),
        postgresql_where=text("duplicate_of IS NOT NULL"),
    ),
)

# What a source has already offered: re-polling a feed never refetches or re-adds these.
entries_seen = Table(
    "entries_seen",
    metadata,
    Column("id", Id, primary_key=True),
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(64), nullable=False),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("outcome", String(300), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("source_id", "key", name="uq_entries_seen_source_key"),
    Index("ix_entries_seen_article_id", "article_id"),
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
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("feature", String(32), primary_key=True),
    Column("version", String(100), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("computed_at", UTCDateTime, nullable=False),
)
article_entities = Table(
    "article_entities",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("label", String(32), nullable=False),
    Column("name", String(300), nullable=False),
    Column("mentions", Integer, nullable=False),
    # the article's sort_at, copied so a page lists the latest without sorting them all
    Column("sort_at", UTCDateTime),
    # the name and label too: the page's name is chosen from the latest 200 mentions, read
    # from the index alone (0026)
    Index(
        "ix_article_entities_entity_named", "entity_id", "sort_at", "article_id", "name", "label"
    ),
)
article_countries = Table(
    "article_countries",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("mentions", Integer, nullable=False),
    # the article's sort_at, copied so a page lists the latest without sorting them all
    Column("sort_at", UTCDateTime),
    Index("ix_article_countries_country_sort", "country", "sort_at", "article_id"),
)
article_topics = Table(
    "article_topics",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(32), primary_key=True),
    Column("score", Float, nullable=False),
    # the article's sort_at, copied so a page lists the latest without sorting them all
    Column("sort_at", UTCDateTime),
    Index("ix_article_topics_topic_sort", "topic", "sort_at", "article_id"),
)
ai_results = Table(
    "ai_results",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
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
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
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
    Column("id", Id, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("first_at", UTCDateTime),  # earliest report (sort_at of its articles)
    Column("last_at", UTCDateTime),  # latest report
    Column("lead_article_id", Id, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("article_count", Integer, nullable=False, default=0),
    Column("source_count", Integer, nullable=False, default=0),
    Column("merged_into", Id, ForeignKey("stories.id", ondelete="SET NULL")),
    Index("ix_stories_last_at", "last_at"),
    Index("ix_stories_first_at", "first_at"),
    # stories made in the last hour (/metrics, 0024); not with merged_into (see 0024)
    Index("ix_stories_created_at", "created_at"),
    Index("ix_stories_lead_article_id", "lead_article_id"),
    Index("ix_stories_updated_at", "updated_at"),  # stories changed since, for digests
    # the stories list (live stories newest first); also the foreign key's index (0006)
    Index("ix_stories_merged_last", "merged_into", "last_at", "id"),
)
story_articles = Table(
    "story_articles",
    metadata,
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("story_id", Id, ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
    Column("similarity", Float, nullable=False, default=0.0),  # to its closest story-mate
    Column("agency", String(40)),  # the news agency its text credits, if any
    Column("assigned_at", UTCDateTime, nullable=False),
    # the article's sort_at, copied so a story's latest articles are read in index order
    Column("sort_at", UTCDateTime),
    Index("ix_story_articles_story_sort", "story_id", "sort_at", "article_id"),
)
story_events = Table(
    "story_events",
    metadata,
    Column("id", Id, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),  # move | merge
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("from_story", Id),
    Column("to_story", Id),
    Column("reason", String(300), nullable=False),
    Index("ix_story_events_to_story", "to_story"),
    Index("ix_story_events_from_story", "from_story"),
    Index("ix_story_events_article_id", "article_id"),
)
story_terms = Table(  # a story's main features, for related stories (an inverted index)
    "story_terms",
    metadata,
    Column("story_id", Id, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(100), primary_key=True),
    Column("weight", Float, nullable=False),
    # the newest stories using a term, in order (related stories read a bounded posting),
    # with their weight: the posting is read from the index alone (0030)
    Index("ix_story_terms_term_story_weight", "term", "story_id", "weight"),
)

# --- pages (issue 10): counts kept by the writes, and the story page's stored digest --------
# Totals a page shows, kept by the writes that change them (articles: store/articles.py
# adds, store/sources.py subtracts what a removed source takes with it), never counted
# per request.
counters = Table(
    "counters",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("value", Integer, nullable=False),
)

# What the story page shows about a whole story (coverage, multi-outlet summary), computed
# when the story changed; stale when the story's updated_at or the digest version moved on.
story_digests = Table(
    "story_digests",
    metadata,
    Column("story_id", Id, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(20), nullable=False),
    Column("story_updated_at", UTCDateTime, nullable=False),  # the story it was computed for
    Column("article_count", Integer, nullable=False),
    Column("value", Text, nullable=False),  # JSON
    Column("computed_at", UTCDateTime, nullable=False),
)

# --- the Daily 8 (issue 12; queries in store/daily.py) -----------------------------------------
# One row per day and edition: the eight stories chosen, each with its summary lines, as
# JSON; ``final`` once the day is over (a past day's eight never change).
daily_editions = Table(
    "daily_editions",
    metadata,
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in the site's time zone
    Column("edition", String(32), primary_key=True),  # "world" (editions: issue 12)
    Column("items", Text, nullable=False),  # JSON
    Column("final", Boolean, nullable=False, default=False),
    Column("computed_at", UTCDateTime, nullable=False),
)

# --- readers (issue 11; queries in store/users.py, sessions.py, comments.py, saved.py) ----
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # trimmed, lower case
    Column("display_name", String(60), nullable=False),
    Column("password_hash", String(200), nullable=False),  # argon2id, encoded
    Column("role", String(16), nullable=False, default="reader"),  # reader|moderator|admin
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),  # cannot sign in; old sessions stop working
    Column("banned_at", UTCDateTime),  # may read and save, not comment
    Column("language", String(8)),  # the interface language they picked (en, fr, ar)
    # 0010: the Daily 8 by mail (opt-in) for the reader's edition (None: the world's)
    Column("digest", Boolean, nullable=False, default=False),
    Column("edition", String(12)),
    Column("verified_at", UTCDateTime),  # None: the address is not proved yet
    # A visit ends after a pause; visit_mark_at is when the previous one ended.
    Column("seen_at", UTCDateTime),
    Column("visit_mark_at", UTCDateTime),
)
# The cookie holds a random token; the table keeps only its SHA-256.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_sessions_user_id", "user_id"),
)
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Index("ix_password_resets_user_id", "user_id"),
)
comments = Table(
    "comments",
    metadata,
    Column("id", Id, primary_key=True),
    # On an article or on a story: exactly one of the two is set.
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE")),
    Column("story_id", Id, ForeignKey("stories.id", ondelete="CASCADE")),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Id, ForeignKey("comments.id", ondelete="CASCADE")),  # one level
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # visible|held|hidden|deleted
    Column("held_reason", String(100)),
    Column("report_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime),
    Index("ix_comments_article", "article_id", "created_at"),
    Index("ix_comments_story", "story_id", "created_at"),
    Index("ix_comments_parent_id", "parent_id"),
    Index("ix_comments_user_id", "user_id"),
    Index("ix_comments_status", "status"),
)
comment_reports = Table(
    "comment_reports",
    metadata,
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_comment_reports_user_id", "user_id"),
)
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("moderator_id", Id, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(16), nullable=False),  # hide|restore|delete|ban|unban
    Column("comment_id", Id),  # kept as a plain number: the log outlives the comment
    Column("target_user_id", Id),
    Column("note", String(300)),
    Index("ix_moderation_log_at", "at"),
    Index("ix_moderation_log_moderator_id", "moderator_id"),
)
saved_articles = Table(
    "saved_articles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("saved_at", UTCDateTime, nullable=False),
    Index("ix_saved_articles_user", "user_id", "saved_at"),
    Index("ix_saved_articles_article_id", "article_id"),
)
read_articles = Table(
    "read_articles",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Id, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("read_at", UTCDateTime, nullable=False),  # the last time it was opened
    Index("ix_read_articles_user", "user_id", "read_at"),
    Index("ix_read_articles_article_id", "article_id"),
)
# What a reader follows (or mutes): kind is topic | entity | place | outlet | story.
follows = Table(
    "follows",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("key", String(200), primary_key=True),  # topic name, entity id, ISO code, id
    Column("muted", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)


# --- the process model (issue 10): work claimed across processes, failures kept as data ----
# Feed entries whose article could not be fetched or read: counted and retried with back-off,
# so a block of broken entries neither starves the rest of the feed nor is refetched each poll.
entry_failures = Table(
    "entry_failures",
    metadata,
    Column("source_id", Id, ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_error", String(300), nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Column("retry_at", UTCDateTime, nullable=False),
)
# Politeness shared by every process that fetches: per origin, the earliest time (epoch s)
# the next request may start, and its request slots (a slot is held until busy_until).
host_turns = Table(
    "host_turns",
    metadata,
    Column("origin", String(300), primary_key=True),
    Column("next_at", Float, nullable=False),
)
host_slots = Table(
    "host_slots",
    metadata,
    Column("origin", String(300), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("owner", String(100)),
    Column("busy_until", Float, nullable=False),
)
# Named leases (e.g. "worker": the one process that polls), claimed with an atomic UPDATE.
leases = Table(
    "leases",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("owner", String(100)),
    Column("expires_at", Float, nullable=False),
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


# --- readers, more (0010; queries in store/digests.py, comments.py, passkeys.py) ----------
# One row per reader and day, written (claimed) before the mail goes to the SMTP server:
# the primary key makes a second send of the same day impossible (see store/digests.py).
digest_sends = Table(
    "digest_sends",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("day", String(10), primary_key=True),  # YYYY-MM-DD in the site's time zone
    Column("edition", String(12), nullable=False),
    Column("status", String(12), nullable=False),  # sending | sent | failed | unknown
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("attempts", Integer, nullable=False, default=1),
    Column("error", String(200)),
    Index("ix_digest_sends_day", "day", "status"),
)
# Visible comments per article or story, kept with every change to a comment, so a page of
# teasers reads its counts in one query (kind: article | story).
comment_counts = Table(
    "comment_counts",
    metadata,
    Column("kind", String(8), primary_key=True),
    Column("target_id", Id, primary_key=True),
    Column("visible", Integer, nullable=False, default=0),
)
# WebAuthn credentials: a second way to sign in.
passkeys = Table(
    "passkeys",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("credential_id", String(1400), nullable=False, unique=True),  # base64url
    Column("public_key", LargeBinary, nullable=False),  # COSE
    Column("sign_count", Integer, nullable=False, default=0),
    Column("name", String(60), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Index("ix_passkeys_user_id", "user_id"),
)

# --- app passwords and API tokens (issue 13; queries in store/app_passwords.py) -------------
# A reader's credentials for other programs: ``app_password`` (Google Reader and Fever
# sync apps) or ``api_token`` (Bearer on /api/v1). The secret is shown once; only the
# SHA-256 of it is kept (and, for an app password, the SHA-256 of its Fever api_key,
# md5("email:password"), so a Fever client can be found without the password).
app_credentials = Table(
    "app_credentials",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # app_password | api_token
    Column("label", String(100), nullable=False),
    Column("secret_hash", String(64), nullable=False, unique=True),
    Column("fever_hash", String(64), unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("expires_at", UTCDateTime),
    Index("ix_app_credentials_user_id", "user_id"),
)

# --- webhooks (issue 13; queries in store/webhooks.py, delivery in orchestrate/webhooks.py) -
# A reader's URL told of new stories that match their follows or a search. ``secret`` signs
# each delivery (HMAC-SHA256), so it is kept as given to the reader, not as a digest;
# ``seen_until`` is the creation time of the newest story already considered.
webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("secret", String(100), nullable=False),
    Column("kind", String(16), nullable=False),  # follows | search
    Column("query", String(300)),  # the search, for kind "search"
    Column("created_at", UTCDateTime, nullable=False),
    Column("seen_until", UTCDateTime, nullable=False),
    Column("last_status", Integer),  # the receiver's HTTP status, or NULL (no answer)
    Column("last_error", String(300)),
    Column("last_attempt_at", UTCDateTime),
    Index("ix_webhooks_user_id", "user_id"),
)
# One story told to one webhook; retried with back-off until delivered or given up.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("webhook_id", Id, ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("story_id", Id, nullable=False),  # a plain number: the story may merge away
    Column("payload", Text, nullable=False),  # JSON, signed as sent
    Column("state", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_status", Integer),
    Column("last_error", String(300)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime),
    UniqueConstraint("webhook_id", "story_id", name="uq_webhook_deliveries_hook_story"),
    Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
)
