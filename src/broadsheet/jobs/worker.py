"""The worker: polling, fetching, the process pool and writing, on one long-lived loop.

``broadsheet worker`` runs it in the main thread; ``broadsheet serve`` on SQLite runs one
in a thread beside the web server (``WorkerThread``), so one command gives a working site.
One event loop lives as long as the worker: a source's poll is a task started as soon as
the source is due (and the worker has room), so a slow source never holds back the rest
and a source left with a backlog is polled again as soon as it is due.

A database has one worker at a time: it holds the ``worker`` lease (store/coordination.py),
renewed with every heartbeat. A second worker (or a ``serve`` started beside a running
``worker``) waits on standby and takes over when the lease lapses, e.g. after the first
was killed: three heartbeats later. The heartbeat (meta ``worker``: time, polls, articles,
pool restarts, event-loop lag) is what ``/healthz`` reports; when it stops, ingestion is
dead and /healthz says so. Poll leases held by this worker are renewed with it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError
from broadsheet.jobs.pool import WorkerPool
from broadsheet.models import Source
from broadsheet.store import Store

if TYPE_CHECKING:
    from broadsheet.pipeline import Pipeline

log = logging.getLogger(__name__)

LEASE = "worker"
HEARTBEAT_KEY = "worker"
LAG_PROBE = 0.1  # s between two event-loop lag samples
DIGEST_EVERY = 60.0  # seconds between rounds of story digests
OPTIMIZE_EVERY = 3600.0  # seconds between refreshes of the planner's statistics
STOP_GRACE = 10.0  # s polls in flight get to finish when the worker stops
IO_THREADS = 16  # threads for the polls' database calls (asyncio.to_thread)
REPAIR_EVERY = 60.0  # s between two repairs of what failed steps left undone
EXTRACT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)  # s


@dataclass
class WorkerStats:
    started_at: float = field(default_factory=time.time)
    polls: int = 0
    new_articles: int = 0
    failures: int = 0  # failed sources and entries, as recorded on them
    crashed_polls: int = 0  # polls that raised (a bug): logged, the worker goes on
    fetches: Counter[str] = field(default_factory=Counter)  # "feed ok", "page http_4xx"…
    # extraction seconds: cumulative counts per bucket's upper bound, their sum and count
    extract_buckets: list[int] = field(default_factory=lambda: [0] * len(EXTRACT_BUCKETS))
    extract_sum: float = 0.0
    extract_count: int = 0

    def took(self, seconds: float) -> None:
        """One page's extraction time, into the histogram the heartbeat carries."""
        self.extract_sum += seconds
        self.extract_count += 1
        for i, bound in enumerate(EXTRACT_BUCKETS):
            if seconds <= bound:
                self.extract_buckets[i] += 1

    lags: deque[float] = field(default_factory=lambda: deque(maxlen=20_000))  # s

    def lag_ms(self) -> dict[str, float]:
        if not self.lags:
            return {"p50": 0.0, "p99": 0.0, "max": 0.0}
        ordered = sorted(self.lags)

        def at(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)

        return {"p50": at(0.5), "p99": at(0.99), "max": round(ordered[-1] * 1000, 1)}


class Worker:
    def __init__(
        self, settings: Settings, store: Store, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock or (lambda: datetime.now(UTC))
        self.stats = WorkerStats()
        self.pool: WorkerPool | None = None
        self.pipeline: Pipeline | None = None
        self.in_flight: dict[int, asyncio.Task[None]] = {}
        self.ready = threading.Event()  # set once the lease is held and the pool is up
        self.standby = threading.Event()  # set while another worker holds the database
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = threading.Event()
        self._cooldown: dict[int, float] = {}  # source id -> loop time before which not
        self._repairing = False

    # --- lifecycle ----------------------------------------------------------------------
    async def run(self) -> None:
        """Poll until ``stop()``; on standby first while another worker holds the
        database (``standby`` is set then)."""
        self._loop = asyncio.get_running_loop()
        # the polls' database reads and small writes run in threads (the loop never waits
        # on the database): enough of them that polls in flight do not queue for one
        self._loop.set_default_executor(
            ThreadPoolExecutor(IO_THREADS, thread_name_prefix="broadsheet-io")
        )
        self._stop, self._wake = asyncio.Event(), asyncio.Event()
        if self._stopping.is_set():
            self._stop.set()
        if not await self._take_over():
            return
        helpers: list[asyncio.Task[None]] = []
        _preload()  # before the lag probe starts: imports are start-up, not ingestion
        from broadsheet.pipeline import open_pipeline

        try:
            pool_size = self.settings.extract_workers
            with WorkerPool(pool_size, solo_workers=self.settings.understand_workers) as pool:
                self.pool = pool
                # one pipeline for the worker's life: every poll shares its fetcher (the
                # total request limit, robots.txt, connections) and its writer thread
                async with open_pipeline(self.settings, self.store, pool) as pipeline:
                    self.pipeline = pipeline
                    helpers = [
                        asyncio.create_task(self._heartbeat(), name="heartbeat"),
                        asyncio.create_task(self._probe_lag(), name="lag-probe"),
                        asyncio.create_task(self._maintain(), name="maintenance"),
                        asyncio.create_task(self._digests(), name="daily8-digest"),
                        asyncio.create_task(self._webhooks(), name="webhooks"),
                        asyncio.create_task(self._repairs(), name="repairs"),
                    ]
                    self.ready.set()
                    await self._dispatch()
                    await self._finish_polls()
        finally:
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            await asyncio.to_thread(self._say_goodbye)

    async def _take_over(self) -> bool:
        """Hold the worker lease, waiting while another worker holds it; False if asked
        to stop first."""
        assert self._stop is not None
        ttl = self.settings.worker_heartbeat * 3
        while not self._stop.is_set():
            try:
                if await asyncio.to_thread(self.store.claim_lease, LEASE, ttl):
                    self.standby.clear()
                    return True
                holder = await asyncio.to_thread(self.store.lease_holder, LEASE)
            except BroadsheetError as exc:
                holder = f"database busy: {exc}"
            if not self.standby.is_set():
                log.warning("worker on standby: another worker polls this database (%s)", holder)
                self.standby.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.settings.worker_heartbeat)
        return False

    def stop(self) -> None:
        """Ask the worker to stop (from any thread): polls in flight get STOP_GRACE s."""
        self._stopping.set()
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)

    # --- polling ------------------------------------------------------------------------
    async def _dispatch(self) -> None:
        """Start a poll task for each due source while there is room. Polls in flight
        (``poll_concurrency``) outnumber requests in flight (``fetch_concurrency``): a
        poll spends most of its time waiting for its host's next turn (1 s apart by
        default), so as many polls as request slots would leave most slots idle."""
        assert self._stop is not None and self._wake is not None
        room = max(1, self.settings.poll_concurrency)
        await self._repair()  # before the first poll: what a killed worker left undone
        while not self._stop.is_set():
            self._wake.clear()
            free = room - len(self.in_flight)
            if free > 0:
                try:
                    due = await asyncio.to_thread(self.store.due_sources, None, free + room)
                except BroadsheetError as exc:  # the database is busy or gone: retry
                    log.warning("worker: cannot read due sources: %s", exc)
                    due = []
                now = asyncio.get_running_loop().time()
                due = [s for s in due if s.id not in self.in_flight]
                due = [s for s in due if self._cooldown.get(s.id, 0.0) <= now]
                for source in due[:free]:
                    task = asyncio.create_task(self._poll(source), name=f"poll-{source.id}")
                    self.in_flight[source.id] = task
            waits = [asyncio.ensure_future(e.wait()) for e in (self._stop, self._wake)]
            await asyncio.wait(
                waits, timeout=self.settings.scheduler_tick, return_when=asyncio.FIRST_COMPLETED
            )
            for w in waits:
                w.cancel()

    async def _repairs(self) -> None:
        """A repair every REPAIR_EVERY seconds, beside the polls (it skips the articles
        they are understanding): what a failed step left undone is not left for long."""
        while True:
            await asyncio.sleep(REPAIR_EVERY)
            await self._repair()

    async def _repair(self) -> None:
        """Understand and place what a killed process (or a failed step) left undone."""
        from broadsheet.pipeline import IngestReport, repair

        assert self.pipeline is not None
        if self._repairing:  # the one before the first poll is still going: not twice
            return
        self._repairing = True
        try:
            report = IngestReport()
            await repair(self.pipeline, report)
            self.stats.failures += len(report.failures)
        finally:
            self._repairing = False

    async def _poll(self, source: Source) -> None:
        from broadsheet.pipeline import poll_source  # the orchestrator: heavy imports

        assert self.pipeline is not None and self._wake is not None
        try:
            report = await poll_source(self.pipeline, source)
            self.stats.polls += report.sources_polled
            self.stats.new_articles += report.new_articles
            self.stats.failures += len(report.failures)
            self.stats.fetches.update(report.fetches)
            for seconds in report.extract_times:
                self.stats.took(seconds)
        except Exception:  # a bug must not stop the worker: logged, the source retried
            self.stats.crashed_polls += 1
            log.exception("worker: polling %s failed", source.url)
            loop = asyncio.get_running_loop()  # not again at once: a bug, not bad luck
            self._cooldown[source.id] = loop.time() + self.settings.scheduler_tick
        finally:
            self.in_flight.pop(source.id, None)
            self._wake.set()

    async def _finish_polls(self) -> None:
        tasks = list(self.in_flight.values())
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE)
        for task in pending:  # their leases are released as they unwind
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    # --- heartbeat and lag --------------------------------------------------------------
    async def _heartbeat(self) -> None:
        interval = self.settings.worker_heartbeat
        while True:
            try:
                await asyncio.to_thread(self._beat)
            except BroadsheetError as exc:
                log.warning("worker: heartbeat not recorded: %s", exc)
            await asyncio.sleep(interval)

    def _beat(self) -> None:
        if not self.store.claim_lease(LEASE, self.settings.worker_heartbeat * 3):
            log.error("worker: another worker took over this database; stopping")
            self.stop()
            return
        until = datetime.now(UTC) + timedelta(seconds=self.settings.poll_lease)
        self.store.renew_source_leases(until)
        self.store.set_meta(HEARTBEAT_KEY, json.dumps(self.describe()))

    def describe(self) -> dict[str, object]:
        """What the heartbeat records (and /healthz shows)."""
        s = self.stats
        return {
            "at": time.time(),
            "every": self.settings.worker_heartbeat,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": s.started_at,
            "polls": s.polls,
            "new_articles": s.new_articles,
            "failures": s.failures,
            "crashed_polls": s.crashed_polls,
            "polls_in_flight": len(self.in_flight),
            "pool_restarts": self.pool.restarts if self.pool else 0,
            "loop_lag_ms": s.lag_ms(),
            "fetches": dict(s.fetches),
            "extract_seconds": {
                "le": list(EXTRACT_BUCKETS),
                "counts": list(s.extract_buckets),
                "sum": s.extract_sum,
                "count": s.extract_count,
            },
        }

    def _say_goodbye(self) -> None:
        try:
            beat = {**self.describe(), "stopped": True}
            self.store.set_meta(HEARTBEAT_KEY, json.dumps(beat))
            self.store.release_lease(LEASE)
        except BroadsheetError as exc:
            log.warning("worker: could not record its stop: %s", exc)

    async def _maintain(self) -> None:
        """Housekeeping off the loop: the story pages' digests of the stories changed
        since the last round (each busy story rebuilt once a round, not per batch), the
        search's index of the newest articles trimmed back to its size (SQLite), and the
        planner's statistics every hour."""
        from broadsheet import story_digest

        # the first round looks at every story: digests missing or left by an older version
        # (after an upgrade) are made in the background, not on readers' first views
        since = datetime(1970, 1, 1, tzinfo=UTC)
        last_optimize = time.monotonic()
        while True:
            await asyncio.sleep(DIGEST_EVERY)
            started = datetime.now(UTC)
            try:
                await asyncio.to_thread(story_digest.refresh_changed, self.store, since)
                since = started
                await asyncio.to_thread(self.store.trim_recent_search)
                if time.monotonic() - last_optimize >= OPTIMIZE_EVERY:
                    await asyncio.to_thread(self.store.optimize)
                    last_optimize = time.monotonic()
            except BroadsheetError as exc:  # the pages compute what is missing meanwhile
                log.warning("worker: maintenance: %s", exc)

    async def _digests(self) -> None:
        """The Daily 8 by mail to the readers who asked for it, once per reader and day
        (digest_mail.py: claimed in the store before each send, so a restart never sends
        twice)."""
        from broadsheet import digest_mail

        if not self.settings.smtp_host:
            return
        while True:
            try:
                await asyncio.to_thread(
                    digest_mail.send_due, self.settings, self.store, self.clock()
                )
            except BroadsheetError as exc:  # the database is busy: next round
                log.warning("worker: Daily 8 digest: %s", exc)
            await asyncio.sleep(self.settings.digest_every)

    async def _webhooks(self) -> None:
        """Announce new stories to the readers' webhooks and retry what failed (issue 13)."""
        from broadsheet.orchestrate import webhooks

        while True:
            await asyncio.sleep(self.settings.webhook_every)
            try:
                await webhooks.run_once(self.store, self.settings, datetime.now(UTC))
            except BroadsheetError as exc:  # the next round tries again
                log.warning("worker: webhooks: %s", exc)

    async def _probe_lag(self) -> None:
        """How late the loop wakes a sleeper: the time something blocked the loop."""
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(LAG_PROBE)
            self.stats.lags.append(max(0.0, loop.time() - start - LAG_PROBE))


def _preload() -> None:
    """Import the orchestrator and the stages now, not inside the first poll's task."""
    import broadsheet.orchestrate.stories  # noqa: F401
    import broadsheet.pipeline  # noqa: F401


class WorkerThread(threading.Thread):
    """A worker on its own thread and event loop, beside the web server (``serve``)."""

    def __init__(
        self, settings: Settings, store: Store, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__(name="broadsheet-worker", daemon=True)
        self.worker = Worker(settings, store, clock)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self.worker.run())
        except BaseException as exc:  # logged; /healthz reports the missing heartbeat
            self.error = exc
            log.exception("worker stopped")
        finally:
            self.worker.ready.set()  # nobody waits forever on a worker that failed

    def stop(self, timeout: float = STOP_GRACE + 20.0) -> None:
        self.worker.stop()
        self.join(timeout)
