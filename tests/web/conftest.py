from __future__ import annotations

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.sample import NOW, seed


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return seed(store)


@pytest.fixture
def app(settings: Settings, store: Store) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)
