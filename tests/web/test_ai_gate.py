"""Issue 16, defect 1: model calls never hold the web's workers, and no one client can
spend the site's daily AI budget. A real app served by uvicorn (or through ASGI), a real
local model server (tests/ai/llmserver.py) that holds its answers until the test lets go.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.ai.llmserver import ChatServer
from tests.readers.conftest import make_user, signed_in
from tests.support.served import served
from tests.web.sample import NOW, seed

PLENTY = "10000/minute"
HOLD = 240.0  # s the model holds a call unless let go: longer than anything the test does
WAIT = 120.0  # s to wait for a state the test needs (a bound for failure, not a measure)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
    )


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    server = ChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def article(store: Store) -> int:
    return seed(store)["port-strike-ends"]


def ai_app(settings: Settings, store: Store, chat: ChatServer, **update: Any) -> FastAPI:
    configured = settings.model_copy(
        update={"ai_base_url": chat.base_url, "ai_model": "m", "ai_timeout": 2 * HOLD, **update}
    )
    return create_app(configured, store, clock=lambda: NOW)


def _until(check: Any, what: str, timeout: float = WAIT) -> None:
    """Wait for a state the test needs (a bound for failure, not a measure of speed)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.01)


def _ask_all(base: str, article: int, count: int) -> tuple[ThreadPoolExecutor, list[Future]]:
    asking = ThreadPoolExecutor(count)
    futures = [
        asking.submit(httpx.get, f"{base}/articles/{article}/ask?q=question+{i}", timeout=2 * HOLD)
        for i in range(count)
    ]
    return asking, futures


def test_45_slow_asks_leave_healthz_and_pages_answering(
    settings: Settings, store: Store, chat: ChatServer, article: int
) -> None:
    # 45 asks against a model that answers only when told: before, they held 40 of
    # Starlette's 40 request threads and every page waited for the model.
    chat.mode, chat.hold_seconds = "hold", HOLD
    app = ai_app(
        settings, store, chat, ai_workers=4, ai_queue=41,
        limit_ai_client=PLENTY, limit_ai_anonymous=PLENTY,
    )  # fmt: skip
    with served(app) as base:
        asking, futures = _ask_all(base, article, 45)
        try:
            chat.wait_arrived(4, timeout=WAIT)  # the pool's four calls are at the model
            _until(lambda: app.state.ai_pool.taken == 45, "all 45 asks admitted")
            health = httpx.get(f"{base}/healthz", timeout=60)
            home = httpx.get(f"{base}/", timeout=60)
            page = httpx.get(f"{base}/articles/{article}", timeout=60)
            # The pages were served while every ask was still waiting for the model.
            assert not any(f.done() for f in futures)
            assert health.json()["status"] == "no worker"  # its answer (no worker runs here)
            assert home.status_code == 200
            assert page.status_code == 200 and "Port workers end three-day strike" in page.text
            assert len(chat.requests) == 4  # never more calls at once than the pool has
        finally:
            chat.release.set()
            answers = [f.result() for f in futures]
            asking.shutdown()
    assert [a.status_code for a in answers] == [200] * 45
    assert len(chat.requests) == 45


def test_a_full_queue_answers_503_with_retry_after_at_once(
    settings: Settings, store: Store, chat: ChatServer, article: int
) -> None:
    chat.mode, chat.hold_seconds = "hold", HOLD
    app = ai_app(
        settings, store, chat, ai_workers=2, ai_queue=3,
        limit_ai_client=PLENTY, limit_ai_anonymous=PLENTY,
    )  # fmt: skip
    with served(app) as base:
        asking, futures = _ask_all(base, article, 10)
        try:
            chat.wait_arrived(2, timeout=WAIT)
            done: set[Future] = set()
            while len(done) < 5:  # the five beyond 2 running + 3 waiting come back...
                finished, _ = wait(set(futures) - done, timeout=WAIT, return_when=FIRST_COMPLETED)
                assert finished, "no ask was turned away"
                done |= finished
            # ...while the five admitted are still waiting for the model.
            assert len(done) == 5 and app.state.ai_pool.taken == 5
            for refused in done:
                response = refused.result()
                assert response.status_code == 503
                assert int(response.headers["retry-after"]) >= 1
                assert "try again" in response.text
            assert httpx.get(f"{base}/healthz", timeout=60).json()["status"] == "no worker"
        finally:
            chat.release.set()
            results = [f.result() for f in futures]
            asking.shutdown()
    assert sorted(r.status_code for r in results) == [200] * 5 + [503] * 5
    assert app.state.ai_pool.taken == 0  # every place given back


def _gets(app: FastAPI, paths: list[str], ip: str, cookies: Any = None) -> list[httpx.Response]:
    """GETs in order from one client address, through the real ASGI app."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(ip, 4000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies=cookies
        ) as c:
            return [await c.get(p) for p in paths]

    return asyncio.run(go())


def test_one_anonymous_client_cannot_spend_the_daily_budget(
    settings: Settings, store: Store, chat: ChatServer, article: int
) -> None:
    # The attack: 205 distinct questions from one address in a few seconds spent
    # the whole budget of 200. Now the address's limit stops it (default: 6 a minute; an
    # hour here, so a loaded machine's 205 requests cannot outlast the moving window).
    make_user(store, settings, "reader@example.org")
    app = ai_app(settings, store, chat, ai_daily_budget=200, limit_ai_client="6/hour;40/day")
    asks = [f"/articles/{article}/ask?q=question+{i}" for i in range(205)]
    answers = _gets(app, asks, "203.0.113.7")
    codes = [r.status_code for r in answers]
    assert codes[:6] == [200] * 6 and set(codes[6:]) == {429}
    assert all(int(r.headers["retry-after"]) >= 1 for r in answers[6:])
    assert len(chat.requests) == 6
    # An answer already made costs nothing and is never limited.
    again = _gets(app, [asks[0]], "203.0.113.7")[0]
    assert again.status_code == 200 and len(chat.requests) == 6
    # Another reader, signed in, still has answers from the model.
    reader = signed_in(app, "reader@example.org")
    mine = reader.get(f"/articles/{article}/ask?q=my+own+question")
    assert mine.status_code == 200 and "not available" not in mine.text
    assert len(chat.requests) == 7


def test_anonymous_askers_together_have_a_share_and_readers_a_daily_budget(
    settings: Settings, store: Store, chat: ChatServer, article: int
) -> None:
    for who in ("a@example.org", "b@example.org"):
        make_user(store, settings, who)
    app = ai_app(
        settings, store, chat, limit_ai_client=PLENTY, limit_ai_anonymous="3/day",
        limit_ai_reader="2/day",
    )  # fmt: skip
    path = f"/articles/{article}/ask?q="
    many = [_gets(app, [f"{path}from+{n}"], f"198.51.100.{n}")[0] for n in range(1, 5)]
    assert [r.status_code for r in many] == [200, 200, 200, 429]  # four addresses, one share
    a, b = signed_in(app, "a@example.org"), signed_in(app, "b@example.org")
    assert [a.get(f"{path}a{n}").status_code for n in range(3)] == [200, 200, 429]
    assert b.get(f"{path}b").status_code == 200  # one reader's budget is not another's
    summary = a.get(f"/articles/{article}/ai-summary")  # every model feature counts
    assert summary.status_code == 429 and "retry-after" in summary.headers
    assert len(chat.requests) == 3 + 2 + 1
