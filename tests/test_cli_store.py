"""``broadsheet migrate``, run as a user runs it (on the backend the suite runs on)."""

from __future__ import annotations

from pathlib import Path

from broadsheet.config import Settings
from broadsheet.store import migrate
from broadsheet.store.engine import make_engine
from tests.test_cli import broadsheet


def _empty_store(data_dir: Path) -> str:
    """The URL of the data dir's store, emptied (on PostgreSQL the suite's database comes
    migrated from a template: its schema is dropped)."""
    url = Settings(data_dir=data_dir).resolved_database_url()
    if not url.startswith("sqlite"):
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
    return url


def test_migrate_reports_the_revision_before_and_after(tmp_path: Path) -> None:
    _empty_store(tmp_path)
    head = migrate.head()
    first = broadsheet(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"schema migrated: empty -> {head}" in first.stdout
    again = broadsheet(tmp_path, "migrate")
    assert again.returncode == 0 and f"schema at {head} (head); nothing to do" in again.stdout


def test_migrate_from_an_older_revision(tmp_path: Path) -> None:
    engine = make_engine(_empty_store(tmp_path))
    migrate.upgrade(engine, "0005")
    assert migrate.current(engine) == "0005"
    engine.dispose()
    done = broadsheet(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert f"schema migrated: 0005 -> {migrate.head()}" in done.stdout
