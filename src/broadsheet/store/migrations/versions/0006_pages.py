"""Pages whose cost does not grow with the store: an index for every foreign key and for
what pages filter and sort on, sort_at copied onto the entity/country/topic rows, kept
counters, the story page's stored digest, and a (term, story_id) index so related
stories read bounded postings.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNDERSTOOD = (
    ("article_entities", "entity_id"),
    ("article_countries", "country"),
    ("article_topics", "topic"),
)


def upgrade() -> None:
    op.drop_index("ix_articles_source_id", table_name="articles")
    op.create_index("ix_articles_source_sort", "articles", ["source_id", "sort_at", "id"])
    op.create_index("ix_articles_duplicate_sort", "articles", ["duplicate_of", "sort_at", "id"])
    op.create_index("ix_entries_seen_article_id", "entries_seen", ["article_id"])
    op.create_index("ix_stories_lead_article_id", "stories", ["lead_article_id"])
    op.create_index("ix_stories_merged_last", "stories", ["merged_into", "last_at", "id"])
    op.create_index("ix_stories_updated_at", "stories", ["updated_at"])
    op.create_index("ix_story_events_from_story", "story_events", ["from_story"])
    op.create_index("ix_story_events_article_id", "story_events", ["article_id"])
    op.drop_index("ix_story_terms_term", table_name="story_terms")
    op.create_index("ix_story_terms_term_story", "story_terms", ["term", "story_id"])
    for table, key in UNDERSTOOD:
        op.add_column(table, sa.Column("sort_at", UTCDateTime))
        op.execute(
            f"UPDATE {table} SET sort_at = "
            f"(SELECT a.sort_at FROM articles a WHERE a.id = {table}.article_id)"
        )
        op.drop_index(f"ix_{table}_{key}", table_name=table)
        op.create_index(f"ix_{table}_{key}_sort", table, [key, "sort_at", "article_id"])
    op.create_table(
        "counters",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO counters (name, value) SELECT 'articles', count(*) FROM articles")
    op.create_table(
        "story_digests",
        sa.Column(
            "story_id",
            sa.Integer,
            sa.ForeignKey("stories.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("version", sa.String(20), nullable=False),
        sa.Column("story_updated_at", UTCDateTime, nullable=False),
        sa.Column("article_count", sa.Integer, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("computed_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("story_digests")
    op.drop_table("counters")
    for table, key in UNDERSTOOD:
        op.drop_index(f"ix_{table}_{key}_sort", table_name=table)
        op.create_index(f"ix_{table}_{key}", table, [key])
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sort_at")
    op.drop_index("ix_story_terms_term_story", table_name="story_terms")
    op.create_index("ix_story_terms_term", "story_terms", ["term"])
    op.drop_index("ix_story_events_article_id", table_name="story_events")
    op.drop_index("ix_story_events_from_story", table_name="story_events")
    op.drop_index("ix_stories_updated_at", table_name="stories")
    op.drop_index("ix_stories_merged_last", table_name="stories")
    op.drop_index("ix_stories_lead_article_id", table_name="stories")
    op.drop_index("ix_entries_seen_article_id", table_name="entries_seen")
    op.drop_index("ix_articles_duplicate_sort", table_name="articles")
    op.drop_index("ix_articles_source_sort", table_name="articles")
    op.create_index("ix_articles_source_id", "articles", ["source_id"])
