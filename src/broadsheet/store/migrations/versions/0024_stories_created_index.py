"""An index on stories.created_at, so /metrics counts the live stories made in the last hour
by one range of it. Counting by first_at (the earliest report's time) missed a story made
now about reports published earlier. Not (merged_into, created_at), nor partial on
merged_into IS NULL: SQLite's statistics make "merged_into IS NULL" look selective, so the
first took the stories list's place (it read every live story and sorted them: 150 ms a
page at 1M articles, instead of walking ix_stories_merged_last) and the planner would not
choose the second for the count. The count writes its merged_into test so that no index
is used for it (store/ops.py).

Revision ID: 0024
Revises: 0019
"""

from alembic import op

revision = "0024"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_created_at", "stories", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_stories_created_at", table_name="stories")
