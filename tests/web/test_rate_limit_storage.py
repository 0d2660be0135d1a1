"""Rate limits shared by several web processes: with ``rate_limit_storage`` at the Redis
on 127.0.0.1 two app instances (two processes' worth of ``RateLimits``, each with its own
storage client) count one budget together, while memory:// counts in each on its own.
Each test uses its own key prefix, and removes its keys."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.asgi import get

REDIS = "redis://127.0.0.1:6379/0"
BUDGET = 4


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"bs-test-{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


def _apps(settings: Settings, store: Store, storage: str, prefix: str) -> list[FastAPI]:
    shared = settings.model_copy(
        update={
            "rate_limit_storage": storage,
            "rate_limit_prefix": prefix,
            "limit_api_ip": f"{BUDGET}/hour",  # no window ends while the test runs
        }
    )
    return [create_app(shared, store), create_app(shared, store)]


def _statuses(apps: list[FastAPI], calls: int) -> list[int]:
    """``calls`` anonymous API calls from one address, alternating between the apps."""
    return [get(apps[i % len(apps)], "/api/v1/topics").status_code for i in range(calls)]


def test_two_apps_share_one_count_in_redis(settings: Settings, store: Store, prefix: str) -> None:
    apps = _apps(settings, store, REDIS, prefix)
    statuses = _statuses(apps, BUDGET + 2)
    assert statuses == [200] * BUDGET + [429, 429]  # 2 + 2 spent the budget of 4
    refused = get(apps[0], "/api/v1/topics")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    client = redis.Redis.from_url(REDIS)
    assert any(prefix in k.decode() for k in client.scan_iter(f"*{prefix}*"))
    client.close()
    # another site on the same Redis (another prefix) has its own budget
    other = _apps(settings, store, REDIS, prefix + "-other")
    assert get(other[0], "/api/v1/topics").status_code == 200


def test_in_memory_each_app_counts_alone(settings: Settings, store: Store, prefix: str) -> None:
    apps = _apps(settings, store, "memory://", prefix)
    assert _statuses(apps, 2 * BUDGET) == [200] * (2 * BUDGET)  # 4 each: none refused
    assert _statuses(apps, 2) == [429, 429]


def test_an_unreachable_store_lets_requests_through(
    settings: Settings, store: Store, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    apps = _apps(settings, store, "redis://127.0.0.1:1/0", prefix)  # nothing listens
    with caplog.at_level(logging.ERROR, logger="broadsheet.web.guard"):
        assert _statuses(apps[:1], BUDGET + 1) == [200] * (BUDGET + 1)
    assert "rate-limit storage failed" in caplog.text


def test_a_storage_uri_is_checked(settings: Settings) -> None:
    with pytest.raises(ValueError, match="rate-limit storage URI"):
        Settings(data_dir=settings.data_dir, rate_limit_storage="rdis://127.0.0.1")
