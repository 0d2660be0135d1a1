"""Understanding: per-article features (language, entities, summary...), the entity,
country and topic indexes behind their pages, AI results and the AI daily budget.

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _article_id() -> sa.Column:
    return sa.Column(
        "article_id",
        sa.Integer,
        sa.ForeignKey("articles.id", ondelete="CASCADE"),
        primary_key=True,
    )


def upgrade() -> None:
    op.create_table(
        "article_features",
        _article_id(),
        sa.Column("feature", sa.String(32), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("computed_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "article_entities",
        _article_id(),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("label", sa.String(32), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_article_entities_entity_id", "article_entities", ["entity_id"])
    op.create_table(
        "article_countries",
        _article_id(),
        sa.Column("country", sa.String(2), primary_key=True),
        sa.Column("mentions", sa.Integer, nullable=False),
    )
    op.create_index("ix_article_countries_country", "article_countries", ["country"])
    op.create_table(
        "article_topics",
        _article_id(),
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_index("ix_article_topics_topic", "article_topics", ["topic"])
    op.create_table(
        "ai_results",
        _article_id(),
        sa.Column("feature", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "ai_usage",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("requests", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "ai_usage",
        "ai_results",
        "article_topics",
        "article_countries",
        "article_entities",
        "article_features",
    ):
        op.drop_table(table)
