"""Initial schema: sources, their icons, articles, entries seen, meta; FTS5 on SQLite.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("site_url", sa.String(2048)),
        sa.Column("country", sa.String(2)),
        sa.Column("language", sa.String(16)),
        sa.Column("category", sa.String(100)),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("etag", sa.String(1024)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_polled_at", UTCDateTime),
        sa.Column("last_success_at", UTCDateTime),
        sa.Column("next_poll_at", UTCDateTime),
        sa.Column("poll_interval", sa.Integer, nullable=False),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("icon_checked_at", UTCDateTime),
    )
    op.create_index("ix_sources_next_poll_at", "sources", ["next_poll_at"])
    op.create_table(
        "source_icons",
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("canonical_url", sa.String(2048), nullable=False, unique=True),
        sa.Column("guid", sa.String(2048)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("author", sa.String(300)),
        sa.Column("published_at", UTCDateTime),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("sort_at", UTCDateTime, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("site_name", sa.String(300)),
        sa.Column("image_url", sa.String(2048)),
        sa.Column("description", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("html", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("extraction", sa.String(16), nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("duplicate_of", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
    )
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_sort_at", "articles", ["sort_at"])
    op.create_table(
        "entries_seen",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("outcome", sa.String(300), nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("source_id", "key", name="uq_entries_seen_source_key"),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        _create_fts5()


def _create_fts5() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("meta", "entries_seen", "articles", "source_icons", "sources"):
        op.drop_table(table)
