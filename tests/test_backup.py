"""``broadsheet backup`` / ``restore`` (issue 14, operations), run as an operator runs them.

On the suite's backend (SQLite, or PostgreSQL with BROADSHEET_TEST_DATABASE=postgresql): a
backup restored into an empty data dir gives back the same site, ids and stories included;
a store that holds something is not overwritten without ``--force``. On SQLite the copy is
consistent while another connection writes. And a site moves from SQLite to PostgreSQL with
the JSON Lines export (also what backup falls back to when pg_dump is not on PATH).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.cli.support import one_line_error, run
from tests.support.postgres import private_database, wanted
from tests.test_import import _fill, _groups

NATIVE = "pg_dump" if wanted() else "sqlite"


def _export(data_dir: Path, env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    done = run(data_dir, "export", env=env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _site(settings: Settings, data_dir: Path, **update: object) -> int:
    return _fill(settings.model_copy(update={"data_dir": data_dir, "database_url": None, **update}))


def test_backup_then_restore_into_an_empty_store_gives_back_the_same_site(
    tmp_path: Path, settings: Settings
) -> None:
    site, copy, file = tmp_path / "site", tmp_path / "copy", tmp_path / "site.backup"
    count = _site(settings, site)
    before = _export(site)

    done = run(site, "backup", str(file))
    assert done.returncode == 0, done.stderr
    assert f"articles, 0 users to {file} ({NATIVE})" in done.stdout
    assert f" {count} articles" in done.stdout
    restored = run(copy, "restore", str(file))
    assert restored.returncode == 0, restored.stderr
    assert f"restored 6 sources, {count} articles, 0 users from {file} ({NATIVE})" in (
        restored.stdout
    )

    assert _export(copy) == before  # every field, the ids and the story ids too
    assert len(_groups(before, "story")) == 4
    listed = run(copy, "sources", "list")
    assert "Andes Daily" in listed.stdout and "Nippon Herald" in listed.stdout


def test_restore_refuses_a_store_that_is_not_empty_unless_forced(
    tmp_path: Path, settings: Settings
) -> None:
    site, other, file = tmp_path / "site", tmp_path / "other", tmp_path / "site.backup"
    _site(settings, site)
    assert run(site, "backup", str(file)).returncode == 0
    store = Store.open(settings.model_copy(update={"data_dir": other, "database_url": None}))
    try:
        store.add_source("https://kept.example/feed", "Kept Outlet")
    finally:
        store.close()

    refused = run(other, "restore", str(file))
    assert refused.returncode == 1
    assert one_line_error(refused) == (
        "error: the store is not empty (1 sources): restore --force replaces it with the backup"
    )
    assert "Kept Outlet" in run(other, "sources", "list").stdout  # untouched

    forced = run(other, "restore", "--force", str(file))
    assert forced.returncode == 0, forced.stderr
    assert _export(other) == _export(site)
    assert "Kept Outlet" not in run(other, "sources", "list").stdout

    missing = run(other, "restore", str(tmp_path / "nothing.backup"))
    assert one_line_error(missing) == f"error: {tmp_path / 'nothing.backup'}: no such backup file"


@pytest.mark.sqlite_only("SQLite's online backup API")
def test_a_sqlite_backup_is_one_consistent_snapshot_while_a_writer_writes(
    tmp_path: Path, settings: Settings
) -> None:
    store = Store.open(settings)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        while not stop.is_set():
            n = len(written)
            store.add_source(f"https://outlet{n}.example/feed", f"Outlet {n}")
            written.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = []
        for k in range(3):
            file = tmp_path / f"copy{k}.db"
            done = run(tmp_path, "backup", str(file))
            assert done.returncode == 0, done.stderr
            copies.append(file)
    finally:
        stop.set()
        writer.join()
        store.close()
    assert written, "the writer wrote nothing while the backups ran"
    for file in copies:
        with sqlite3.connect(file) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            names = [r[0] for r in db.execute("SELECT name FROM sources ORDER BY id")]
        # a snapshot: the sources written before it, in order, none half-written
        assert names == [f"Outlet {n}" for n in range(len(names))]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with private_database("bsmove") as url:
        yield url


def test_a_site_moves_from_sqlite_to_postgresql_with_the_export(
    tmp_path: Path, settings: Settings, postgres_url: str
) -> None:
    site, moved = tmp_path / "site", tmp_path / "moved"
    lite = {"BROADSHEET_DATABASE_URL": f"sqlite:///{site / 'broadsheet.db'}"}
    pg = {"BROADSHEET_DATABASE_URL": postgres_url}
    count = _site(settings, site, database_url=lite["BROADSHEET_DATABASE_URL"])
    before = _export(site, env=lite)
    dump = tmp_path / "site.jsonl"

    done = run(site, "backup", "--format", "jsonl", str(dump), env=lite)
    assert done.returncode == 0, done.stderr
    assert f"({'jsonl'})" in done.stdout
    # a SQLite copy cannot go into PostgreSQL: the message says what to do instead
    native = tmp_path / "site.db"
    assert run(site, "backup", str(native), env=lite).returncode == 0
    wrong = run(moved, "restore", str(native), env=pg)
    assert "move a site between backends with `broadsheet backup --format jsonl`" in (
        one_line_error(wrong)
    )

    restored = run(moved, "restore", str(dump), env=pg)
    assert restored.returncode == 0, restored.stderr
    assert f"imported {count} articles; 0 already stored; 0 bad lines skipped" in restored.stdout
    after = _export(moved, env=pg)
    fields = ("url", "canonical_url", "source", "title", "author", "published", "fetched",
              "language", "text", "entities", "summary")  # fmt: skip
    assert [{f: r.get(f) for f in fields} for r in after] == [
        {f: r.get(f) for f in fields} for r in before
    ]
    assert _groups(after, "story") == _groups(before, "story")
    assert _groups(after, "duplicate_of") == _groups(before, "duplicate_of")

    # without pg_dump on PATH, a PostgreSQL backup is that same export, and says so
    fallback = tmp_path / "fallback.backup"
    done = run(moved, "backup", str(fallback), env={**pg, "PATH": str(tmp_path / "empty")})
    assert done.returncode == 0, done.stderr
    assert "pg_dump is not on PATH: writing the JSON Lines export instead" in done.stderr
    assert "(jsonl)" in done.stdout
    lines = fallback.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["url"] for line in lines] == [r["url"] for r in after]
