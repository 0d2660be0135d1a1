"""The test suite on PostgreSQL: one fresh database per data directory.

``BROADSHEET_TEST_DATABASE=postgresql`` makes tests/conftest.py migrate a template database
once per run, then route every store the tests open, in the test process and in the
``broadsheet`` processes they start, to a database of its own: a store without an explicit
``database_url`` gets the database named after its data directory, created on first use as
a copy of the template (``CREATE DATABASE ... TEMPLATE``, a few tens of milliseconds) and
dropped after the test that made it.

The routing is this module's patch of ``Settings.resolved_database_url`` (the one place the
store's URL comes from): tests/conftest.py installs it in the test process, and the
``sitecustomize`` beside it installs it in every Python process started with this directory
on PYTHONPATH (the CLI helpers pass the environment on, less BROADSHEET_* variables, hence
the BSTEST_* names). Everything else, from the URL on, is the production code path.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

ADMIN = "BSTEST_PG_ADMIN"  # libpq conninfo of a database to run CREATE DATABASE from
TEMPLATE = "BSTEST_PG_TEMPLATE"  # the migrated template's name; also each database's prefix
URL = "BSTEST_PG_URL"  # SQLAlchemy URL of the server, without a database name

_made: set[str] = set()
_lock = threading.Lock()


def database_name(data_dir: Path) -> str:
    digest = hashlib.sha1(os.path.realpath(data_dir).encode()).hexdigest()[:20]
    return f"{os.environ[TEMPLATE].removesuffix('_tpl')}_{digest}"


def admin_connect() -> Any:
    import psycopg

    return psycopg.connect(os.environ[ADMIN], autocommit=True)


def ensure_database(name: str) -> None:
    """Create ``name`` from the template unless it exists (another process may race us)."""
    import psycopg

    with _lock:
        if name in _made:
            return
        with admin_connect() as conn:
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{os.environ[TEMPLATE]}"')
            except psycopg.errors.DuplicateDatabase:
                pass
        _made.add(name)


def forget(names: set[str]) -> None:
    with _lock:
        _made.difference_update(names)


def url_for(data_dir: Path) -> str:
    name = database_name(data_dir)
    ensure_database(name)
    return f"{os.environ[URL]}/{name}"


def install() -> None:
    """Route stores without an explicit URL to their data directory's own database."""
    if not os.environ.get(TEMPLATE):
        return
    try:
        from broadsheet.config import Settings
    except ImportError:  # a Python process that is not ours
        return
    if getattr(Settings.resolved_database_url, "routed", False):
        return

    def resolved_database_url(self: Settings) -> str:
        if self.database_url:
            return self.database_url
        return url_for(self.data_dir)

    resolved_database_url.routed = True  # type: ignore[attr-defined]
    Settings.resolved_database_url = resolved_database_url  # type: ignore[method-assign]
