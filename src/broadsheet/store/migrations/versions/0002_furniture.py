"""Furniture learning: per-outlet kill switch and counts, the blocks seen, and what
extraction knew about each article (outlet, modified date, body before learned furniture).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outlet_furniture",
        sa.Column("outlet", sa.String(255), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("pages_seen", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "furniture_blocks",
        sa.Column(
            "outlet",
            sa.String(255),
            sa.ForeignKey("outlet_furniture.outlet", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String(16), primary_key=True),
        sa.Column("sample", sa.Text, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("learned_at", UTCDateTime),
    )
    op.create_table(
        "article_extraction",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("outlet", sa.String(255), nullable=False),
        sa.Column("modified_at", UTCDateTime),
        sa.Column("unfiltered_html", sa.Text),
    )
    op.create_index("ix_article_extraction_outlet", "article_extraction", ["outlet"])


def downgrade() -> None:
    op.drop_index("ix_article_extraction_outlet", table_name="article_extraction")
    for table in ("article_extraction", "furniture_blocks", "outlet_furniture"):
        op.drop_table(table)
