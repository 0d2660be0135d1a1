"""The housekeeping's check for articles in no story (jobs/queue.py, ``place_leftovers``)
scans from the first article only at a process's first check; afterwards it starts past
the highest id seen one check earlier, so at a million articles it reads the recent ones,
not all of them. An article left unplaced past that point (its worker died between the save
and its placement job) is still found and a placement job deferred. The same housekeeping
trims the search's table of the newest articles' documents (migration 0031).

PostgreSQL only (BROADSHEET_TEST_DATABASE=postgresql): it defers real Procrastinate jobs.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from broadsheet.config import Settings
from broadsheet.jobs.queue import Work, apply_schema
from broadsheet.store import Store
from broadsheet.store import search as search_module
from tests.stories.conftest import Add, add, outlets  # noqa: F401 (fixtures)
from tests.stories.sample import CHILE, JAPAN, WIRE, at


def _waiting_placements(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM procrastinate_jobs"
            " WHERE task_name = 'broadsheet.stories' AND status = 'todo'"
        )).scalar_one())  # fmt: skip


def test_the_unplaced_articles_check_starts_from_a_remembered_id(
    settings: Settings,
    store: Store,
    add: Add,  # noqa: F811
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    quiet = settings.model_copy(update={"understand": False})
    work = Work(quiet, store)

    async def scenario() -> None:
        async with work.app.open_async():
            await apply_schema(work.app)
            first = add("Andes Daily", *CHILE[0], at(0))
            second = add("Pacific Times", *CHILE[1], at(2))
            await work.place_leftovers()  # the process's first check: from the start
            assert work.leftovers_from == 0 and _waiting_placements(store) == 1
            await work.place()  # the placement job's work
            assert store.first_unplaced_article() is None
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM procrastinate_jobs"))

            await work.place_leftovers()  # nothing found: the next check starts past
            assert _waiting_placements(store) == 0  # ... the top seen one check earlier
            await work.place_leftovers()
            assert work.leftovers_from == second > first

            late = add("Nippon Herald", *JAPAN[0], at(72))  # its worker died: no placement
            await work.place_leftovers()
            assert _waiting_placements(store) == 1  # found past the remembered id
            assert work.leftovers_from == second  # and not moved past it while unplaced
            await work.place()
            assert store.first_unplaced_article() is None
            with store.engine.begin() as conn:
                conn.execute(text("DELETE FROM procrastinate_jobs"))
            await work.place_leftovers()
            await work.place_leftovers()
            assert work.leftovers_from == late
            add("Euro Ledger", *WIRE, at(70))
            await work.place_leftovers()
            assert _waiting_placements(store) == 1

    asyncio.run(scenario())


def test_the_housekeeping_trims_the_search_index_of_the_newest_articles(
    settings: Settings,
    store: Store,
    add: Add,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    work = Work(settings.model_copy(update={"understand": False}), store)
    ids = [add("Andes Daily", *CHILE[0], at(0)), add("Pacific Times", *CHILE[1], at(2))]
    ids.append(add("Nippon Herald", *JAPAN[0], at(72)))

    def recent() -> list[int]:
        with store.engine.connect() as conn:
            found = conn.execute(text("SELECT id FROM articles_fts_recent ORDER BY id"))
            return list(found.scalars())

    assert recent() == sorted(ids)  # every new article entered it
    monkeypatch.setattr(search_module, "RECENT_ARTICLES", 2)

    async def scenario() -> None:
        async with work.app.open_async():
            await apply_schema(work.app)
            await work.housekeeping(datetime(2026, 12, 7, 9, 1, tzinfo=UTC))

    asyncio.run(scenario())
    assert recent() == sorted(ids)[1:]  # the oldest taken out; the newest two kept
