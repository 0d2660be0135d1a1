"""Stories: stories, membership with agency credit, moves and merges, and main terms.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("first_at", UTCDateTime),
        sa.Column("last_at", UTCDateTime),
        sa.Column("lead_article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("source_count", sa.Integer, nullable=False),
        sa.Column("merged_into", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL")),
    )
    op.create_index("ix_stories_last_at", "stories", ["last_at"])
    op.create_table(
        "story_articles",
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("agency", sa.String(40)),
        sa.Column("assigned_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])
    op.create_table(
        "story_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE")),
        sa.Column("from_story", sa.Integer),
        sa.Column("to_story", sa.Integer),
        sa.Column("reason", sa.String(300), nullable=False),
    )
    op.create_index("ix_story_events_to_story", "story_events", ["to_story"])
    op.create_table(
        "story_terms",
        sa.Column(
            "story_id",
            sa.Integer,
            sa.ForeignKey("stories.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.create_index("ix_story_terms_term", "story_terms", ["term"])


def downgrade() -> None:
    for table in ("story_terms", "story_events", "story_articles", "stories"):
        op.drop_table(table)
