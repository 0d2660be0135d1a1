"""Engine set-up: SQLite in WAL mode with a busy timeout; one writer at a time. PostgreSQL.

SQLite allows one writer; Broadsheet funnels writes through :meth:`Store.writer`, which
holds a process-wide lock and opens the transaction with ``BEGIN IMMEDIATE`` so that a
second process (the CLI while ``serve`` runs) waits on the busy timeout instead of failing
half-way through a transaction. Readers never block in WAL mode.

On PostgreSQL (``postgresql+psycopg://``) the same lock serialises the writers of one
process only; what several processes may race on is written with upserts (``ON CONFLICT``)
or row locks by the store's modules. PostgreSQL's text cannot hold NUL characters, which
feeds and pages do send: every string sent to it loses them here, at the driver, so no
write fails on one and no query string (a search, a URL) can carry one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Integer, create_engine, event
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
            if engine.dialect.driver == "psycopg":
                event.listen(engine, "connect", _without_nul)
                _untyped_integers(engine)
            return engine
        except ImportError as exc:  # the URL names a driver that is not installed
            backend, package = parsed.get_backend_name(), exc.name or parsed.get_driver_name()
            hint = " (pip install 'psycopg[binary]')" if package == "psycopg" else ""
            raise ConfigError(
                f"BROADSHEET_DATABASE_URL: the {backend} driver needs the Python package "
                f"{package!r}, which is not installed{hint}"
            ) from None
        except NoSuchModuleError as exc:
            raise ConfigError(f"BROADSHEET_DATABASE_URL: {exc}") from None
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


class _UntypedInteger(Integer):
    render_bind_cast = False


def _untyped_integers(engine: Engine) -> None:
    """Integer parameters go to PostgreSQL without SQLAlchemy's ``::INTEGER`` cast: psycopg
    sends each as the smallest type that holds it, so an id beyond 32 bits from a URL or a
    cursor (SQLite's integers have 64) compares as "no such row" instead of failing the
    query with "integer out of range"."""
    engine.dialect.colspecs = {**engine.dialect.colspecs, Integer: _UntypedInteger}


def _without_nul(dbapi_conn: Any, _record: Any) -> None:
    """Strings lose their NUL characters on their way to PostgreSQL (text rejects them)."""
    from psycopg.types.string import StrBinaryDumper, StrDumper, StrDumperUnknown

    class Text(StrDumperUnknown):
        def dump(self, obj: str) -> bytes:
            return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)

    class TypedText(StrDumper):
        def dump(self, obj: str) -> bytes:
            return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)

    class Binary(StrBinaryDumper):
        def dump(self, obj: str) -> bytes:
            return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)

    adapters = dbapi_conn.adapters
    adapters.register_dumper(str, Text)
    adapters.register_dumper(str, Binary)
    adapters.register_dumper(str, TypedText)
    adapters.register_dumper(str, Text)  # the default for str stays the untyped one


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
