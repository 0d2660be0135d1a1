"""An index on articles.fetched_at, so /metrics counts the articles stored in the last hour
by a range of the index (the worker's ingest rate), never by reading the table.

Revision ID: 0020
Revises: 0011
"""

from alembic import op

revision = "0020"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_fetched_at", "articles", ["fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_fetched_at", table_name="articles")
