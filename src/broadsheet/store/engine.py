"""Engine set-up: SQLite in WAL mode with a busy timeout; one writer at a time.

SQLite allows one writer; Broadsheet funnels writes through :meth:`Store.writer`, which
holds a process-wide lock and opens the transaction with ``BEGIN IMMEDIATE`` so that a
second process (the CLI while ``serve`` runs) waits on the busy timeout instead of failing
half-way through a transaction. Readers never block in WAL mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from broadsheet.errors import ConfigError

BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"BROADSHEET_DATABASE_URL: not a database URL ({exc})") from None
    if parsed.get_backend_name() != "sqlite":
        try:
            engine = create_engine(url, pool_pre_ping=True)
        except ImportError as exc:  # the URL names a driver that is not installed
            backend, package = parsed.get_backend_name(), exc.name or parsed.get_driver_name()
            hint = " (pip install 'psycopg[binary]')" if package == "psycopg" else ""
            raise ConfigError(
                f"BROADSHEET_DATABASE_URL: the {backend} driver needs the Python package "
                f"{package!r}, which is not installed{hint}"
            ) from None
        except NoSuchModuleError as exc:
            raise ConfigError(f"BROADSHEET_DATABASE_URL: {exc}") from None
        if parsed.get_backend_name() == "postgresql":
            event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("writer") else "BEGIN")

    return engine


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_scrub(v) for v in value)
    return value


def _without_nul(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    """PostgreSQL text cannot hold NUL (0x00): every string sent to it loses its NULs
    (RELIABILITY 7), whatever column or code path it comes from; SQLite keeps them."""
    return statement, _scrub(parameters)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
