"""Full-text search on PostgreSQL (issue 14): the articles_fts table, a tsvector per
article built with the text search configuration of its language, GIN-indexed and kept by a
trigger on articles, the way FTS5 and its triggers (0001) keep the SQLite index. Nothing
changes on SQLite.

The title weighs 'A' and the text 'B' (store/search.py ranks them 4 to 1); the text is cut
at 100,000 characters, well inside the 1 MB a tsvector may take. ``config`` is the
configuration the document was built with: a query is normalised with it again to check
each candidate the index found under any configuration. The language mapping is
frozen here; store/search.py's PG_CONFIGS must agree (tests/store/test_search_pg.py).

Revision ID: 0011
Revises: 0017
"""

from alembic import op

revision = "0011"
down_revision = "0017"
branch_labels = None
depends_on = None

CONFIGS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian",
    "nn": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
TEXT_CHARS = 100_000


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    cases = " ".join(f"WHEN '{code}' THEN '{name}'" for code, name in sorted(CONFIGS.items()))
    op.execute(
        "CREATE FUNCTION broadsheet_ts_config(language text) RETURNS regconfig"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$"
        " SELECT (CASE lower(split_part(replace(coalesce(language, ''), '_', '-'), '-', 1))"
        f" {cases} ELSE 'simple' END)::regconfig $$"
    )
    op.execute(
        "CREATE TABLE articles_fts ("
        " id integer PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,"
        " config regconfig NOT NULL,"
        " document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX articles_fts_document ON articles_fts USING gin (document)")
    document = (
        "setweight(to_tsvector(broadsheet_ts_config({r}.language), coalesce({r}.title, '')), 'A')"
        " || setweight(to_tsvector(broadsheet_ts_config({r}.language),"
        f" left(coalesce({{r}}.text, ''), {TEXT_CHARS})), 'B')"
    )
    op.execute(
        "CREATE FUNCTION articles_fts_keep() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO articles_fts (id, config, document) VALUES"
        f" (NEW.id, broadsheet_ts_config(NEW.language), {document.format(r='NEW')})"
        " ON CONFLICT (id) DO UPDATE SET config = EXCLUDED.config, document = EXCLUDED.document;"
        " RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles"
        " FOR EACH ROW EXECUTE FUNCTION articles_fts_keep()"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text, language ON articles"
        " FOR EACH ROW EXECUTE FUNCTION articles_fts_keep()"
    )
    op.execute(
        "INSERT INTO articles_fts (id, config, document)"
        f" SELECT a.id, broadsheet_ts_config(a.language), {document.format(r='a')}"
        " FROM articles a"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS articles_fts_au ON articles")
    op.execute("DROP TRIGGER IF EXISTS articles_fts_ai ON articles")
    op.execute("DROP FUNCTION IF EXISTS articles_fts_keep()")
    op.execute("DROP TABLE IF EXISTS articles_fts")
    op.execute("DROP FUNCTION IF EXISTS broadsheet_ts_config(text)")
