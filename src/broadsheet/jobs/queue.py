"""Distributed work on PostgreSQL: Procrastinate tasks, run by ``broadsheet worker`` on
any number of machines (issue 14).

    tick (periodic, every scheduler_tick s, deferred once across all workers)
      ──> poll(source)      queueing_lock + lock "source:<id>": never queued twice,
                            never run twice at once; fetch, extract, understand, store
            ──> stories()   (after new articles) lock "stories": one placement at a
                            time for all workers
      ──> retry stalled jobs (their worker stopped beating)
    housekeeping (periodic, every minute): leftovers to place, digests, mails, webhooks,
                  the search's index of the newest articles trimmed

The poll task goes through the orchestrator (``pipeline.ingest_once``) with placement
off; politeness per host is claimed in the database by the fetcher (jobs/turns.py), so
it holds across workers. Story placement is one shard for every language: the engine
compares an article with every story of the window, whatever the language (a wire copy
is translated, a headline quoted), so sharding by language would change the stories.
Its ceiling is one placement task at a time, measured in bench/scale.py.

Retries are bounded (``RETRY``); a job that still fails stays ``failed``, listed by
``broadsheet jobs list --status failed`` and counted on /admin/sources. Procrastinate's
schema is applied at the worker's start (an advisory lock keeps two starting workers
from racing; nothing is done when it is there).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException, UniqueViolation
from procrastinate.jobs import Job, Status
from procrastinate.manager import QUEUEING_LOCK_CONSTRAINT, JobManager
from sqlalchemy.engine import make_url

from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError, StoreError
from broadsheet.jobs.pool import WorkerPool
from broadsheet.store import Store

log = logging.getLogger(__name__)

QUEUE = "broadsheet"
HEARTBEAT_KEY = "worker:{host}:{pid}"  # one per worker; /healthz reads them all
RESTART_AFTER = 2.0  # s before Procrastinate's worker is started again after it stopped
BEATS_KEPT = 3600.0  # s a stopped or silent worker's last beat stays for /healthz
RETRY = RetryStrategy(max_attempts=4, wait=5, exponential_wait=2)  # 5 s, 7 s, 9 s, 13 s
STALLED_BEATS = 6  # heartbeats missed before a worker's jobs are retried as stalled
STALLED_MIN = 15.0  # s, and at least this
SCHEMA_LOCK = 0x62_73_68_74  # pg_advisory_lock key while the schema is applied
DUE_PER_TICK = 1000  # sources deferred by one tick at most
STORIES_LOCK = "stories"
KEEP_HOURS = 1  # succeeded jobs kept this long
POLL_LEASE_BEATS = 3  # a source's poll lease lasts this many heartbeats, renewed by each
POLL_LEASE_MIN = 10.0  # s, and at least this (below the stalled delay, so a retry finds
# its source free)


def conninfo(settings: Settings) -> str:
    """The libpq connection string of the store's database URL."""
    url = make_url(settings.resolved_database_url())
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Jobs(JobManager):
    """Procrastinate's job manager, with a retry that gives way to a newer job of its
    queueing lock. A tick may defer a source's poll while an earlier poll of it runs (it
    read the source as due just before the poll claimed it); if that earlier poll then
    fails, Procrastinate's retry (back to 'todo') collides with the waiting job on the
    queueing lock's unique index and raises inside the worker's job task: the job stayed
    'doing' and kept the source's lock, so the waiting job never ran while the worker
    lived (found after a PostgreSQL restart, where every poll in flight failed). The
    waiting job does the same work, so the failed one is aborted instead."""

    async def retry_job(
        self,
        job: Job,
        retry_at: datetime | None = None,
        priority: int | None = None,
        queue: str | None = None,
        lock: str | None = None,
    ) -> None:
        try:
            await super().retry_job(job, retry_at=retry_at, priority=priority, queue=queue,
                                    lock=lock)  # fmt: skip
        except UniqueViolation as exc:
            if exc.constraint_name != QUEUEING_LOCK_CONSTRAINT:
                raise
            assert job.id is not None
            await self.finish_job_by_id_async(job.id, Status.ABORTED, delete_job=False)
            log.info("job %s not retried: a newer job of %s waits", job.id, job.queueing_lock)


def make_app(settings: Settings) -> App:
    app = App(connector=PsycopgConnector(conninfo=conninfo(settings)))
    app.job_manager = Jobs(connector=app.connector)  # before the tasks bind to it
    return app


async def apply_schema(app: App) -> bool:
    """Procrastinate's tables into the database unless they are there; True if applied."""
    pool = app.connector.pool  # type: ignore[attr-defined]
    async with pool.connection() as conn, conn.transaction():  # the lock lasts to the commit
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs')")
        found = await cursor.fetchone()
        if found and found[0] is not None:
            return False
        await conn.execute(app.schema_manager.get_schema())
        return True


class Work:
    """The tasks of one worker process, bound to its settings, store and process pool."""

    def __init__(self, settings: Settings, store: Store, app: App | None = None) -> None:
        # a poll still claims its source's lease (issue 10: a lease-based worker may share
        # the database), short and renewed by the heartbeat, so a worker killed mid-poll
        # frees its sources in POLL_LEASE_BEATS heartbeats, before its job is retried
        lease = max(POLL_LEASE_MIN, POLL_LEASE_BEATS * settings.worker_heartbeat)
        self.settings = settings.model_copy(update={"poll_lease": lease})
        # Procrastinate's own worker heartbeat beats as often as ours; a worker silent for
        # STALLED_BEATS of them is gone (killed, machine lost): its jobs are retried
        self.stalled_after = max(STALLED_MIN, STALLED_BEATS * settings.worker_heartbeat)
        self.store = store
        self.app = app or make_app(settings)
        self.pool: WorkerPool | None = None
        self.stats: dict[str, int] = {"polls": 0, "new_articles": 0, "failures": 0, "placed": 0}
        self.started = time.time()
        self.leftovers_from = self.leftovers_top = 0  # see place_leftovers
        self.beat_key = HEARTBEAT_KEY.format(host=socket.gethostname(), pid=os.getpid())
        self._register()

    def _register(self) -> None:
        app, every = self.app, max(1, round(self.settings.scheduler_tick))
        cron = f"* * * * * */{every}" if every < 60 else f"*/{max(1, every // 60)} * * * *"

        @app.periodic(cron=cron, periodic_id="tick")
        @app.task(name="broadsheet.tick", queue=QUEUE)
        async def tick(timestamp: int) -> int:
            return await self.tick()

        @app.task(name="broadsheet.poll", queue=QUEUE, retry=RETRY)
        async def poll(source_id: int) -> dict[str, int]:
            return await self.poll(source_id)

        @app.task(name="broadsheet.stories", queue=QUEUE, retry=RETRY)
        async def stories() -> int:
            return await self.place()

        @app.periodic(cron="0 * * * * *", periodic_id="housekeeping")
        @app.task(name="broadsheet.housekeeping", queue=QUEUE)
        async def housekeeping(timestamp: int) -> None:
            await self.housekeeping(datetime.fromtimestamp(timestamp, UTC))

        self.poll_task, self.stories_task = poll, stories

    # --- deferring ----------------------------------------------------------------------
    async def defer_poll(self, source_id: int) -> bool:
        lock = f"source:{source_id}"
        try:
            await self.poll_task.configure(lock=lock, queueing_lock=lock).defer_async(
                source_id=source_id
            )
        except AlreadyEnqueued:
            return False
        return True

    async def defer_stories(self) -> bool:
        try:
            await self.stories_task.configure(
                lock=STORIES_LOCK, queueing_lock=STORIES_LOCK
            ).defer_async()
        except AlreadyEnqueued:  # the one waiting will place these articles too
            return False
        return True

    # --- the tasks ----------------------------------------------------------------------
    async def tick(self) -> int:
        """Defer a poll of every due source, and retry the jobs of workers that stopped
        beating (killed, machine gone)."""
        due = await asyncio.to_thread(self.store.due_sources, None, DUE_PER_TICK)
        deferred = [await self.defer_poll(s.id) for s in due]
        await self.retry_stalled()
        return sum(deferred)

    async def place_leftovers(self) -> None:
        """A placement job if any article is in no story (its poll's defer was lost: the
        worker died between the save and the defer). An anti-join over the articles, so
        once a minute (housekeeping) and at start, not every tick. The process's first
        check reads the articles of the stories' window (older ones are not placed); after
        a check that found nothing, the next starts past the highest id seen one check
        earlier (not the last one: PostgreSQL hands out ids before the commit, so a save
        in flight may still land below it), or past the story engine's floor if higher."""
        from broadsheet.orchestrate.stories import engine_for

        engine = engine_for(self.store, self.settings)
        top = await asyncio.to_thread(self.store.last_article_id)
        first = await asyncio.to_thread(engine.unplaced, self.leftovers_from)
        if first is not None:
            await self.defer_stories()
        else:
            self.leftovers_from = self.leftovers_top
        self.leftovers_top = top

    async def retry_stalled(self) -> int:
        """Retry the jobs of workers that stopped beating; the number retried. Ticks can
        overlap (a loaded machine runs them late, several at once): a job another tick
        retried or aborted meanwhile is left to it (Procrastinate's SQL refuses the
        second change of status), not an error that fails this tick."""
        manager = self.app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=self.stalled_after))
        retried = 0
        for job in stalled:
            assert job.id is not None
            try:  # aborted instead when a newer job of its queueing lock waits (Jobs)
                await manager.retry_job(job)
            except ConnectorException as exc:
                if not isinstance(exc.__cause__, psycopg.errors.RaiseException):
                    raise
                log.info("job %s: retried or finished by another tick", job.id)
                continue
            log.warning("retried job %s (%s): its worker stopped", job.id, job.task_name)
            retried += 1
        return retried

    async def poll(self, source_id: int) -> dict[str, int]:
        from broadsheet.pipeline import ingest_once  # the orchestrator: heavy imports

        source = await asyncio.to_thread(self.store.get_source, source_id)
        now = datetime.now(UTC)
        if source is None or not source.enabled:
            return {"new_articles": 0}
        if source.next_poll_at is not None and source.next_poll_at > now:
            return {"new_articles": 0}  # polled since this job was deferred
        assert self.pool is not None, "Work.pool is set by run()"
        report = await ingest_once(
            self.settings, self.store, sources=[source], pool=self.pool, place_stories=False
        )
        self.stats["polls"] += report.sources_polled
        self.stats["new_articles"] += report.new_articles
        self.stats["failures"] += len(report.failures)
        if report.new_articles:
            await self.defer_stories()
        if report.store_error:  # the database refused a write: Procrastinate retries
            raise StoreError(report.store_error)
        return {"new_articles": report.new_articles, "duplicates": report.duplicates}

    async def place(self) -> int:
        from broadsheet.orchestrate.stories import place_unplaced

        read = await asyncio.to_thread(
            place_unplaced, self.store, self.settings, self.settings.understand
        )
        self.stats["placed"] += read
        return read

    async def housekeeping(self, now: datetime) -> None:
        """Once a minute across all workers: the changed stories' digests, the Daily 8
        mails (claimed per reader), new stories to the webhooks, the search's index of the
        newest articles trimmed back to its size, hourly statistics."""
        from broadsheet import digest_mail, story_digest
        from broadsheet.orchestrate import webhooks

        await self.place_leftovers()
        await asyncio.to_thread(self.forget_old_beats, now.timestamp())
        since = now - timedelta(minutes=2)
        await asyncio.to_thread(story_digest.refresh_changed, self.store, since)
        if self.settings.smtp_host:
            await asyncio.to_thread(digest_mail.send_due, self.settings, self.store, now)
        await webhooks.run_once(self.store, self.settings, now)
        await asyncio.to_thread(self.store.trim_recent_search)
        if now.minute == 0:
            await asyncio.to_thread(self.store.optimize)
            # succeeded jobs stay an hour for `broadsheet jobs list`; failed ones until purged
            await self.app.job_manager.delete_old_jobs(nb_hours=KEEP_HOURS)

    def forget_old_beats(self, now: float) -> int:
        """Delete the beats of workers stopped or silent for over BEATS_KEPT s (a killed
        worker's key would stay for good: each process has its own)."""
        old = [key for key, beat in self.store.worker_beats().items()
               if key != self.beat_key and key.startswith("worker:")
               and now - float(beat["at"]) > BEATS_KEPT]  # fmt: skip
        for key in old:
            self.store.delete_meta(key)
        return len(old)

    # --- running ------------------------------------------------------------------------
    async def run(self, concurrency: int) -> None:
        """Work until SIGINT or SIGTERM (the jobs in flight finish first)."""
        async with self.app.open_async():
            if await apply_schema(self.app):
                log.warning("Procrastinate's schema applied to the database")
            with WorkerPool(
                self.settings.extract_workers, solo_workers=self.settings.understand_workers
            ) as pool:
                self.pool = pool
                beat = asyncio.create_task(self._heartbeat(concurrency))
                try:
                    await self.tick()  # the first polls now, not at the first cron time
                    await self.place_leftovers()
                    await self._work(concurrency)
                finally:
                    beat.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await beat
                    await asyncio.to_thread(self._beat, concurrency, True)

    async def _work(self, concurrency: int) -> None:
        """Procrastinate's worker, started again whenever it stops without being asked to:
        it stops when its listener loses the database (PostgreSQL restarted), which left
        the process idle for good. Our own SIGINT/SIGTERM handlers cancel it (Procrastinate
        then stops gracefully), so a stop asked for is told from a lost connection."""
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        running: asyncio.Task[None] | None = None

        def stop() -> None:
            stopping.set()
            if running is not None:
                running.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop)
        try:
            while not stopping.is_set():
                running = asyncio.create_task(self.app.run_worker_async(
                    queues=[QUEUE], concurrency=concurrency, wait=True,
                    name=f"{socket.gethostname()}:{os.getpid()}",
                    update_heartbeat_interval=self.settings.worker_heartbeat,
                    stalled_worker_timeout=self.stalled_after,
                    install_signal_handlers=False,
                ))  # fmt: skip
                try:
                    await running
                except asyncio.CancelledError:
                    if not stopping.is_set():
                        raise
                except Exception as exc:  # the database unreachable at its start
                    log.warning("worker: the job queue is unreachable: %s", exc)
                if not stopping.is_set():
                    log.warning("worker: the job queue's worker stopped; starting it again")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), RESTART_AFTER)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def _heartbeat(self, concurrency: int) -> None:
        while True:
            await asyncio.to_thread(self._beat, concurrency, False)
            await asyncio.sleep(self.settings.worker_heartbeat)

    def _beat(self, concurrency: int, stopped: bool) -> None:
        beat: dict[str, Any] = {
            "at": time.time(),
            "every": self.settings.worker_heartbeat,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": self.started,
            "engine": "procrastinate",
            "concurrency": concurrency,
            **self.stats,
            "pool_restarts": self.pool.restarts if self.pool else 0,
        }
        if stopped:
            beat["stopped"] = True
        try:
            if not stopped:  # the polls in flight keep their sources
                until = datetime.now(UTC) + timedelta(seconds=self.settings.poll_lease)
                self.store.renew_source_leases(until)
            self.store.set_meta(self.beat_key, json.dumps(beat))
        except BroadsheetError as exc:
            log.warning("worker: heartbeat not recorded: %s", exc)
