"""The planner walks the index a page is meant to use, once the store has statistics.

SQLite's statistics count every NULL as a value of its own, so an index led by
``duplicate_of`` made "duplicate_of IS NULL" look like a rare key: at 1M articles the
entity, topic and place pages read every original and sorted them (1.4-2.5 s a page).
Here the same pages run on a small store given the statistics ``Store.optimize`` wrote
for the 1M-article store of bench/web.py (so the planner decides as it did there), and
each statement's plan is read with EXPLAIN QUERY PLAN.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event

from broadsheet.store import Store
from tests.web.test_query_counts import COUNTRY, ENTITY, LARGE, TOPIC, build

# sqlite_stat1 of the 1M-article benchmark store (2026-12-06), the last line from before 0017
STATS_1M = [
    ("article_countries", "ix_article_countries_country_sort", "563760 1001 1 1"),
    ("article_countries", "sqlite_autoindex_article_countries_1", "1349916 3 1"),
    ("articles", "ix_articles_source_sort", "548208 1001 1 1"),
    ("articles", "ix_articles_sort_at", "1076920 1"),
    ("articles", "ix_articles_content_hash", "939624 1"),
    ("articles", "sqlite_autoindex_articles_1", "647570 1"),
    ("article_entities", "ix_article_entities_entity_id_sort", "3950100 167 1 1"),
    # 0026 widened it with name and label (same keys, so the same counts, one per column)
    ("article_entities", "ix_article_entities_entity_named", "3950100 167 1 1 1 1"),
    ("article_entities", "sqlite_autoindex_article_entities_1", "3562500 8 1"),
    ("article_topics", "ix_article_topics_topic_sort", "488400 1001 1 1"),
    ("article_topics", "sqlite_autoindex_article_topics_1", "1040918 2 1"),
    ("articles", "ix_articles_duplicate_sort", "396116 7 1 1"),
    # the stories of the 1M store (58,724 of them), and the index 0024 first added beside
    ("stories", "ix_stories_merged_last", "43860 1001 1 1"),
    ("stories", "ix_stories_last_at", "52155 1"),
    ("stories", "ix_stories_first_at", "29450 1"),
    ("stories", "ix_stories_merged_created", "58724 1001 1"),
    ("stories", "ix_stories_created_at", "58724 1"),
]


pytestmark = pytest.mark.sqlite_only("SQLite's planner and its sqlite_stat1 statistics")


def _as_at_a_million(store: Store) -> None:
    """The 1M store's statistics in this store; indexes it does not have are ignored."""
    store.optimize()  # creates sqlite_stat1
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        for row in STATS_1M:
            conn.exec_driver_sql("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", row)
        conn.exec_driver_sql("ANALYZE sqlite_schema")  # the planner reloads them


def _plans(store: Store, call: Callable[[], object]) -> list[str]:
    """The plan of every SELECT ``call`` runs, one string per statement."""
    seen: list[tuple[str, object]] = []

    def spy(conn, cursor, statement, params, context, many) -> None:  # noqa: ANN001
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    with store.engine.connect() as conn:
        return [
            " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, p))
            for sql, p in seen
        ]


@pytest.mark.parametrize(
    ("kind", "key", "index"),
    [
        ("entity", ENTITY, "ix_article_entities_entity_named"),
        ("topic", TOPIC, "ix_article_topics_topic_sort"),
        ("country", COUNTRY, "ix_article_countries_country_sort"),
    ],
)
def test_a_listing_walks_its_own_index_in_order(
    tmp_path: Path, kind: str, key: str, index: str
) -> None:
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    (plan,) = [p for p in _plans(built.store, lambda: built.store.listing_page(kind, key, 10))]
    assert index in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # read in order: no sort of every match


def test_an_entitys_name_is_chosen_from_its_index_alone(tmp_path: Path) -> None:
    """The page names an entity by the spelling most of its latest 200 mentions use: with
    (entity_id, sort_at, article_id) alone each mention was a look-up of its table row
    (~120 scattered table pages per name at 1M articles, the entity page's cold tail);
    0026 puts name and label in the index, read in order from a few of its pages."""
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    (plan,) = _plans(built.store, lambda: built.store.entity_name(ENTITY))
    assert "COVERING INDEX ix_article_entities_entity_named" in plan, plan
    assert built.store.entity_name(ENTITY) is not None


def test_the_latest_page_walks_the_originals_in_order(tmp_path: Path) -> None:
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    (plan,) = _plans(built.store, lambda: built.store.latest_page(10))
    assert "TEMP B-TREE" not in plan, plan  # read newest first, never sorted
    assert "ix_articles_sort_at" in plan or "ix_articles_originals_sort" in plan, plan


def test_the_stories_list_walks_the_live_stories_in_order(tmp_path: Path) -> None:
    """At 1M articles an index (merged_into, created_at) took the list's place: every live
    story read and sorted, 150 ms a page (0024 now indexes created_at alone)."""
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    plans = [p for p in _plans(built.store, lambda: built.store.stories_page(10)) if "stories" in p]
    assert plans and all("TEMP B-TREE" not in p for p in plans), plans
    assert any("ix_stories_merged_last" in p for p in plans), plans


def test_a_storys_page_of_articles_walks_its_own_index_in_order(tmp_path: Path) -> None:
    """The article page's "Full coverage" and the story page read a story's latest
    articles. They were sorted from every member joined to its article (a random article's
    story held ~800 members at 100k articles): the copied sort_at's index reads a page."""
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    (plan,) = _plans(built.store, lambda: built.store.story_member_page(built.story, 11))
    assert "ix_story_articles_story_sort" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
    with built.store.reader() as conn:  # every membership carries its article's sort_at
        missing = conn.exec_driver_sql(
            "SELECT count(*) FROM story_articles m JOIN articles a ON a.id = m.article_id "
            "WHERE m.sort_at IS NOT a.sort_at"
        ).scalar()
    assert missing == 0


def test_related_stories_read_their_postings_from_the_index_alone(tmp_path: Path) -> None:
    """Each of a story's terms contributes its 200 newest stories, read in order; their
    weights were then ~500 look-ups of scattered table rows a story page at 1M articles
    (half the statement's cost). 0030 puts the weight in the index."""
    built = build(tmp_path, LARGE)
    _as_at_a_million(built.store)
    found: list[list[tuple[int, float]]] = []
    plans = _plans(built.store, lambda: found.append(built.store.related_story_ids(built.story)))
    (related,) = [p for p in plans if "UNION ALL" in p or "COMPOUND" in p]
    assert "COVERING INDEX ix_story_terms_term_story_weight" in related, related
    assert found[0], "the story has related stories"
