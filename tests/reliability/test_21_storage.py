"""RELIABILITY 21: SQLite in WAL with a busy timeout and one writer; locks never surface;
a full disk rolls back cleanly; a PostgreSQL restart in the middle of an ingest: the same
worker process reconnects and finishes (a private cluster, never the shared server)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from broadsheet.demo.publisher import SamplePublisher
from broadsheet.store import Store
from tests.support.crash import Restart, log_digest, private_cluster, restart_trial

M = "tests/reliability/test_21_storage.py::"
LINES = {
    "SQLite: WAL, busy timeout, one writer": [
        "tests/store/test_store.py::test_open_creates_wal_database_with_fts",
        "tests/store/test_store.py::test_two_processes_share_the_file",
        "tests/test_writer_thread.py::test_steps_after_extraction_write_from_one_thread_off_the_loop",
        "tests/jobs/test_processes.py::test_two_web_processes_and_one_worker_share_one_database",
        M + "test_21_sqlite_waits_on_a_busy_database_instead_of_failing",
    ],
    '8 concurrent writers never see "database is locked"': [
        "tests/store/test_store.py::test_concurrent_writers_never_see_database_locked",
    ],
    "a full disk rolls back with a clear error and `PRAGMA integrity_check` passes": [
        "tests/cli/test_full_disk.py::test_a_full_disk_gives_the_report_one_line_and_the_error_on_the_source",
        M + "test_21_a_full_filesystem_fails_ingest_with_one_line_and_no_corruption",
    ],
    "PostgreSQL restart: reconnect with backoff.": [
        M + "test_21_a_postgresql_restart_mid_ingest_the_worker_reconnects_and_finishes",
    ],
}


@pytest.mark.sqlite_only("SQLite's busy timeout (PostgreSQL waits on row locks by itself)")
def test_21_sqlite_waits_on_a_busy_database_instead_of_failing(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


RESTART_WORKERS = (1, 2)


def _restart(where: Path, workers: int) -> Restart:
    with SamplePublisher(articles_per_outlet=4, latency=0.02) as publisher, private_cluster() as pg:
        return restart_trial(pg, where / "data", publisher, workers=workers)


@pytest.fixture(scope="module")
def restarts(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[int, tuple[Path, Future[Restart]]]]:
    """Both restart trials, started at once on the module's first use (each its own
    cluster, publisher and workers; most of a trial is waiting for the workers to reconnect
    and retry, and the waits overlap): workers -> the trial's data dir and its result."""
    with ThreadPoolExecutor(len(RESTART_WORKERS)) as pool:
        where = {n: tmp_path_factory.mktemp(f"restart{n}") for n in RESTART_WORKERS}
        yield {n: (where[n] / "data", pool.submit(_restart, where[n], n)) for n in RESTART_WORKERS}


@pytest.mark.parametrize("workers", RESTART_WORKERS)
def test_21_a_postgresql_restart_mid_ingest_the_worker_reconnects_and_finishes(
    restarts: dict[int, tuple[Path, Future[Restart]]], workers: int
) -> None:
    """A private PostgreSQL 15 cluster (initdb + pg_ctl, a free port); ``broadsheet worker``
    against it; the server stopped when a third of the articles are in and started again
    two seconds later: the same worker process stays up, reconnects and stores the rest,
    each article once (a failed poll gives its source's lease back once the database is
    there again, instead of keeping the source forever). ``broadsheet worker`` is the
    Procrastinate worker here; with two, every article is placed in a story and no job is
    left waiting too (Procrastinate's worker stopped when its listener lost the server,
    leaving the process up and idle: jobs/queue.py starts it again). The one-worker and
    two-worker trials run at once (the ``restarts`` fixture)."""
    data, trial = restarts[workers]
    result = trial.result()
    log = log_digest(data / "broadsheet.log")  # one line per record
    assert result.worker_alive, log
    assert result.missing == [] and result.finished, (result, log)
    assert result.twice == []
    assert result.integrity == "ok"
    assert (result.unplaced, result.stuck) == (0, 0), (result, log)


@pytest.mark.sqlite_only("the database file on a small tmpfs")
def test_21_a_full_filesystem_fails_ingest_with_one_line_and_no_corruption(
    tmp_path: Path,
) -> None:
    """A real full filesystem (a 3 MB tmpfs, when this process may mount one), not only
    SQLite's page limit: ``ingest --once`` stops with one line and exit code 1 instead of
    waiting on leases it could not give back, and the database passes its check."""
    import os
    import sqlite3
    import subprocess

    from broadsheet.config import Settings
    from broadsheet.store import Store
    from tests.cli.support import one_line_error, run

    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs needs root (the page-limit test covers the rest)")
    try:
        data = disk / "data"
        with SamplePublisher(articles_per_outlet=10) as publisher:
            url = f"sqlite:///{data / 'broadsheet.db'}"
            store = Store.open(Settings(data_dir=data, default_sources=False, database_url=url))
            for outlet in publisher.outlets:
                store.add_source(outlet.feed_url, name=outlet.name)
            store.close()
            free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
            (disk / "filler").write_bytes(b"\0" * (free - 150_000))
            done = run(data, "ingest", "--once", env={"BROADSHEET_UNDERSTAND": "0"}, timeout=100)
        assert done.returncode == 1
        assert one_line_error(done) == "error: database write failed: database or disk is full"
        db = sqlite3.connect(data / "broadsheet.db")
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            db.close()
    finally:
        # lazily: a file still open anywhere must not leave the mount behind
        subprocess.run(["umount", "--lazy", str(disk)], check=False)
