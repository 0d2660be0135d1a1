from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.support.httpserver import TestServer

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
    loopback servers (RELIABILITY 1), no politeness delay."""
    return Settings(
        data_dir=tmp_path,
        allow_private_addresses=["127.0.0.1", "::1"],
        per_host_delay=0.0,
        per_host_concurrency=4,
        fetch_timeout=5.0,
        default_sources=False,
        extract_workers=1,
    )
