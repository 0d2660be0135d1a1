"""The switch that runs the suite on PostgreSQL (see pgsite/broadsheet_pgtest.py).

``BROADSHEET_TEST_DATABASE=postgresql`` (``make test-pg``) picks PostgreSQL; the server is
``BROADSHEET_TEST_POSTGRES_URL`` (default: the local one, trust auth, database ``test``).
When it is asked for and cannot be reached, the run stops with an error: it never falls
back to SQLite and never skips.
"""

from __future__ import annotations

import os
import queue
import secrets
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SWITCH = "BROADSHEET_TEST_DATABASE"
SERVER = "BROADSHEET_TEST_POSTGRES_URL"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SITE = Path(__file__).parent / "pgsite"

sys.path.insert(0, str(SITE))
import broadsheet_pgtest as routing  # noqa: E402


def wanted() -> bool:
    value = os.environ.get(SWITCH, "sqlite").strip().lower()
    if value in ("", "sqlite"):
        return False
    if value in ("postgresql", "postgres", "pg"):
        return True
    raise SystemExit(f"{SWITCH}={value!r}: expected 'sqlite' or 'postgresql'")


class Databases:
    """The run's template database, and the dropping of each test's databases."""

    def __init__(self) -> None:
        from sqlalchemy.engine import make_url

        server = make_url(os.environ.get(SERVER, DEFAULT_SERVER))
        if server.get_backend_name() != "postgresql":
            raise SystemExit(f"{SERVER}: not a PostgreSQL URL: {server}")
        self.prefix = f"bst_{secrets.token_hex(4)}"
        self.template = f"{self.prefix}_tpl"
        self.server = server
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_loop, daemon=True)

    def start(self) -> None:
        """Reach the server (or fail loudly), migrate the template, export the routing."""
        from broadsheet.store import migrate
        from broadsheet.store.engine import make_engine

        conninfo = self.server.set(drivername="postgresql").render_as_string(hide_password=False)
        os.environ[routing.ADMIN] = conninfo
        try:
            with routing.admin_connect() as conn:
                conn.execute(f'CREATE DATABASE "{self.template}"')
        except Exception as exc:  # noqa: BLE001 - any failure to reach it stops the run
            raise SystemExit(
                f"{SWITCH}=postgresql but PostgreSQL at {self.server.render_as_string()} "
                f"cannot be used: {exc.__class__.__name__}: {exc}".strip()
            ) from None
        base = self.server.set(database=self.template).render_as_string(hide_password=False)
        engine = make_engine(base)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        os.environ[routing.TEMPLATE] = self.template
        os.environ[routing.URL] = base.rsplit("/", 1)[0]
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(SITE), os.environ.get("PYTHONPATH", "")) if p
        )
        routing.install()
        self._dropper.start()

    def existing(self) -> set[str]:
        with routing.admin_connect() as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (self.prefix + "\\_%",),
            ).fetchall()
        return {r[0] for r in rows} - {self.template}

    def drop_later(self, names: set[str]) -> None:
        routing.forget(names)
        for name in sorted(names):
            self._drops.put(name)

    def _drop_loop(self) -> None:
        while (name := self._drops.get()) is not None:
            try:
                with routing.admin_connect() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - reported, the run goes on
                print(f"\ncould not drop test database {name}: {exc}", file=sys.stderr)
            finally:
                self._drops.task_done()

    def finish(self) -> None:
        """Drop every database of the run, the template last."""
        self.drop_later(self.existing())
        self._drops.put(None)
        self._dropper.join()
        with routing.admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def pythonpath(*paths: Path | str) -> str:
    """PYTHONPATH for a Python process a test starts: ``paths``, and on PostgreSQL runs the
    directory whose sitecustomize routes that process's store too."""
    routed = [str(SITE)] if os.environ.get(routing.TEMPLATE) else []
    return os.pathsep.join([*routed, *map(str, paths)])


@contextmanager
def private_database(prefix: str = "bsown") -> Iterator[str]:
    """A database of its own on the local PostgreSQL server (``BROADSHEET_TEST_POSTGRES_URL``),
    whichever backend the suite runs on: its SQLAlchemy URL; dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(os.environ.get(SERVER, DEFAULT_SERVER))
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
