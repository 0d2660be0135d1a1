"""A failed job whose retry meets a newer job of its queueing lock gives way to it
(jobs/queue.py, ``Jobs.retry_job``). Found by the PostgreSQL restart trial with two queue
workers: a tick had deferred a source's poll while an earlier poll of it ran; the restart
failed that poll, and Procrastinate's retry (back to 'todo') broke the queueing lock's
unique index inside the worker's job task ("Task exception was never retrieved"). The job
stayed 'doing' and kept the source's lock, so the newer job could not run while the
worker lived.

PostgreSQL only (BROADSHEET_TEST_DATABASE=postgresql): a real Procrastinate worker.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from broadsheet.config import Settings
from broadsheet.jobs.queue import QUEUE, RETRY, apply_schema, make_app
from broadsheet.store import Store


def test_a_failed_job_whose_retry_meets_a_newer_job_of_its_lock_gives_way(
    settings: Settings, store: Store
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    app = make_app(settings)
    runs: list[int] = []
    lock = "source:1"

    @app.task(name="test.poll", queue=QUEUE, retry=RETRY)
    async def poll(n: int) -> None:
        runs.append(n)
        if n == 1:  # a tick defers the source again while this poll runs, then it fails
            await poll.configure(lock=lock, queueing_lock=lock).defer_async(n=2)
            raise RuntimeError("the database went away mid-poll")

    async def scenario() -> list[tuple[str, int]]:
        async with app.open_async():
            await apply_schema(app)
            await poll.configure(lock=lock, queueing_lock=lock).defer_async(n=1)
            # wait=False: each run stops once no job can be fetched (the second job waits
            # behind the first one's lock during the first run)
            for _ in range(2):
                await app.run_worker_async(queues=[QUEUE], wait=False, concurrency=2,
                                           install_signal_handlers=False)  # fmt: skip
            with store.engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT status::text, (args->>'n')::int FROM procrastinate_jobs"
                    " WHERE task_name = 'test.poll' ORDER BY id"
                )).all()  # fmt: skip
            return [(s, n) for s, n in rows]

    states = asyncio.run(scenario())
    assert states == [("aborted", 1), ("succeeded", 2)]  # none left 'doing' or waiting
    assert runs == [1, 2]
