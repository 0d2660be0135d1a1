"""The understanding stage with its store: run it in the worker pool, store the result,
and finish what a killed process left undone.

``understand_article`` (``broadsheet.understand.stage``) runs where the pool runs it (a
worker process, or a thread when there is one worker). A failure here never loses the
article: it is stored already, and articles stored without any understanding are found
again by ``understand_backlog`` (a query, not memory: durable across ``kill -9``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError
from broadsheet.jobs.pool import WorkerPool
from broadsheet.store import Store
from broadsheet.understand.stage import understand_article

log = logging.getLogger("broadsheet.understand")

BACKLOG_BATCH = 32  # articles understood concurrently, then stored in one transaction

Features = tuple[dict[str, Any], dict[str, str]]
Failure = str


async def understand_one(
    settings: Settings, pool: WorkerPool, title: str, text: str, language: str | None
) -> Features | Failure:
    """The features of one article, or why they could not be computed."""
    try:
        return await pool.run(
            settings.extract_timeout,
            understand_article,
            settings.spacy_models,
            title,
            text,
            language,
        )
    except (BroadsheetError, TimeoutError, ValueError, OSError) as exc:
        return f"understand: {type(exc).__name__}: {exc}"


async def understand_many(
    settings: Settings, pool: WorkerPool, items: list[tuple[str, str, str | None]]
) -> list[Features | Failure]:
    """The features of several (title, text, language), as many at once as the pool has
    workers (each one's deadline counts its own work, not its wait for a worker)."""
    slots = asyncio.Semaphore(pool.workers)

    async def one(title: str, text: str, language: str | None) -> Features | Failure:
        async with slots:
            return await understand_one(settings, pool, title, text, language)

    return list(await asyncio.gather(*(one(*item) for item in items)))


async def understand_backlog(
    settings: Settings,
    store: Store,
    pool: WorkerPool,
    after_id: int = 0,
    limit: int | None = None,
    batch: int = BACKLOG_BATCH,
    save: Callable[[list[tuple[int, dict[str, Any], dict[str, str]]]], Awaitable[None]]
    | None = None,
    skip: Collection[int] = (),
) -> tuple[int, int]:
    """Understand stored articles that have no understanding yet (after ``after_id``, at
    most ``limit``), ``batch`` at a time, each batch stored by ``save`` (default: here, in
    one transaction); (articles understood, last id looked at). Articles in ``skip`` are
    being understood right now by this process's ingest: left to it."""
    done = looked = 0
    while limit is None or looked < limit:
        size = batch if limit is None else min(batch, limit - looked)
        rows = await asyncio.to_thread(store.articles_without_understanding, after_id, size)
        if not rows:
            break
        todo = [row for row in rows if row[0] not in skip]
        found = await understand_many(settings, pool, [(t, x, lang) for _i, t, x, lang in todo])
        results = []
        for (article_id, *_rest), result in zip(todo, found, strict=True):
            if isinstance(result, str):
                log.warning("article %s: %s", article_id, result)
            else:
                results.append((article_id, *result))
        if save is None:
            await asyncio.to_thread(store.save_understandings, results)
        else:
            await save(results)
        done += len(results)
        looked += len(rows)
        after_id = rows[-1][0]
        if len(rows) < size:
            break
    return done, after_id


def refresh_stored(settings: Settings, store: Store, batch: int = 64) -> int:
    """(Re)compute the features of every stored article whose versions are out of date,
    in this process, ``batch`` articles per spaCy run and per transaction; the number of
    articles understood (``broadsheet understand``)."""
    from broadsheet.understand.pipelines import Pipelines
    from broadsheet.understand.stage import understand_texts, versions

    pipelines = Pipelines(settings.spacy_models)
    done = 0
    stale: list[tuple[int, str, str, str | None]] = []

    def run() -> int:
        found = understand_texts(pipelines, [(t, x) for _i, t, x, _l in stale],
                                 [lang for *_rest, lang in stale])  # fmt: skip
        store.save_understandings(
            [(row[0], r.features(), r.versions) for row, r in zip(stale, found, strict=True)]
        )
        return len(stale)

    for article in list(store.iter_articles()):  # no read open while batches are written
        stored = store.get_understanding(article.id).get("language") or {}
        wanted = versions(pipelines, stored.get("code", article.language))
        have = store.understanding_versions(article.id)
        if all(have.get(k) == v for k, v in wanted.items()):
            continue
        stale.append((article.id, article.title, article.text, article.language))
        if len(stale) >= batch:
            done += run()
            stale = []
    if stale:
        done += run()
    return done
