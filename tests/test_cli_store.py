"""``broadsheet migrate``, run as a user runs it."""

from __future__ import annotations

from pathlib import Path

from broadsheet.store import migrate
from broadsheet.store.engine import make_engine
from tests.test_cli import broadsheet


def test_migrate_reports_the_revision_before_and_after(tmp_path: Path) -> None:
    head = migrate.head()
    first = broadsheet(tmp_path, "migrate")
    assert first.returncode == 0, first.stderr
    assert f"schema migrated: empty -> {head}" in first.stdout
    again = broadsheet(tmp_path, "migrate")
    assert again.returncode == 0 and f"schema at {head} (head); nothing to do" in again.stdout


def test_migrate_from_an_older_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'broadsheet.db'}")
    migrate.upgrade(engine, "0005")
    assert migrate.current(engine) == "0005"
    engine.dispose()
    done = broadsheet(tmp_path, "migrate")
    assert done.returncode == 0, done.stderr
    assert f"schema migrated: 0005 -> {migrate.head()}" in done.stdout
