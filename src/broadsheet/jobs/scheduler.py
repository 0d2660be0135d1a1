"""The in-process scheduler: a background thread that polls due sources every tick.

It runs its own event loop so the web server's loop never waits on the pipeline. Each
cycle's failures are already recorded on the sources; the thread only logs a summary.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from broadsheet.config import Settings
from broadsheet.jobs.pool import WorkerPool
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store

log = logging.getLogger("broadsheet.scheduler")


class Poller(threading.Thread):
    def __init__(self, settings: Settings, store: Store) -> None:
        super().__init__(name="broadsheet-poller", daemon=True)
        self.settings = settings
        self.store = store
        self.stopping = threading.Event()
        self.cycles = 0

    def run(self) -> None:
        with WorkerPool(self.settings.extract_workers) as pool:  # started once, reused
            self._loop(pool)

    def _loop(self, pool: WorkerPool) -> None:
        while not self.stopping.is_set():
            try:
                if self.store.due_sources(limit=1):
                    report = asyncio.run(ingest_once(self.settings, self.store, pool=pool))
                    log.info(
                        "polled %d sources: %d new articles, %d failures",
                        report.sources_polled,
                        report.new_articles,
                        len(report.failures),
                    )
            except Exception:  # a bug must not kill the poller; it is logged and retried
                log.exception("ingest cycle failed")
            self.cycles += 1
            self.stopping.wait(self.settings.scheduler_tick)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)
