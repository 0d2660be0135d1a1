"""The stage over a real SQLite store: what ingest runs after saving an article."""

from __future__ import annotations

from sqlalchemy import inspect, select

from broadsheet.config import Settings
from broadsheet.orchestrate.stories import StoryEngine, cluster_stored, engine_for
from broadsheet.store import Store
from broadsheet.store.schema import story_events
from broadsheet.stories.text import entity_features
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, STRIKE, WIRE, at, wire_copy


def test_migration_0003_creates_the_story_tables(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {"stories", "story_articles", "story_events", "story_terms"} <= tables


def test_articles_join_stories_and_wire_copies_fold(
    store: Store, settings: Settings, add: Add
) -> None:
    a = add("Andes Daily", *CHILE[0], at(0))
    b = add("Pacific Times", *CHILE[1], at(3))
    c = add("Nippon Herald", *JAPAN[0], at(72))
    w = add("Euro Ledger", *WIRE, at(1))
    w2 = add("Harbour Gazette", *wire_copy("Harbour Gazette"), at(2))
    placed = {i: cluster_stored(store, settings, i) for i in (a, b, c, w, w2)}
    assert placed[a].story == placed[b].story != placed[c].story
    assert placed[w2].duplicate_of == w and placed[w2].story == placed[w].story
    assert store.story_export(w2) == (placed[w].story, w)  # duplicate_of written to articles
    story = store.get_story(placed[w].story)
    assert story is not None and story.article_count == 2 and story.source_count == 2
    agencies = {m.article_id: m.agency for m in story.members}
    assert agencies[w] == "AFP"


def test_an_exact_copy_from_another_outlet_joins_its_original(
    store: Store, settings: Settings, add: Add
) -> None:
    first = add("Andes Daily", *STRIKE, at(0))
    again = add("Pacific Times", "Another headline", STRIKE[1], at(1))
    one = cluster_stored(store, settings, first)
    two = cluster_stored(store, settings, again)
    assert one is not None and two is not None
    assert two.story == one.story and two.duplicate_of == first


def test_a_restart_loses_nothing(settings: Settings, add: Add, store: Store) -> None:
    a = add("Andes Daily", *CHILE[0], at(0))
    cluster_stored(store, settings, a)
    w = add("Euro Ledger", *WIRE, at(1))
    cluster_stored(store, settings, w)
    before = store.story_of_article(a)
    reopened = Store.open(settings)  # another process: its own, empty memory
    try:
        b = add("Pacific Times", *CHILE[1], at(2))
        fresh = StoryEngine(reopened, settings)
        placed = fresh.process(b)
        assert placed is not None and placed.story == before
        copy = add("Harbour Gazette", *wire_copy("Harbour Gazette"), at(3))
        placed = fresh.process(copy)
        assert placed is not None and placed.duplicate_of == w
    finally:
        reopened.close()


def test_articles_stored_without_clustering_are_caught_up(
    store: Store, settings: Settings, add: Add
) -> None:
    ids = [add("Andes Daily", *CHILE[0], at(0)), add("Pacific Times", *CHILE[1], at(1))]
    last = add("Quiet Weekly", *CHILE[2], at(2))
    placed = cluster_stored(store, settings, last)  # the earlier two are clustered first
    assert placed is not None
    assert {store.story_of_article(i) for i in ids} == {placed.story}


def test_one_engine_per_store(store: Store, settings: Settings) -> None:
    assert engine_for(store, settings) is engine_for(store, settings)


def test_moves_and_merges_are_recorded(store: Store, settings: Settings, add: Add) -> None:
    from broadsheet.models import StoryChange as Change

    a = add("Andes Daily", *CHILE[0], at(0))
    b = add("Pacific Times", *CHILE[1], at(1))
    ids = store.apply_story_changes([Change(article_id=a, story=-1)])
    s1 = ids[-1]
    ids = store.apply_story_changes([Change(article_id=b, story=-1)])
    s2 = ids[-1]
    c = add("Quiet Weekly", *CHILE[2], at(2))
    store.apply_story_changes([Change(article_id=c, story=s1, merges=[(s2, s1)])])
    assert store.story_of_article(b) == s1
    merged = store.get_story(s2)
    assert merged is not None and merged.id == s1  # a merged story answers for its target
    d = add("Harbour Gazette", *STRIKE, at(3))
    store.apply_story_changes([Change(article_id=d, story=s1, moves=[(c, s1, -2)])])
    moved_to = store.story_of_article(c)
    assert moved_to not in (s1, s2)
    with store.reader() as conn:
        kinds = [r.kind for r in conn.execute(select(story_events).order_by(story_events.c.id))]
    assert kinds == ["merge", "move"]
    assert [e["kind"] for e in store.story_events(s1)] == ["move", "merge"]


def test_related_stories_share_main_terms(store: Store, settings: Settings, add: Add) -> None:
    first = add("Andes Daily", *CHILE[0], at(0))
    cluster_stored(store, settings, first)
    later = add(
        "Pacific Times",
        "Iquique rebuilds a month after the Chile earthquake",
        "A month after the magnitude 7.1 earthquake, Iquique has rebuilt the coastal road to "
        "Arica and the interior minister opened a new tsunami shelter in Iquique.",
        at(24 * 30),
    )
    cluster_stored(store, settings, later)
    s1, s2 = store.story_of_article(first), store.story_of_article(later)
    assert s1 != s2
    assert s2 in [sid for sid, _score in store.related_story_ids(s1)]


def test_an_outlet_rerunning_its_own_text_is_not_a_wire_copy(
    store: Store, settings: Settings, add: Add
) -> None:
    first = add("Euro Ledger", *WIRE, at(0))
    update = add("Euro Ledger", WIRE[0], WIRE[1] + " Updated with market reaction.", at(1))
    elsewhere = add("Harbour Gazette", *wire_copy("Harbour Gazette"), at(2))
    placed = [cluster_stored(store, settings, i) for i in (first, update, elsewhere)]
    assert placed[1] is not None and placed[1].duplicate_of is None
    assert placed[1].story == placed[0].story  # the same story all the same
    assert placed[2] is not None and placed[2].duplicate_of == first


def test_the_understanding_stages_entities_are_a_clustering_signal(
    store: Store, settings: Settings, add: Add
) -> None:
    """Entities stored by the understanding stage reach the clustering features as ``E:``
    ids: one id for every spelling, only the labels that name who, where and when."""
    first = add("Pacific Times", *JAPAN[0], at(0))
    mention = {"start": 0, "end": 3, "text": "Kim"}
    found = [
        {**mention, "label": "PERSON", "entity_id": "person:kim-jong-un"},
        {**mention, "label": "PERSON", "entity_id": "person:kim-jong-un"},
        {**mention, "label": "CARDINAL", "entity_id": "number:three"},
    ]
    store.save_understanding(first, {"entities": found}, {"entities": "test"})
    row = next(store.articles_for_clustering(0, None))
    assert sorted(row["entities"]) == [
        ("number:three", "CARDINAL", 1),
        ("person:kim-jong-un", "PERSON", 2),
    ]
    assert entity_features(row["entities"]) == {"E:person:kim-jong-un": 2.0}
    engine = StoryEngine(store, settings)
    engine.process(first)
    vocab = engine.state.index.vocab
    assert "E:person:kim-jong-un" in vocab and "E:number:three" not in vocab


def test_one_batch_of_changes_ends_as_the_same_changes_one_by_one(
    store: Store, settings: Settings, add: Add
) -> None:
    """Provisional stories named across a batch, a merge and a move of articles placed
    earlier in the same batch: the store ends as if each change had been written alone."""
    from broadsheet.models import StoryChange as Change

    a = add("Andes Daily", *CHILE[0], at(0))
    b = add("Pacific Times", *CHILE[1], at(1))
    c = add("Quiet Weekly", *CHILE[2], at(2))
    d = add("Harbour Gazette", *STRIKE, at(3))
    ids = store.apply_story_changes(
        [
            Change(article_id=a, story=-1),
            Change(article_id=b, story=-2),
            Change(article_id=c, story=-1, merges=[(-2, -1)]),
            Change(article_id=d, story=-1, moves=[(c, -1, -3)]),
        ]
    )
    assert set(ids) == {-1, -2, -3} and len(set(ids.values())) == 3
    assert [store.story_of_article(x) for x in (a, b, c, d)] == [ids[-1], ids[-1], ids[-3], ids[-1]]
    story = store.get_story(ids[-1])
    assert story is not None and story.article_count == 3 and story.source_count == 3
    assert [e["kind"] for e in store.story_events(ids[-1])] == ["move", "merge"]


def test_queued_decisions_reach_the_store_when_flushed(
    store: Store, settings: Settings, add: Add
) -> None:
    from broadsheet.orchestrate.stories import flush_stories

    ids = [add("Andes Daily", *CHILE[0], at(0)), add("Pacific Times", *CHILE[1], at(2))]
    ids.append(add("Nippon Herald", *JAPAN[0], at(72)))
    assert all(cluster_stored(store, settings, i, wait=False) is None for i in ids)
    assert [store.story_of_article(i) for i in ids] == [None, None, None]
    flush_stories(store, settings)
    stories = [store.story_of_article(i) for i in ids]
    assert None not in stories and stories[0] == stories[1] != stories[2]
    assert cluster_stored(store, settings, ids[0]) == engine_for(store, settings).placed(ids[0])
