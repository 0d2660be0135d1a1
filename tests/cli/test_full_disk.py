"""A full disk during ``ingest --once`` (issue 16): the report, one clear line, the error
on the source's row, no traceback, and a database that passes its integrity check."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.support import run
from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss

# SQLite's own limit on the database's size in pages: past it, every write fails with
# SQLITE_FULL, "database or disk is full", exactly as on a full disk. It is set on every
# connection the command opens, before the command runs.
FULL_AT = """
import sqlalchemy
from sqlalchemy import event

@event.listens_for(sqlalchemy.engine.Engine, "connect")
def _disk_full_at(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA max_page_count = {pages}")
"""


@pytest.mark.sqlite_only("the full disk is made with SQLite's max_page_count")
def test_a_full_disk_gives_the_report_one_line_and_the_error_on_the_source(
    server: TestServer, tmp_path: Path
) -> None:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(1, 13)]
    server.route(
        "/feed.xml", rss(server.base, items), headers={"content-type": "application/rss+xml"}
    )
    for n in range(1, 13):
        server.route(f"/news/{n}", page(f"Pier story {n}", n) * 3)
    added = run(tmp_path, "sources", "add", server.url("/feed.xml"))
    assert added.returncode == 0, added.stderr
    database = tmp_path / "broadsheet.db"
    with sqlite3.connect(database) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]

    done = run(tmp_path, "ingest", "--once", prelude=FULL_AT.format(pages=pages + 2))

    assert done.returncode == 1
    assert done.stderr == "error: database write failed: database or disk is full\n"
    assert "sources polled" in done.stdout and "failures" in done.stdout  # the report
    listed = run(tmp_path, "sources", "list")
    assert "error ×1: database write failed: database or disk is full" in listed.stdout
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
