"""Work after the save is resumable: what a killed ingest left undone is finished later.

``kill -9`` between the save and the later steps leaves exactly this in the database:
articles with no understanding and no story. The next ingest cycle (the poller's, or a
one-shot ``ingest``) finds them by query and finishes them before it polls.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.orchestrate.steps import Steps
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from broadsheet.understand.pipelines import Pipelines

PIER = (
    "The harbour authority of Lisbon closed the Cais do Sodré pier on Monday after "
    "engineers found cracks in three of its supporting columns. Ferries to Cacilhas and "
    "Seixal leave from the Terreiro do Paço terminal until the repairs are finished, the "
    "authority's director, Ana Ferreira, told reporters at the pier."
)
STRIKE = (
    "Dock workers in Rotterdam began a 48-hour strike over night-shift pay on Tuesday, "
    "leaving container ships waiting at anchor in the North Sea. The union FNV said "
    "talks with the terminal operators had broken down after six weeks."
)
TITLES = ["Lisbon pier closes for repairs", "Lisbon pier closed after cracks found",
          "Rotterdam dock workers strike"]  # fmt: skip
BODIES = [PIER, PIER + " Commuters faced delays of up to an hour.", STRIKE]


def _saved_then_killed(store: Store) -> list[int]:
    """Articles as a process that died right after each save leaves them."""
    source = store.add_source("https://harbour.example/feed", "Harbour Post").id
    when = datetime(2026, 3, 1, 9, tzinfo=UTC)
    ids = []
    for n, (title, text) in enumerate(zip(TITLES, BODIES, strict=True)):
        article = Article(
            url=f"https://harbour.example/news/{n}",
            canonical_url=f"https://harbour.example/news/{n}",
            title=title,
            text=text,
            html=f"<p>{text}</p>",
            language="en",
            published=when + timedelta(hours=n),
            content_hash=content_hash(text),
        )
        saved = store.save_article(source, article, when + timedelta(hours=n, minutes=5))
        assert isinstance(saved, int)
        ids.append(saved)
    return ids


def test_next_ingest_understands_and_places_what_a_killed_one_left(
    settings: Settings, pipelines: Pipelines
) -> None:
    store = Store.open(settings)
    try:
        ids = _saved_then_killed(store)
        assert [row[0] for row in store.articles_without_understanding(0, 10)] == ids
        assert store.first_unplaced_article() == ids[0]
    finally:
        store.close()  # the process is gone: nothing of it survives but the database

    store = Store.open(settings)  # the next start
    try:
        report = asyncio.run(ingest_once(settings, store, sources=[]))
        assert not report.failures, report.failures
        assert store.articles_without_understanding(0, 10) == []
        assert store.first_unplaced_article() is None
        for article_id in ids:
            assert store.get_understanding(article_id)["language"]["code"] == "en"
            assert store.story_of_article(article_id) is not None
        # the two reports of the pier closure share a story; the strike has its own
        assert store.story_of_article(ids[0]) == store.story_of_article(ids[1])
        assert store.story_of_article(ids[2]) != store.story_of_article(ids[0])
    finally:
        store.close()


def test_repair_is_bounded_and_resumes_where_it_stopped(
    settings: Settings, pipelines: Pipelines
) -> None:
    from broadsheet.jobs.pool import WorkerPool

    store = Store.open(settings)
    try:
        ids = _saved_then_killed(store)

        async def repair_twice() -> tuple[int, int]:
            with WorkerPool(1) as pool:
                steps = Steps(settings, store, pool)
                first = await steps.repair(limit=2)
                # an article is placed only once it is understood: not the third yet
                assert [store.story_of_article(i) is None for i in ids] == [False, False, True]
                second = await steps.repair(limit=2)
                await steps.close()
            return first.understood, second.understood

        assert asyncio.run(repair_twice()) == (2, 1)
        assert store.articles_without_understanding(0, 10) == []
        assert all(store.story_of_article(i) is not None for i in ids)
        assert store.story_of_article(ids[0]) == store.story_of_article(ids[1])
    finally:
        store.close()


def test_a_batch_waiting_for_the_pool_is_not_timed_out(
    settings: Settings, pipelines: Pipelines
) -> None:
    """Each article's deadline counts its own work, not its wait behind the batch: a batch
    queued on one worker, where each article waits for its turn far longer than its budget,
    and none times out.

    The wait costs no real time: just before each article goes to the worker, the event
    loop's clock moves on by two budgets, so every article still in the queue has waited
    longer than a budget by the loop's clock (which every deadline of the loop reads). A
    deadline started before the queue expires then, however fast the machine; the budget
    itself is one no loaded machine misses for one article's work (milliseconds, the
    language model loaded beforehand, outside any budget)."""
    from broadsheet.jobs.pool import WorkerPool
    from broadsheet.orchestrate.understanding import understand_many

    budget = 120.0
    quick = settings.model_copy(update={"extract_timeout": budget})
    count = 6

    class QueuedPool(WorkerPool):
        """The pool, whose every call comes two budgets late on the loop's clock."""

        def __init__(self) -> None:
            super().__init__(1)
            self.offset = 0.0
            self.calls = 0

        async def run(self, timeout: float, fn: Any, *args: Any, **kwargs: Any) -> Any:
            self.offset += 2 * budget
            self.calls += 1
            return await super().run(timeout, fn, *args, **kwargs)

    async def run() -> tuple[list[object], float]:
        loop = asyncio.get_running_loop()
        with QueuedPool() as pool:
            one = await understand_many(quick, pool, [("Pier closes", PIER, "en")])
            assert not isinstance(one[0], str), one  # warm: the worker's model is loaded
            real = loop.time
            loop.time = lambda: real() + pool.offset  # type: ignore[method-assign]
            started = loop.time()
            items = [(f"Pier {n} closes", PIER, "en") for n in range(count)]
            found = await understand_many(quick, pool, items)
            return found, loop.time() - started

    found, waited = asyncio.run(run())
    assert [f for f in found if isinstance(f, str)] == []
    assert len(found) == count
    assert all(f[0]["language"] == {"code": "en"} for f in found)  # type: ignore[index]
    assert waited >= 2 * budget * count  # the batch took many budgets by the loop's clock
