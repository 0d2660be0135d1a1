from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.support import postgres
from tests.support.httpserver import TestServer
from tests.support.postgres import Databases

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def server() -> Iterator[TestServer]:
    srv = TestServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A fresh store in the test's temp dir, closed afterwards."""
    opened = Store.open(settings)
    yield opened
    opened.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for a test: a temp data dir, the guard open only for the test's own
    loopback servers (RELIABILITY 1), no politeness delay, and fetch and extraction
    deadlines a loaded machine does not miss (tests of a deadline set a short one). The
    extraction deadline also bounds understanding, and counts a fresh worker process's
    start and its first imports or language models."""
    return Settings(
        data_dir=tmp_path,
        allow_private_addresses=["127.0.0.1", "::1"],
        per_host_delay=0.0,
        per_host_concurrency=4,
        fetch_timeout=60.0,
        extract_timeout=120.0,
        default_sources=False,
        extract_workers=1,
    )


# --- the store's backend: SQLite, or PostgreSQL with BROADSHEET_TEST_DATABASE=postgresql ---
_POSTGRES: Databases | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _POSTGRES
    _patient_browser_assertions()
    if postgres.wanted() and _POSTGRES is None and not hasattr(config, "workerinput"):
        databases = postgres.Databases()
        try:
            databases.start()
        except SystemExit as exc:
            raise pytest.UsageError(str(exc)) from None
        _POSTGRES = databases
        # psycopg warns when a pooled connection is collected unclosed (sqlite3 does not):
        # a store a test leaves open must not fail whichever test the collector runs in
        config.addinivalue_line(
            "filterwarnings",
            "ignore:Exception ignored in. <function BaseConnection.__del__"
            ":pytest.PytestUnraisableExceptionWarning",
        )


@pytest.fixture(scope="session", autouse=True)
def _collect_unclosed_connections() -> Iterator[None]:
    """Collect what the session left unreferenced at its end, inside the last test's
    teardown where the filter above applies: a pooled psycopg connection collected after
    the session (at pytest's unconfigure, outside every test) was an error of the whole
    run whichever tests ran (seen with tests/store alone on PostgreSQL)."""
    yield
    gc.collect()


def _patient_browser_assertions() -> None:
    """Playwright's ``expect`` retries an assertion for 5 s by default: chromium on a loaded
    two-core machine can take longer to show what it will show. A minute bounds a failure."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        return
    expect.set_options(timeout=60_000)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _POSTGRES
    if _POSTGRES is not None:
        _POSTGRES.finish()
        _POSTGRES = None


# the fixtures every store of the suite's comes from: a no_database test uses neither
STORE_FIXTURES = {"store", "settings"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("no_database") is not None:
            found = STORE_FIXTURES & set(getattr(item, "fixturenames", ()))
            if found:
                raise pytest.UsageError(f"{item.nodeid}: no_database, yet uses {sorted(found)}")
    if _POSTGRES is None:
        return
    for item in items:
        for name, says in (("sqlite_only", "SQLite only"), ("no_database", "no database")):
            marker = item.get_closest_marker(name)
            if marker is not None:
                reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
                item.add_marker(pytest.mark.skip(reason=f"{says}: {reason}"))


@pytest.fixture(autouse=True)
def _own_postgres_databases() -> Iterator[None]:
    """On PostgreSQL: the databases a test made are dropped after it (in the background)."""
    if _POSTGRES is None:
        yield
        return
    before = _POSTGRES.existing()
    yield
    _POSTGRES.drop_later(_POSTGRES.existing() - before)
