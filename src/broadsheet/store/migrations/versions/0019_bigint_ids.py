"""64-bit ids on PostgreSQL: every primary key, the foreign keys to them and the plain numbers
that hold an id become BIGINT, and the keys' sequences count in bigint. SQLite's INTEGER is
64-bit already (INTEGER PRIMARY KEY is the rowid): nothing changes there.

A SERIAL key stops at 2,147,483,647, and ids are used up by deleted rows and rolled-back
inserts too (a busy ingest with many duplicates burns through them faster than it stores).
Each table is rewritten once (all its columns in one ALTER TABLE), with its indexes and
foreign keys rebuilt: on a large database run ``broadsheet migrate`` in a maintenance window
(docs/deploy.md).

Revision ID: 0019
Revises: 0020
"""

from alembic import op

revision = "0019"
down_revision = "0020"
branch_labels = None
depends_on = None

# frozen here, from store/schema.py's ``Id`` columns (tests/store/test_schema.py checks
# the models against the migrated database on PostgreSQL too); articles_fts is 0011's
COLUMNS = {
    "sources": ("id",),
    "users": ("id",),
    "articles": ("id", "source_id", "duplicate_of"),
    "articles_fts": ("id",),
    "comment_counts": ("target_id",),
    "app_credentials": ("id", "user_id"),
    "digest_sends": ("user_id",),
    "entry_failures": ("source_id",),
    "follows": ("user_id",),
    "moderation_log": ("id", "moderator_id", "comment_id", "target_user_id"),
    "passkeys": ("id", "user_id"),
    "password_resets": ("user_id",),
    "sessions": ("user_id",),
    "source_icons": ("source_id",),
    "webhooks": ("id", "user_id"),
    "ai_results": ("article_id",),
    "article_countries": ("article_id",),
    "article_entities": ("article_id",),
    "article_extraction": ("article_id",),
    "article_features": ("article_id",),
    "article_topics": ("article_id",),
    "entries_seen": ("id", "source_id", "article_id"),
    "read_articles": ("user_id", "article_id"),
    "saved_articles": ("user_id", "article_id"),
    "stories": ("id", "lead_article_id", "merged_into"),
    "story_events": ("id", "article_id", "from_story", "to_story"),
    "webhook_deliveries": ("id", "webhook_id", "story_id"),
    "comments": ("id", "article_id", "story_id", "user_id", "parent_id"),
    "story_articles": ("article_id", "story_id"),
    "story_digests": ("story_id",),
    "story_terms": ("story_id",),
    "comment_reports": ("comment_id", "user_id"),
}
SEQUENCES = ("sources", "users", "articles", "app_credentials", "moderation_log", "passkeys",
             "webhooks", "entries_seen", "stories", "story_events", "webhook_deliveries",
             "comments")  # fmt: skip


def _retype(sql_type: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {c} TYPE {sql_type}" for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
    for table in SEQUENCES:
        op.execute(f"ALTER SEQUENCE {table}_id_seq AS {sql_type}")


def upgrade() -> None:
    _retype("BIGINT")


def downgrade() -> None:
    _retype("INTEGER")
