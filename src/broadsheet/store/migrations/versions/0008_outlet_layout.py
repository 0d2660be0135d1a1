"""Outlet layout (issue 15): learned body boundaries and the order of numeric dates per
outlet, and the date each stored article printed near its headline.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outlet_layout",
        sa.Column("outlet", sa.String(255), primary_key=True),
        sa.Column("boundaries", sa.Text, nullable=False),
        sa.Column("dmy_pages", sa.Integer, nullable=False),
        sa.Column("mdy_pages", sa.Integer, nullable=False),
        sa.Column("learned_at_page", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("article_extraction") as batch:
        batch.add_column(sa.Column("printed_date", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("article_extraction") as batch:
        batch.drop_column("printed_date")
    op.drop_table("outlet_layout")
