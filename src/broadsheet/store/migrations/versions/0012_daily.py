"""The Daily 8: each day's chosen stories; stories found by the day of their first report.

Revision ID: 0012
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0012"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_editions",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("edition", sa.String(32), primary_key=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_stories_first_at", "stories", ["first_at"])


def downgrade() -> None:
    op.drop_index("ix_stories_first_at", table_name="stories")
    op.drop_table("daily_editions")
