"""App passwords and API tokens (issue 13): credentials a reader makes for sync apps
(Google Reader, Fever) and for /api/v1, kept only as digests.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_credentials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("fever_hash", sa.String(64), unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_used_at", UTCDateTime),
        sa.Column("expires_at", UTCDateTime),
    )
    op.create_index("ix_app_credentials_user_id", "app_credentials", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_app_credentials_user_id", "app_credentials")
    op.drop_table("app_credentials")
