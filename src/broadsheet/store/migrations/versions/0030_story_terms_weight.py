"""Related stories read from an index alone: (term, story_id) widened with the weight.
A story's related stories are found from its ~10 terms, each term's 200 newest stories
read in order from (term, story_id); the weight of each of those ~500 postings was then a
look-up of its table row (scattered over story_terms), half the statement's cost: at 1M
articles 0.95 ms of SQLite's CPU per story page and the article page, 0.47 ms with the
weight in the index (same statement, same rows). The index replaces
ix_story_terms_term_story (it leads with the same columns, so postings are walked in the
same order).

Revision ID: 0030
Revises: 0027
"""

from alembic import op

revision = "0030"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_story_terms_term_story_weight", "story_terms", ["term", "story_id", "weight"]
    )
    op.drop_index("ix_story_terms_term_story", table_name="story_terms")


def downgrade() -> None:
    op.create_index("ix_story_terms_term_story", "story_terms", ["term", "story_id"])
    op.drop_index("ix_story_terms_term_story_weight", table_name="story_terms")
