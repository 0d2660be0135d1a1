"""PostgreSQL: covering indexes for search's window, so that an article's date and outlet
and its story are read from an index, not from the articles table's wide rows.

The window (store/search.py ``_pg_window``) joins up to 401 matches to ``articles`` (date
and outlet) and ``story_articles`` (story): each look-up read an index entry and then a
heap row of its own page, ~2 of the window's ~7 ms at 1M articles. With these the
look-ups are index-only where the visibility map allows (vacuumed pages; the newest
articles' pages fall back to the heap, as before). Not models (tests/store/test_schema.py
leaves them out of the comparison): SQLite joins on its rowid already. Nothing on SQLite.

Revision ID: 0032
Revises: 0031
"""

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_articles_search_window": "articles (id) INCLUDE (sort_at, source_id)",
    "ix_story_articles_search_window": "story_articles (article_id) INCLUDE (story_id)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, target in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
