"""SQLite: a second FTS5 index over the newest articles only, ``articles_fts_recent``.

A search ranks the newest 400 matches of its words with bm25(), and bm25's IDF reads each
word's whole posting list once per statement: for a common word that grows with the store
(10-25 ms of a search at 1M articles, ~40 % of a served search). The same statement over an
index of the newest articles only reads posting lists bounded by that index's size and,
when a word has more than 400 matches there, finds the same 400 newest matches. The index
is kept like articles_fts (external content: the articles table), by triggers: every new
article enters it; a deleted or edited one leaves it or is indexed again only if it is in
it. The worker trims it back to its size (store/search.py ``trim_recent``); until then it
only grows. It is built here from the newest 50,000 articles (RECENT_ARTICLES; ~8 s per
50,000 on the bench's machine, whatever the store's size). Nothing on PostgreSQL.

Revision ID: 0027
Revises: 0026
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

RECENT_ARTICLES = 50_000  # as store/search.py's; frozen here
_IN_INDEX = "EXISTS (SELECT 1 FROM articles_fts_recent_docsize d WHERE d.id = old.id)"
_DELETE = (
    "INSERT INTO articles_fts_recent(articles_fts_recent, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text);"
)
_INSERT = (
    "INSERT INTO articles_fts_recent(rowid, title, text) VALUES (new.id, new.title, new.text);"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts_recent USING fts5("
        "title, text, content='articles', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO articles_fts_recent(rowid, title, text) SELECT id, title, text"
        " FROM articles WHERE id >= coalesce((SELECT id FROM articles ORDER BY id DESC"
        f" LIMIT 1 OFFSET {RECENT_ARTICLES - 1}), 0)"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_recent_ai AFTER INSERT ON articles BEGIN {_INSERT} END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_recent_ad AFTER DELETE ON articles"
        f" WHEN {_IN_INDEX} BEGIN {_DELETE} END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_recent_au AFTER UPDATE OF title, text ON articles"
        f" WHEN {_IN_INDEX} BEGIN {_DELETE} {_INSERT} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("articles_fts_recent_au", "articles_fts_recent_ad", "articles_fts_recent_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS articles_fts_recent")
