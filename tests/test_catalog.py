from __future__ import annotations

from broadsheet.catalog import default_outlines, seed_defaults
from broadsheet.config import Settings
from broadsheet.store import Store


def test_defaults_seed_an_empty_database_once(settings: Settings) -> None:
    store = Store.open(settings)
    result = seed_defaults(store)
    assert result is not None and result.added == len(default_outlines()) >= 30
    sources = store.list_sources()
    assert len({s.country for s in sources}) >= 12
    assert len({s.language for s in sources}) >= 5
    assert all(s.url.startswith(("http://", "https://")) for s in sources)
    # a reader who removed some defaults does not get them back on the next start
    store.remove_source(sources[0].id)
    assert seed_defaults(store) is None
    assert len(store.list_sources()) == len(sources) - 1


def test_defaults_not_seeded_over_existing_sources(settings: Settings) -> None:
    store = Store.open(settings)
    store.add_source("https://mine.example/feed", name="Mine")
    seed_defaults(store)
    assert [s.name for s in store.list_sources()] == ["Mine"]
