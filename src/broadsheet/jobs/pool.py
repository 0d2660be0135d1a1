"""Where CPU-bound stages run: a pool of worker processes, or in-process for one worker.

Extraction is pure Python and CPU-bound, so on a 2-core machine two processes roughly
double throughput. Workers are started with ``spawn`` (never ``fork`` from a process that
runs threads). A page that exceeds the time budget is abandoned by the caller, which
falls back to the feed's own content.

What a worker process survives (issue 10):

- **A worker killed** (the OOM killer, ``kill -9``): the executor is broken for every
  task in flight. The pool replaces it with a fresh one and runs the task again, at most
  ``RETRIES`` times; a task that kills its worker every time raises ``WorkerLost``, which
  the caller treats like any extraction failure. Nothing stops for good.
- **Its parent killed** (``kill -9`` or an unhandled SIGTERM of ``serve``, ``worker`` or
  ``ingest``): each worker runs a watchdog thread that exits the process as soon as its
  parent is gone, within ``WATCHDOG_INTERVAL`` seconds, so no orphan keeps its memory.
- **Ctrl-C**: workers ignore SIGINT; the parent shuts the pool down in order.

Memory: callables named in ``solo`` (by default the understanding step, which loads
spaCy) run in ``solo_workers`` dedicated processes (default one), so the model is in
memory once, not once per extraction worker.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Collection
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from broadsheet.errors import WorkerLost

T = TypeVar("T")
log = logging.getLogger(__name__)

RETRIES = 2  # a task whose worker died is run again at most this many times
WATCHDOG_INTERVAL = 0.5  # s between two checks that the parent is alive
# Callables that hold a large model: they run in one process of their own.
SOLO = frozenset({"broadsheet.understand.stage.understand_article"})


def _follow(parent: int) -> None:
    """Initializer of every worker process: live and stop with the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with(parent)


def _warm_up(parent: int) -> None:
    """Initializer of an extraction worker: follow the parent, import extraction once."""
    _follow(parent)
    import broadsheet.extract  # noqa: F401  (import trafilatura once per worker)


def die_with(parent: int) -> None:
    """Exit this process when ``parent`` exits, however it exits: a process whose parent
    is gone is re-parented (to init or a subreaper), so ``getppid`` changes.

    Not ``PR_SET_PDEATHSIG``: Linux sends that signal when the parent *thread* that
    spawned the worker exits, and the pool may be first used from a short-lived thread.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCHDOG_INTERVAL)
        os._exit(0)

    if os.getppid() != parent:  # gone before we got here
        os._exit(0)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _started() -> None:
    """A no-op task: submitting one per worker starts every worker at once."""


def start_process_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
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
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=initializer, initargs=initargs
        )
        for _ in range(workers):
            pool.submit(_started)  # the process starts here, inheriting SIG_IGN
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    return pool


class WorkerPool:
    def __init__(
        self, workers: int, *, solo: Collection[str] = SOLO, solo_workers: int = 1
    ) -> None:
        self.workers = max(1, workers)
        self.solo = frozenset(solo)
        self.solo_workers = max(1, solo_workers)
        self.restarts = 0  # executors replaced after a worker died
        self._executor: Executor | None = None
        self._solo_executor: Executor | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerPool:
        if self.workers == 1:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        else:
            self._executor = self._processes(self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            executors = [self._executor, self._solo_executor]
            self._executor = self._solo_executor = None
        for executor in executors:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def _processes(n: int, initializer: Callable[[int], None] = _warm_up) -> ProcessPoolExecutor:
        return start_process_pool(n, initializer, (os.getpid(),))

    def pids(self) -> list[int]:
        """Process ids of the live workers (empty when the pool runs in-process)."""
        pids: list[int] = []
        for executor in (self._executor, self._solo_executor):
            processes = getattr(executor, "_processes", None) or {}
            pids.extend(p.pid for p in list(processes.values()) if p.pid)
        return pids

    def _executor_for(self, fn: Callable[..., Any]) -> Executor:
        with self._lock:
            if self._executor is None:
                raise RuntimeError("WorkerPool used outside its with-block")
            if self.workers == 1 or _name(fn) not in self.solo:
                return self._executor
            if self._solo_executor is None:  # no trafilatura there: it only understands
                self._solo_executor = self._processes(self.solo_workers, _follow)
            return self._solo_executor

    def _replace(self, broken: Executor) -> None:
        """Swap a broken executor for a fresh one (once, whoever notices first)."""
        with self._lock:
            if broken is self._executor:
                self._executor = self._processes(self.workers)
            elif broken is self._solo_executor:
                self._solo_executor = self._processes(self.solo_workers, _follow)
            else:
                return  # already replaced by another task, or the pool is closing
            self.restarts += 1
        log.warning("a worker process died; started a fresh pool (%d so far)", self.restarts)
        broken.shutdown(wait=False, cancel_futures=True)

    async def run(self, timeout: float, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` in the pool; raise TimeoutError past ``timeout`` s,
        WorkerLost when the worker running it died ``RETRIES + 1`` times."""
        loop = asyncio.get_running_loop()
        for attempt in range(RETRIES + 1):
            executor = self._executor_for(fn)
            try:
                if kwargs:
                    future = loop.run_in_executor(executor, _call, fn, args, kwargs)
                else:
                    future = loop.run_in_executor(executor, fn, *args)
                return await asyncio.wait_for(future, timeout)
            except BrokenProcessPool:
                self._replace(executor)
                log.warning("%s: worker died (attempt %d)", _name(fn), attempt + 1)
        raise WorkerLost(f"{_name(fn)}: the worker process died {RETRIES + 1} times running it")


def _name(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', '')}"


def _call(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    return fn(*args, **kwargs)
