"""The process model (issue 10): source leases, entry failures with back-off, politeness
shared across processes (per-origin turns and slots), and named leases (the worker).

Revision ID: 0007
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0007"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sources", sa.Column("lease_owner", sa.String(100)))
    op.add_column("sources", sa.Column("lease_until", UTCDateTime))
    op.create_table(
        "entry_failures",
        sa.Column(
            "source_id",
            sa.Integer,
            sa.ForeignKey("sources.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(300), nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
        sa.Column("retry_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "host_turns",
        sa.Column("origin", sa.String(300), primary_key=True),
        sa.Column("next_at", sa.Float, nullable=False),
    )
    op.create_table(
        "host_slots",
        sa.Column("origin", sa.String(300), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("owner", sa.String(100)),
        sa.Column("busy_until", sa.Float, nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("owner", sa.String(100)),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("host_slots")
    op.drop_table("host_turns")
    op.drop_table("entry_failures")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
