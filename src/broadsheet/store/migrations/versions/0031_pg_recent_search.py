"""PostgreSQL: the newest articles' tsvectors in a table of their own, articles_fts_recent,
with its own GIN index, as SQLite's recent FTS5 index (0027).

A GIN bitmap scan reads a word's whole posting list whatever else the statement bounds:
the search's id floor (the newest 20,000 articles first) did not shorten it, and a common
word's list grows with the store ("said": ~45 ms of a search at 1M articles). In a table of
the newest 50,000 articles the lists are bounded by the table's size, and a word with more
than the search's window of matches there has the same newest matches as in the whole
index (the table holds every article above its oldest).

Kept by triggers on articles_fts (whose own trigger on articles builds each document once):
a new article's document enters it; an edited one is updated only if it is in it; a
deleted article leaves it with its row (the foreign key). The worker trims it back to its
size (store/search.py ``trim_recent``); until then it only grows. Built here from the
newest 50,000 documents (RECENT_ARTICLES, frozen). Nothing on SQLite.

Revision ID: 0031
Revises: 0030
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

RECENT_ARTICLES = 50_000  # as store/search.py's; frozen here


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE articles_fts_recent ("
        " id bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
        " config regconfig NOT NULL,"
        " document tsvector NOT NULL)"
    )
    op.execute(
        "INSERT INTO articles_fts_recent (id, config, document)"
        " SELECT id, config, document FROM articles_fts WHERE id >= coalesce((SELECT id"
        f" FROM articles_fts ORDER BY id DESC LIMIT 1 OFFSET {RECENT_ARTICLES - 1}), 0)"
    )
    op.execute(
        "CREATE INDEX articles_fts_recent_document ON articles_fts_recent USING gin (document)"
    )
    op.execute(
        "CREATE FUNCTION articles_fts_recent_add() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN INSERT INTO articles_fts_recent (id, config, document)"
        " VALUES (NEW.id, NEW.config, NEW.document) ON CONFLICT (id) DO UPDATE"
        " SET config = EXCLUDED.config, document = EXCLUDED.document; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION articles_fts_recent_edit() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN UPDATE articles_fts_recent SET config = NEW.config, document = NEW.document"
        " WHERE id = NEW.id; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_recent_ai AFTER INSERT ON articles_fts"
        " FOR EACH ROW EXECUTE FUNCTION articles_fts_recent_add()"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_recent_au AFTER UPDATE ON articles_fts"
        " FOR EACH ROW EXECUTE FUNCTION articles_fts_recent_edit()"
    )
    op.execute("ANALYZE articles_fts_recent")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS articles_fts_recent_au ON articles_fts")
    op.execute("DROP TRIGGER IF EXISTS articles_fts_recent_ai ON articles_fts")
    op.execute("DROP FUNCTION IF EXISTS articles_fts_recent_edit()")
    op.execute("DROP FUNCTION IF EXISTS articles_fts_recent_add()")
    op.execute("DROP TABLE IF EXISTS articles_fts_recent")
