"""Backups of the store, and their restoring, on either backend.

SQLite is copied with its online backup API (``sqlite3.Connection.backup``): the copy is one
consistent snapshot taken inside a read transaction, so a worker may go on writing while it
runs (WAL readers never block the writer). PostgreSQL is dumped with ``pg_dump`` in its
custom format and restored with ``pg_restore`` when those programs are on PATH; without them
the command line falls back to the JSON Lines export and import (see ``cli_backup``).

A backup is written beside its destination and renamed into place, so a failed or
interrupted backup never leaves a half file under the name asked for. Restoring refuses a
store that already holds sources, articles or accounts unless told to replace it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from broadsheet.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
# what makes a store "not empty": anything an operator would lose by overwriting it
CONTENT_TABLES = ("sources", "articles", "users")


def kind_of(path: Path) -> str:
    """``sqlite``, ``pg_dump`` or ``jsonl``: what a backup file holds, from its first bytes."""
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    return "jsonl"


def pg_tools() -> bool:
    """Whether ``pg_dump`` and ``pg_restore`` are on PATH."""
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in each of :data:`CONTENT_TABLES` that exists (none in a new database)."""
    present = set(inspect(engine).get_table_names())
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for table in CONTENT_TABLES:
            if table in present:
                counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    return counts


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise StoreError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def _replace(tmp: Path, dest: Path) -> None:
    os.replace(tmp, dest)


def _tmp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest.with_name(f".{dest.name}.{os.getpid()}.partial")


def backup_sqlite(engine: Engine, dest: Path) -> None:
    """A consistent copy of the SQLite database at ``dest``, while others may write."""
    source = _sqlite_path(engine)
    tmp = _tmp_beside(dest)
    tmp.unlink(missing_ok=True)
    try:
        with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(tmp) as dst:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        _replace(tmp, dest)
    except sqlite3.Error as exc:
        raise StoreError(f"backup failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def restore_sqlite(engine: Engine, backup: Path) -> None:
    """Copy ``backup`` over the store's database through the backup API (in one write
    transaction, so a reader sees the old database or the new one, never a mix)."""
    target = _sqlite_path(engine)
    try:
        with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as src:
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise StoreError(f"{backup}: a SQLite database, but not a Broadsheet backup")
            with sqlite3.connect(target, timeout=30) as dst:
                src.backup(dst)
                ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise StoreError(f"restore failed: {backup}: {exc}") from exc
    if ok != "ok":
        raise StoreError(f"restore failed: the restored database's integrity check says {ok}")


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The database as a libpq URL without its password, and the environment that carries
    the password (never on a command line that ``ps`` shows)."""
    url = make_url(str(engine.url.render_as_string(hide_password=False)))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise StoreError(f"{what} failed: {reason}")


def backup_postgres(engine: Engine, dest: Path) -> None:
    """``pg_dump --format=custom`` of the store's database to ``dest``."""
    conninfo, env = _libpq(engine)
    tmp = _tmp_beside(dest)
    try:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={tmp}", conninfo], env,
             "pg_dump")  # fmt: skip
        _replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def restore_postgres(engine: Engine, backup: Path) -> None:
    """``pg_restore`` of a dump into the store's database, replacing what it holds, in
    one transaction (a failure leaves the database as it was)."""
    conninfo, env = _libpq(engine)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={conninfo}", str(backup)], env,
         "pg_restore")  # fmt: skip
