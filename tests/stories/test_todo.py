"""The stories' to-do check (``StoryEngine.unplaced``: the placement job's "first article
in no story" and the housekeeping's "any left?") reads the window, not the store: before
the engine is built, the articles dated in the window; after, those past a floor that
follows the placed articles (issue 14: at a million articles an anti-join from the first
article cost every placement job a scan of the whole store). An article dated before the
window, in no story, is not the engine's to do: it no longer rebuilds the engine at every
placement job."""

from __future__ import annotations

import pytest

from broadsheet.config import Settings
from broadsheet.orchestrate import stories as stage
from broadsheet.orchestrate.stories import engine_for, place_unplaced
from broadsheet.store import Store
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, STRIKE, at


def test_the_to_do_check_starts_at_the_window_then_past_the_placed_articles(
    store: Store, settings: Settings, add: Add, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stage, "SETTLE_SECONDS", 0.0)  # saves commit at once here
    days = settings.story_window_days
    old = add("Quiet Weekly", *STRIKE, at(-24 * (days + 30)))  # before the window
    chile = [add(name, *CHILE[i], at(i)) for i, name in
             enumerate(("Andes Daily", "Pacific Times", "Harbour Gazette"))]  # fmt: skip
    assert store.first_unplaced_article() == old  # the plain anti-join starts with it

    engine = engine_for(store, settings)
    assert engine.unplaced() in chile  # not built yet: one of the window's articles
    assert engine.unplaced(first=True) == chile[0]  # (the first, where it matters)
    assert place_unplaced(store, settings) == 3
    assert engine_for(store, settings) is engine and engine.floor == chile[0] - 1
    assert store.first_unplaced_article() == old  # still in no story: not the engine's

    assert engine.unplaced() is None  # the old article is skipped, the floor stays ...
    assert engine.floor == chile[0] - 1  # ... until a check's ids have settled
    assert engine.unplaced() is None
    assert engine.floor == chile[-1]  # past every placed article: the next check is short

    assert place_unplaced(store, settings) == 0
    assert engine_for(store, settings) is engine  # no rebuild for the old article

    late = add("Nippon Herald", *JAPAN[0], at(72))
    assert engine.unplaced() == late
    assert place_unplaced(store, settings) == 1
    assert engine_for(store, settings) is engine and store.story_of_article(late) is not None
    assert engine.unplaced() is None  # the placement job's check ran before it was read:
    assert engine.floor < late  # the floor trails one check
    assert engine.unplaced() is None
    assert engine.floor == late


def test_an_article_below_the_high_water_left_unplaced_rebuilds_the_engine(
    store: Store, settings: Settings, add: Add
) -> None:
    """What the floor must not hide: an article the engine read past while it was not
    committed yet (PostgreSQL hands out ids before the commit). Made here by taking a
    placed article out of its story, within the settle delay, above the floor."""
    from sqlalchemy import delete

    from broadsheet.store.schema import story_articles

    ids = [add(name, *CHILE[i], at(i)) for i, name in
           enumerate(("Andes Daily", "Pacific Times", "Harbour Gazette"))]  # fmt: skip
    assert place_unplaced(store, settings) == 3
    engine = engine_for(store, settings)
    story = store.story_of_article(ids[1])
    with store.engine.begin() as conn:
        conn.execute(delete(story_articles).where(story_articles.c.article_id == ids[1]))
    assert engine.floor < ids[1] <= engine.high_water
    assert engine.unplaced() == ids[1]
    place_unplaced(store, settings)
    assert engine_for(store, settings) is not engine  # rebuilt from the store
    assert store.story_of_article(ids[1]) == story
    assert store.first_unplaced_article() is None
