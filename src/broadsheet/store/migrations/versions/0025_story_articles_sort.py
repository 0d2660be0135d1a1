"""The article's sort_at copied onto its story_articles row, with a (story_id, sort_at,
article_id) index, so a story's latest articles (the article page's "Full coverage", the
story page, /stories/N/articles) are read in index order and the read stops after a page.
Before, every member of the story was joined to its article and sorted: for an article
of a 3,000-article story that was 3,000 rows read per page view (at 100k articles a
random article's story has ~800 members on average: big stories hold most articles).
The index replaces ix_story_articles_story_id (it leads with story_id, so the foreign key
stays indexed).

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

from broadsheet.store.schema import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("story_articles", sa.Column("sort_at", UTCDateTime))
    op.execute(
        "UPDATE story_articles SET sort_at = "
        "(SELECT a.sort_at FROM articles a WHERE a.id = story_articles.article_id)"
    )
    op.drop_index("ix_story_articles_story_id", table_name="story_articles")
    op.create_index(
        "ix_story_articles_story_sort", "story_articles", ["story_id", "sort_at", "article_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_story_articles_story_sort", table_name="story_articles")
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])
    with op.batch_alter_table("story_articles") as batch:
        batch.drop_column("sort_at")
