"""One schema source: the SQLAlchemy models (store/schema.py) and the migrations agree.

A fresh SQLite database is migrated to head, then Alembic's autogenerate compares it with
the models' metadata; any difference (a table, column, type, nullability, index, unique or
foreign key written in one place and not the other) fails with the list of differences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from broadsheet.store import migrate
from broadsheet.store.engine import make_engine
from broadsheet.store.schema import metadata

# The FTS5 index of article text is SQLite-only and created by migration 0001 as virtual
# tables (articles_fts and its shadow tables); the models do not describe it on purpose.
FTS_PREFIX = "articles_fts"
RECENT_TABLE = "articles_fts_recent"  # PostgreSQL's newest documents (0031), not a model
# PostgreSQL's covering indexes for search's window (0032), not models
PG_WINDOW_INDEXES = ("ix_articles_search_window", "ix_story_articles_search_window")
ALEMBIC_TABLE = "alembic_version"


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(FTS_PREFIX) and name != ALEMBIC_TABLE
    return True


def _differences(conn: Any, include: Any) -> list[Any]:
    """What Alembic's autogenerate finds between the migrated database and the models."""
    opts = {"compare_type": True, "compare_server_default": False, "include_object": include}
    return list(compare_metadata(MigrationContext.configure(conn, opts=opts), metadata))


def test_models_and_migrations_build_the_same_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            diffs = _differences(conn, _include)
        assert diffs == [], "\n".join(map(str, diffs))
    finally:
        engine.dispose()


def test_every_foreign_key_is_indexed(tmp_path: Path) -> None:
    """A foreign key without an index makes deleting the parent row (a source, with its
    articles) scan the child table under the write lock."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        migrate.upgrade(engine)
        found = inspect(engine)
        missing = []
        for table in found.get_table_names():
            if table.startswith(FTS_PREFIX):
                continue
            leading = {tuple(ix["column_names"][:1]) for ix in found.get_indexes(table)}
            leading |= {tuple(u["column_names"][:1]) for u in found.get_unique_constraints(table)}
            leading.add(tuple(found.get_pk_constraint(table)["constrained_columns"][:1]))
            for fk in found.get_foreign_keys(table):
                if tuple(fk["constrained_columns"][:1]) not in leading:
                    missing.append(f"{table}.{','.join(fk['constrained_columns'])}")
        assert missing == [], missing
    finally:
        engine.dispose()


def test_0006_keeps_the_data_it_indexes(tmp_path: Path) -> None:
    """Upgrading a store with articles from 0005: the articles counter starts at their
    number and the entity rows get their article's sort_at."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate.upgrade(engine, "0005")
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO sources (id, url, kind, name, enabled, created_at, poll_interval,"
                " error_count) VALUES (1, 'https://a.example/feed', 'feed', 'A', 1,"
                " '2024-05-01 00:00:00.000000', 1800, 0)"
            )
            for n in (1, 2):
                conn.exec_driver_sql(
                    "INSERT INTO articles (id, source_id, url, canonical_url, title, fetched_at,"
                    " sort_at, text, html, content_hash, extraction, word_count) VALUES"
                    f" ({n}, 1, 'https://a.example/{n}', 'https://a.example/{n}', 'T{n}',"
                    f" '2024-05-0{n} 10:00:00.000000', '2024-05-0{n} 09:00:00.000000',"
                    " 'text', '<p>text</p>', 'h', 'page', 1)"
                )
            conn.exec_driver_sql(
                "INSERT INTO article_entities VALUES (2, 'person:ada', 'PERSON', 'Ada', 1)"
            )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            counted = conn.exec_driver_sql("SELECT value FROM counters WHERE name='articles'")
            assert counted.scalar() == 2
            sort_at = conn.exec_driver_sql("SELECT sort_at FROM article_entities").scalar()
            assert str(sort_at).startswith("2024-05-02 09:00:00")
    finally:
        engine.dispose()


def test_models_and_migrations_agree_on_postgresql_with_64_bit_ids(tmp_path: Path) -> None:
    """The same comparison on PostgreSQL (its search tables, 0011's and 0031's, and the
    window's covering indexes, 0032's, are not models), then an article whose id is past
    2^31: stored, read back and found by its id."""
    from broadsheet.config import Settings
    from broadsheet.models import Article
    from broadsheet.store import Store
    from tests.support.postgres import private_database

    def skip_search_table(obj: Any, name: str | None, type_: str, *rest: Any) -> bool:
        if type_ == "index":
            return name not in PG_WINDOW_INDEXES
        return not (type_ == "table" and name in (FTS_PREFIX, RECENT_TABLE, ALEMBIC_TABLE))

    with private_database("bsschema") as url:
        store = Store.open(Settings(data_dir=tmp_path, database_url=url, default_sources=False))
        try:
            with store.engine.connect() as conn:
                diffs = _differences(conn, skip_search_table)
                assert diffs == [], "\n".join(map(str, diffs))
                small = conn.exec_driver_sql(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = 'public' AND data_type = 'integer'"
                    " AND (column_name = 'id' OR right(column_name, 3) = '_id')"
                ).fetchall()
                assert small == []
                sequences = conn.exec_driver_sql("SELECT DISTINCT data_type FROM pg_sequences")
                assert [r[0] for r in sequences] == ["bigint"]
            with store.writer() as conn:
                conn.exec_driver_sql("ALTER SEQUENCE articles_id_seq RESTART WITH 3000000000")
            source = store.add_source("https://big.example/feed", name="Big Ids")
            url_ = "https://big.example/1"
            article = Article(url=url_, canonical_url=url_, title="Harbour reopens",
                              text="The harbour reopened.", html="<p>The harbour reopened.</p>",
                              content_hash="h1", language="en")  # fmt: skip
            from datetime import UTC, datetime

            saved = store.save_article(source.id, article, fetched_at=datetime.now(UTC))
            assert saved == 3_000_000_000
            stored = store.get_article(saved)
            assert stored is not None and stored.title == "Harbour reopens"
            assert store.search_article_ids("harbour") == [saved]
        finally:
            store.close()
