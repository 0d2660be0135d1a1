"""What happens to an article once it is extracted, in order, for every entry point.

    save ──> learn furniture (pages only) ──> understand ──> place in a story

Ingest (``pipeline.py``), ``import`` and ``cluster`` all go through ``Steps``; nothing
else strings these stages together. Each step after the save is resumable: an article
saved by a process that then died has no understanding and no story, and ``repair``
(run by ``ingest_once`` before it polls) finds both by query and finishes them, so the
to-do is the database itself, not memory.

Transactions: a save is one transaction (a batch of imports is one); furniture learning
and re-cleaning write in short transactions of their own (``orchestrate.furniture``);
understanding results are written per article, or per batch for imports and repairs; the
stories stage queues its decisions and writes them in batches (``orchestrate.stories``).

Off the event loop: every write, furniture learning and re-cleaning, and the stories
stage (its window rebuild included) run in one writer thread per ``Steps``, fed in order
through ``run_in_executor``; the loop only awaits them, so fetch deadlines keep running.
Understanding runs in the worker pool. Call ``close`` (awaitable) when done.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from broadsheet.config import Settings
from broadsheet.jobs.pool import WorkerPool
from broadsheet.models import Article, Skipped
from broadsheet.orchestrate.furniture import learn_from
from broadsheet.orchestrate.site import SiteKnowledge
from broadsheet.orchestrate.stories import engine_for
from broadsheet.orchestrate.understanding import (
    understand_backlog,
    understand_many,
    understand_one,
)
from broadsheet.store import Store

log = logging.getLogger("broadsheet.steps")

REPAIR_LIMIT = 500  # articles understood by one repair at most (the rest at the next)

Timer = Callable[[str], AbstractContextManager[None]]
T = TypeVar("T")


@contextmanager
def _untimed(_stage: str) -> Iterator[None]:
    yield


def _log_failure(done: Future[Any]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.error("writer: %s", done.exception(), exc_info=done.exception())


@dataclass
class Added:
    """One article through the steps: its id (or why it was skipped) and what failed
    after the save (the article is kept; the failed step is repaired later)."""

    result: int | Skipped
    failures: list[str] = field(default_factory=list)


@dataclass
class Repaired:
    understood: int = 0  # articles given their understanding
    caught_up: int = 0  # stored articles the stories stage read (and placed where needed)


# how far each open store's understanding backlog was looked at by this process
_backlog_after: weakref.WeakKeyDictionary[Store, int] = weakref.WeakKeyDictionary()


class Steps:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        pool: WorkerPool,
        learn_furniture: bool = True,
        sites: SiteKnowledge | None = None,
        place_stories: bool = True,
    ) -> None:
        self.settings = settings
        # False under Procrastinate (jobs/queue.py): placing is a task of its own there,
        # serialised across workers, so this process only saves and understands
        self.place_stories = place_stories
        self.store = store
        self.pool = pool
        self.learn_furniture = learn_furniture
        self.sites = sites  # issue 15: the outlets' layouts learned with their furniture
        self.engine = engine_for(store, settings)
        self._writer: ThreadPoolExecutor | None = None
        # articles saved by ``add`` whose understanding is under way (a repair skips them)
        self.understanding: set[int] = set()

    # --- the writer thread --------------------------------------------------------------
    def _thread(self) -> ThreadPoolExecutor:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="broadsheet-writer")
        return self._writer

    async def write(
        self, fn: Callable[..., T], *args: Any, stage: str = "", timed: Timer = _untimed
    ) -> T:
        """``fn(*args)`` in the writer thread, after every write handed over before it
        (one thread: in order); ``timed(stage)`` measures it there, not its wait."""

        def run() -> T:
            with timed(stage):
                return fn(*args)

        return await asyncio.get_running_loop().run_in_executor(self._thread(), run)

    def write_later(self, fn: Callable[[], object]) -> None:
        """Hand ``fn`` to the writer thread without waiting (``close`` waits for it)."""
        self._thread().submit(fn).add_done_callback(_log_failure)

    async def close(self) -> None:
        """Write what is queued (the stories' decisions included), then stop the thread."""
        if self._writer is None:
            return
        failed = await self.write(self.flush)
        if failed:
            log.warning("%s", failed)
        writer, self._writer = self._writer, None
        await asyncio.get_running_loop().run_in_executor(None, writer.shutdown, True)

    async def add(
        self,
        source_id: int,
        article: Article,
        fetched_at: datetime,
        *,
        guid: str | None = None,
        entry_key: str | None = None,
        timed: Timer = _untimed,
    ) -> Added:
        """Save one article, then learn from it, understand it and place it."""
        result = await self.write(
            self.store.save_article, source_id, article, fetched_at, guid, entry_key,
            stage="store", timed=timed,
        )  # fmt: skip
        if isinstance(result, Skipped):
            return Added(result)
        added = Added(result)
        if self.learn_furniture:
            await self.write(learn_from, self.store, result, article, self.sites,
                             stage="furniture", timed=timed)  # fmt: skip
        if self.settings.understand:
            self.understanding.add(result)  # a repair meanwhile leaves it to this call
            try:
                with timed("understand"):
                    found = await understand_one(
                        self.settings, self.pool, article.title, article.text, article.language
                    )
                if isinstance(found, str):
                    log.warning("article %s: %s", result, found)
                    added.failures.append(f"{found} ({article.canonical_url})")
                else:
                    await self.write(self.store.save_understanding, result, *found,
                                     stage="understand", timed=timed)  # fmt: skip
            finally:
                self.understanding.discard(result)
        if self.place_stories:
            failed = await self.write(self.place, result, stage="stories", timed=timed)
            if failed:
                added.failures.append(failed)
        return added

    async def add_batch(self, items: list[tuple[int, Article, datetime]]) -> list[Added]:
        """Save (source id, article, fetched at) items in one transaction, understand the
        new ones concurrently (stored in one transaction), then place them in order; the
        stories' decisions are written before this returns."""
        added = [Added(r) for r in await self.write(self.store.save_articles, items)]
        new = [(a, item[1]) for a, item in zip(added, items, strict=True)]
        new = [(a, article) for a, article in new if isinstance(a.result, int)]
        if self.settings.understand and new:
            found = await understand_many(
                self.settings, self.pool, [(x.title, x.text, x.language) for _a, x in new]
            )
            results = []
            for (a, article), result in zip(new, found, strict=True):
                if isinstance(result, str):
                    a.failures.append(f"{result} ({article.canonical_url})")
                else:
                    results.append((a.result, *result))
            await self.write(self.store.save_understandings, results)
        ids = [a.result for a, _article in new]
        failures = await self.write(self._place_all, ids)
        for (a, _article), failed in zip(new, failures, strict=True):
            if failed:
                a.failures.append(failed)
        return added

    def _place_all(self, ids: list[int]) -> list[str | None]:
        out = [self.place(i) for i in ids]
        failed = self.flush()
        if failed and out:
            out[-1] = failed
        return out

    def place(self, article_id: int) -> str | None:
        """The stories stage (fold wire copies, cluster) for a stored article; its
        decisions are written in batches (``flush`` after a source's poll or a batch)."""
        try:
            self.engine.process(article_id, wait=False)
        except Exception as exc:  # the article is stored; the next article catches up
            log.exception("stories: article %s", article_id)
            return f"stories: {type(exc).__name__}: {exc}"
        return None

    def flush(self) -> str | None:
        """Write the stories stage's queued decisions."""
        try:
            self.engine.flush()
        except Exception as exc:  # the articles are stored; a restart clusters them
            log.exception("stories: writing decisions")
            return f"stories: {type(exc).__name__}: {exc}"
        return None

    async def repair(self, limit: int = REPAIR_LIMIT) -> Repaired:
        """Finish the steps a killed process left undone: understand stored articles that
        have none (at most ``limit`` per call), then place articles that are in no story."""
        done = Repaired()
        upto = None  # articles are placed once understood (entities are a signal)
        if self.settings.understand:
            after = _backlog_after.get(self.store, 0)

            async def save(results: list[tuple[int, dict[str, Any], dict[str, str]]]) -> None:
                await self.write(self.store.save_understandings, results)

            done.understood, last = await understand_backlog(
                self.settings, self.store, self.pool, after_id=after, limit=limit, save=save,
                skip=self.understanding,
            )  # fmt: skip
            _backlog_after[self.store] = last
            if last > after and await asyncio.to_thread(
                self.store.articles_without_understanding, last, 1
            ):
                upto = last  # the backlog goes on past this call's limit
        if self.place_stories:
            done.caught_up = await self.write(self._catch_up, upto)
        return done

    def _catch_up(self, upto: int | None) -> int:
        if not self.engine.ready and self.engine.unplaced() is None:
            return 0  # nothing to place: the window is rebuilt when an article comes
        with self.engine.lock:
            read = self.engine.catch_up(upto)
            self.engine.flush()
        return read
