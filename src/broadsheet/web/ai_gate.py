"""Model calls from the web, kept off the threads that serve pages (issue 16, defect 1).

A model may take half a minute to answer. Run on the server's request threads (Starlette's
pool of 40), 45 slow questions left no thread for any other page, ``/healthz`` included.
So the AI pages are ``async`` and go through :func:`call`:

1. the cache is looked up on a request thread (quick; a cached answer costs nothing and
   is never limited);
2. a place in the AI pool is taken: ``ai_workers`` calls run at once and ``ai_queue`` more
   may wait; when all are taken the page answers **503 with Retry-After at once**, it
   never waits for a place;
3. the asker's limits are counted (429 + Retry-After, the ``limits`` library as the
   readers' forms use it): a signed-in reader has ``limit_ai_reader`` (a per-reader daily
   budget); anyone not signed in has ``limit_ai_client`` per address, and all of them
   together ``limit_ai_anonymous``, so no one anonymous client (nor all of them) can spend
   the site's ``ai_daily_budget``;
4. the call runs on the AI pool's own threads while the request awaits it without holding
   any thread.

A request whose client goes away while it waits in the queue gives its place back; a call
already running finishes (its answer is cached for the next asker).
"""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from broadsheet.ai.client import ChatClient
from broadsheet.config import Settings
from broadsheet.web import guard

T = TypeVar("T")


class AiPool:
    """A bounded pool for model calls: ``workers`` at once, ``queue`` more waiting."""

    def __init__(self, settings: Settings) -> None:
        self.workers = settings.ai_workers
        self.capacity = settings.ai_workers + settings.ai_queue
        self.retry_after = max(1, math.ceil(settings.ai_timeout))
        self._taken = 0
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    @property
    def taken(self) -> int:
        """Calls running or waiting now."""
        return self._taken

    def admit(self) -> None:
        """Take a place, or raise 503 with Retry-After when the pool and its queue are full."""
        with self._lock:
            if self._taken >= self.capacity:
                raise HTTPException(status_code=503, headers={"retry-after": str(self.retry_after)})
            self._taken += 1

    def release(self) -> None:
        with self._lock:
            self._taken -= 1

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` on the pool in a place taken by :meth:`admit` (given back when done)."""
        with self._lock:
            if self._executor is None:  # made on first use: most apps never call a model
                self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="ai")
        future = self._executor.submit(fn)
        future.add_done_callback(lambda _: self.release())
        return future

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


def install(app: Any) -> None:
    app.state.ai_pool = AiPool(app.state.settings)


async def call(request: Request, fn: Callable[..., T | None], *args: Any) -> T | None:
    """``fn(*args)`` (an ``ai.service`` function taking ``cached_only``) without holding
    a request thread: its cached result, else a model call on the AI pool."""
    state = request.app.state
    found = await run_in_threadpool(lambda: fn(*args, cached_only=True))
    if found is not None or not ChatClient(state.settings).enabled:
        return found
    pool: AiPool = state.ai_pool
    pool.admit()
    try:
        reader = await run_in_threadpool(guard.current_reader, request)
        if reader is not None:
            state.limits.hit("ai_reader", str(reader.id))
        else:
            state.limits.hit("ai_client", guard.client_ip(request), ("ai_anonymous", "all"))
        future = pool.submit(lambda: fn(*args))
    except BaseException:
        pool.release()
        raise
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        future.cancel()  # still queued: its place is given back; running: it finishes
        raise
