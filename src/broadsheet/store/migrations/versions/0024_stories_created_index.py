"""An index on (stories.merged_into, stories.created_at), so /metrics counts the live
stories made in the last hour by one range of the index (merged_into IS NULL, created_at
from an hour ago). Counting by first_at (the earliest report's time) missed a story made
now about reports published earlier. An index on created_at alone lost to
ix_stories_merged_last (merged_into IS NULL), which reads every live story.

Revision ID: 0024
Revises: 0019
"""

from alembic import op

revision = "0024"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_merged_created", "stories", ["merged_into", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_stories_merged_created", table_name="stories")
