"""PostgreSQL: the whole search index keeps its documents in line, up to 8 KB a row.

Search's window reads each candidate's document (a tsvector) twice, to check it under its
own language and to rank it. PostgreSQL moves a value out of a row over ~2 KB into the
table's TOAST table (most documents are 2-4 KB), and then fetches it back through the
TOAST table's index on each read: at 20,000 articles a window of 401 documents touched
5,111 buffers with them out of line and 3,484 in line (5.2 -> 4.0 ms). With a
``toast_tuple_target`` of 8,160 bytes (PostgreSQL's most) a row is left whole unless it
is over that; larger documents are compressed or moved out as before.

Only rows written from now on are stored so: new articles, which are the ones a search
reads first (its window is the newest matches). Older rows move in line when the table is
rewritten (``VACUUM FULL articles_fts`` at a quiet time: it locks the table while it runs,
minutes at a million articles; docs/deploy.md). The recent table (0031) keeps the default:
its GIN bitmaps visit a row per match, and a small heap is what makes them cheap.
Nothing on SQLite.

Revision ID: 0033
Revises: 0032
"""

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

IN_LINE_BYTES = 8160  # PostgreSQL's largest toast_tuple_target (TOAST_TUPLE_TARGET_MAIN)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE articles_fts SET (toast_tuple_target = {IN_LINE_BYTES})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles_fts RESET (toast_tuple_target)")
