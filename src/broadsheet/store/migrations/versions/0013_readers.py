"""Readers: users, sessions, reset links, comments with reports and a moderation log,
saved and read articles, follows.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _fk(target: str, ondelete: str) -> sa.ForeignKey:
    return sa.ForeignKey(target, ondelete=ondelete)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("display_name", sa.String(60), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("disabled_at", UTCDateTime),
        sa.Column("banned_at", UTCDateTime),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "password_resets",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, _fk("articles.id", "CASCADE")),
        sa.Column("story_id", sa.Integer, _fk("stories.id", "CASCADE")),
        sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), nullable=False),
        sa.Column("parent_id", sa.Integer, _fk("comments.id", "CASCADE")),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("held_reason", sa.String(100)),
        sa.Column("report_count", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("edited_at", UTCDateTime),
    )
    op.create_index("ix_comments_article", "comments", ["article_id", "created_at"])
    op.create_index("ix_comments_story", "comments", ["story_id", "created_at"])
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])
    op.create_index("ix_comments_user_id", "comments", ["user_id"])
    op.create_index("ix_comments_status", "comments", ["status"])
    op.create_table(
        "comment_reports",
        sa.Column("comment_id", sa.Integer, _fk("comments.id", "CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("moderator_id", sa.Integer, _fk("users.id", "SET NULL")),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("comment_id", sa.Integer),
        sa.Column("target_user_id", sa.Integer),
        sa.Column("note", sa.String(300)),
    )
    op.create_index("ix_moderation_log_at", "moderation_log", ["at"])
    # every foreign key has its index (deleting a user or an article never scans these)
    op.create_index("ix_moderation_log_moderator_id", "moderation_log", ["moderator_id"])
    op.create_index("ix_comment_reports_user_id", "comment_reports", ["user_id"])
    for name, index in (("saved_articles", "saved_at"), ("read_articles", "read_at")):
        op.create_table(
            name,
            sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), primary_key=True),
            sa.Column("article_id", sa.Integer, _fk("articles.id", "CASCADE"), primary_key=True),
            sa.Column(index, UTCDateTime, nullable=False),
        )
        op.create_index(f"ix_{name}_user", name, ["user_id", index])
        op.create_index(f"ix_{name}_article_id", name, ["article_id"])
    op.create_table(
        "follows",
        sa.Column("user_id", sa.Integer, _fk("users.id", "CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("muted", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "follows",
        "read_articles",
        "saved_articles",
        "moderation_log",
        "comment_reports",
        "comments",
        "password_resets",
        "sessions",
        "users",
    ):
        op.drop_table(name)
