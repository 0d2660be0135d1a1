"""RELIABILITY 21: SQLite in WAL with a busy timeout and one writer; locks never surface;
a full disk rolls back cleanly. PostgreSQL restarts are issue 14's."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from broadsheet.store import Store
from tests.reliability.index import Deferred

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
    ],
    "PostgreSQL restart: reconnect with backoff.": Deferred(
        "issue 14", "restarting the shared PostgreSQL server mid-run is issue 14's crash work"
    ),
}


@pytest.mark.sqlite_only("SQLite's busy timeout (PostgreSQL waits on row locks by itself)")
def test_21_sqlite_waits_on_a_busy_database_instead_of_failing(store: Store) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
