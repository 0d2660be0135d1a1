"""The latest page's index becomes partial (originals only), and the copies get their own.

SQLite's statistics count each NULL as a distinct value, so with an index led by
``duplicate_of`` the planner believed ``duplicate_of IS NULL`` matched a handful of rows:
at 1M articles it read every original and sorted them for each entity, topic and place page
(1.4-2.5 s) instead of walking the listing's own (key, sort_at) index. A partial index on
(sort_at, id) WHERE duplicate_of IS NULL serves the latest page without offering that
lookup; the foreign key keeps an index over the copies alone.

Revision ID: 0017
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0009"
branch_labels = None
depends_on = None

ORIGINALS = sa.text("duplicate_of IS NULL")
COPIES = sa.text("duplicate_of IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_articles_originals_sort", "articles", ["sort_at", "id"],
        sqlite_where=ORIGINALS, postgresql_where=ORIGINALS,
    )  # fmt: skip
    op.create_index(
        "ix_articles_duplicate_of", "articles", ["duplicate_of"],
        sqlite_where=COPIES, postgresql_where=COPIES,
    )  # fmt: skip
    op.drop_index("ix_articles_duplicate_sort", table_name="articles")


def downgrade() -> None:
    op.create_index("ix_articles_duplicate_sort", "articles", ["duplicate_of", "sort_at", "id"])
    op.drop_index("ix_articles_duplicate_of", table_name="articles")
    op.drop_index("ix_articles_originals_sort", table_name="articles")
