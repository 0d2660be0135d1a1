"""Readers, more (issues 11 and 12): the Daily 8 digest by mail (opt-in, the reader's
edition, one send per reader and day), kept comment counts for teasers, email
verification, the reader's visits ("new since your last visit") and passkeys.

Revision ID: 0010
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0010"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("digest", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("edition", sa.String(12)))
        batch.add_column(sa.Column("verified_at", UTCDateTime))
        batch.add_column(sa.Column("seen_at", UTCDateTime))
        batch.add_column(sa.Column("visit_mark_at", UTCDateTime))
    # Accounts made before verification existed count as verified.
    op.execute("UPDATE users SET verified_at = created_at")
    op.create_table(
        "digest_sends",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("edition", sa.String(12), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.String(200)),
    )
    op.create_index("ix_digest_sends_day", "digest_sends", ["day", "status"])
    op.create_table(
        "comment_counts",
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("target_id", sa.Integer, primary_key=True),
        sa.Column("visible", sa.Integer, nullable=False),
    )
    op.execute(
        "INSERT INTO comment_counts (kind, target_id, visible) "
        "SELECT 'article', article_id, COUNT(*) FROM comments "
        "WHERE status = 'visible' AND article_id IS NOT NULL GROUP BY article_id"
    )
    op.execute(
        "INSERT INTO comment_counts (kind, target_id, visible) "
        "SELECT 'story', story_id, COUNT(*) FROM comments "
        "WHERE status = 'visible' AND story_id IS NOT NULL GROUP BY story_id"
    )
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("credential_id", sa.String(1400), nullable=False, unique=True),
        sa.Column("public_key", sa.LargeBinary, nullable=False),
        sa.Column("sign_count", sa.Integer, nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_used_at", UTCDateTime),
    )
    op.create_index("ix_passkeys_user_id", "passkeys", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_passkeys_user_id", "passkeys")
    op.drop_table("passkeys")
    op.drop_table("comment_counts")
    op.drop_index("ix_digest_sends_day", "digest_sends")
    op.drop_table("digest_sends")
    with op.batch_alter_table("users") as batch:
        for name in ("visit_mark_at", "seen_at", "verified_at", "edition", "digest"):
            batch.drop_column(name)
