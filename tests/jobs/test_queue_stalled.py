"""Overlapping ticks retry a stalled job once, and neither fails (jobs/queue.py,
``retry_stalled``). Found by the 5,000-article chaos trial (docs/notes/issue-14-scale.md):
on a loaded machine the 1 s ticks ran late and several at once; two retried the same job
of the killed worker, and the second's retry was refused by Procrastinate's SQL ("Job was
not found or has an invalid status to retry"), which failed the tick job: three failed
jobs where there should be none.

PostgreSQL only (BROADSHEET_TEST_DATABASE=postgresql): real Procrastinate jobs.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from broadsheet.config import Settings
from broadsheet.jobs.queue import Work, apply_schema
from broadsheet.store import Store


def test_two_ticks_retrying_the_same_stalled_jobs_retry_each_once(
    settings: Settings, store: Store
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    sources = [store.add_source(f"http://127.0.0.1:9/feed{i}.xml", f"Feed {i}").id
               for i in range(3)]  # fmt: skip
    work = Work(settings.model_copy(update={"understand": False}), store)

    async def scenario() -> tuple[list[int], list[tuple[str, int]]]:
        async with work.app.open_async():
            await apply_schema(work.app)
            for source in sources:
                assert await work.defer_poll(source)
            with store.engine.begin() as conn:  # a worker took them, then was killed
                dead = conn.execute(text(
                    "INSERT INTO procrastinate_workers (last_heartbeat)"
                    " VALUES (now() - interval '1 hour') RETURNING id"
                )).scalar_one()  # fmt: skip
                conn.execute(
                    text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w"),
                    {"w": dead},
                )
            retried = list(await asyncio.gather(work.retry_stalled(), work.retry_stalled()))
            with store.engine.connect() as conn:
                states = conn.execute(text(
                    "SELECT status::text, attempts FROM procrastinate_jobs ORDER BY id"
                )).all()  # fmt: skip
            return retried, [(s, a) for s, a in states]

    retried, states = asyncio.run(scenario())
    assert sorted(retried) == [0, 3] or sum(retried) == 3  # each job retried by one tick
    assert states == [("todo", 1)] * 3  # waiting again, one attempt counted each
