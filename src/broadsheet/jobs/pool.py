"""Where CPU-bound stages run: a pool of worker processes, or in-process for one worker.

Extraction is pure Python and CPU-bound, so on a 2-core machine two processes roughly
double throughput. Workers are started with ``spawn`` (never ``fork`` from a process that
runs threads). A page that exceeds the time budget is abandoned by the caller, which
falls back to the feed's own content.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _warm_up() -> None:
    import broadsheet.extract  # noqa: F401  (import trafilatura once per worker)


def _started() -> None:
    """A no-op task: submitting one per worker starts every worker at once."""


def start_process_pool(
    workers: int, initializer: Callable[[], None] | None = None
) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes, all started now with Ctrl-C ignored.

    Ctrl-C in a terminal reaches the whole process group; a worker that inherits "ignore
    SIGINT" from the moment it starts never prints a KeyboardInterrupt traceback (not even
    half-way through its imports), and the parent, which handles Ctrl-C, shuts it down.
    """
    ctx = multiprocessing.get_context("spawn")
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=initializer)
        for _ in range(workers):
            pool.submit(_started)  # the process starts here, inheriting SIG_IGN
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return pool


class WorkerPool:
    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor: Executor | None = None

    def __enter__(self) -> WorkerPool:
        if self.workers == 1:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        else:
            self._executor = start_process_pool(self.workers, _warm_up)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    async def run(self, timeout: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in the pool; raise TimeoutError past ``timeout`` s."""
        if self._executor is None:
            raise RuntimeError("WorkerPool used outside its with-block")
        loop = asyncio.get_running_loop()
        if kwargs:
            future = loop.run_in_executor(self._executor, _call, fn, args, kwargs)
        else:
            future = loop.run_in_executor(self._executor, fn, *args)
        return await asyncio.wait_for(future, timeout)


def _call(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    return fn(*args, **kwargs)
