"""RELIABILITY 7: broken feeds parse leniently or fail clearly; NUL never reaches PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.models import Article
from broadsheet.store import Store

FE = "tests/ingest/test_feeds.py::"
M = "tests/reliability/test_07_broken_feeds.py::"
LINES = {
    "Broken feeds (truncated, wrong or conflicting charset": [
        FE + "test_truncated_keeps_complete_items",
        FE + "test_latin1_declared_as_utf8",
        FE + "test_invalid_bytes_and_conflicting_charset",
        FE + "test_utf16_with_bom_and_without",
        FE + "test_nul_bytes_and_lone_surrogates_never_come_out",
        FE + "test_garbage_raises_parse_error",
        FE + "test_arbitrary_bytes",
        FE + "test_mutated_feeds",
        "tests/ingest/test_jsonfeed.py::test_lone_surrogates_nul_and_control_characters",
        "tests/ingest/test_sitemap.py::test_truncated_sitemap_keeps_what_came_before",
        "tests/fuzz/test_fuzz_parsers.py::test_any_bytes_are_a_feed_or_a_parse_error",
    ],
    "NUL bytes never reach PostgreSQL.": [M + "test_07_nul_bytes_never_reach_postgresql"],
}

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_store(tmp_path: Path) -> Iterator[Store]:
    """A store in a database of its own on the local PostgreSQL, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    name = f"bs_nul_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    settings = Settings(
        data_dir=tmp_path,
        default_sources=False,
        database_url=ADMIN_URL.rsplit("/", 1)[0] + "/" + name,
    )
    store = Store.open(settings)
    try:
        yield store
    finally:
        store.close()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def test_07_nul_bytes_never_reach_postgresql(pg_store: Store) -> None:
    # PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"): the store
    # must take them out of every field before they get there, not fail the article.
    source = pg_store.add_source("https://nul.example/feed\x00.xml", name="Nul\x00 News")
    article = Article(
        url="https://nul.example/a", canonical_url="https://nul.example/a",
        title="Title\x00 with NUL", text="Body\x00text.\n\nMore\x00.", html="<p>Body\x00</p>",
        author="A\x00uthor", content_hash="nul1", published=datetime(2026, 1, 2, tzinfo=UTC),
    )  # fmt: skip
    saved = pg_store.save_article(
        source.id, article, datetime(2026, 1, 2, tzinfo=UTC), guid="g\x00"
    )
    assert isinstance(saved, int)
    stored = pg_store.get_article(saved)
    assert stored is not None
    for value in (stored.title, stored.text, stored.html, stored.author or "", stored.url):
        assert "\x00" not in value
    assert (
        stored.title == "Title with NUL" and (pg_store.source_name(source.id) or "") == "Nul News"
    )
