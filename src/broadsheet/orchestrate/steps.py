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
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from broadsheet.config import Settings
from broadsheet.jobs.pool import WorkerPool
from broadsheet.models import Article, Skipped
from broadsheet.orchestrate.furniture import learn_from
from broadsheet.orchestrate.stories import engine_for
from broadsheet.orchestrate.understanding import (
    understand_backlog,
    understand_many,
    understand_stored,
)
from broadsheet.store import Store

log = logging.getLogger("broadsheet.steps")

REPAIR_LIMIT = 500  # articles understood by one repair at most (the rest at the next)

Timer = Callable[[str], AbstractContextManager[None]]


@contextmanager
def _untimed(_stage: str) -> Iterator[None]:
    yield


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
        self, settings: Settings, store: Store, pool: WorkerPool, learn_furniture: bool = True
    ) -> None:
        self.settings = settings
        self.store = store
        self.pool = pool
        self.learn_furniture = learn_furniture
        self.engine = engine_for(store, settings)

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
        with timed("store"):
            result = self.store.save_article(source_id, article, fetched_at, guid, entry_key)
        if isinstance(result, Skipped):
            return Added(result)
        added = Added(result)
        if self.learn_furniture:
            with timed("furniture"):
                learn_from(self.store, result, article)
        with timed("understand"):
            failed = await understand_stored(
                self.settings, self.store, self.pool, result,
                article.title, article.text, article.language,
            )  # fmt: skip
        if failed:
            added.failures.append(f"{failed} ({article.canonical_url})")
        with timed("stories"):
            failed = self.place(result)
        if failed:
            added.failures.append(failed)
        return added

    async def add_batch(self, items: list[tuple[int, Article, datetime]]) -> list[Added]:
        """Save (source id, article, fetched at) items in one transaction, understand the
        new ones concurrently (stored in one transaction), then place them in order; the
        stories' decisions are written before this returns."""
        added = [Added(r) for r in self.store.save_articles(items)]
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
            self.store.save_understandings(results)  # type: ignore[arg-type]
        for a, _article in new:
            failed = self.place(a.result)  # type: ignore[arg-type]
            if failed:
                a.failures.append(failed)
        failed = self.flush()
        if failed and new:
            new[-1][0].failures.append(failed)
        return added

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
            done.understood, last = await understand_backlog(
                self.settings, self.store, self.pool, after_id=after, limit=limit
            )
            _backlog_after[self.store] = last
            if last > after and self.store.articles_without_understanding(last, 1):
                upto = last  # the backlog goes on past this call's limit
        if self.engine.ready or self.store.first_unplaced_article() is not None:
            with self.engine.lock:
                done.caught_up = self.engine.catch_up(upto)
                self.engine.flush()
        return done
