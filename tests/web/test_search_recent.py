"""Search's index of the newest articles (SQLite's FTS5 index, migration 0027; PostgreSQL's
table of documents, 0031): the ranking reads it when it holds more than WINDOW matches and
the whole index otherwise, so trimming it changes neither what is found nor its order; the
triggers keep it equal to the articles it holds; a word common in the whole index is left
out of the relevance, never out of the match."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from broadsheet.store import Store
from broadsheet.store import search as search_module
from broadsheet.store.search import SearchFilters, parse_query

QUERIES = ("strike", "Tuesday", "storm Tuesday", '"the harbour"', "Tuesday -strike", "harbo")


def _found(store: Store, filters: SearchFilters | None = None) -> dict[str, list[int]]:
    return {
        q: [h.article_id for h in store.search(parse_query(q), filters or SearchFilters()).hits]
        for q in QUERIES
    }


def _recent(store: Store, match: str | None = None) -> set[int]:
    """The ids in the recent index (those matching ``match``, a quoted word, if given)."""
    with store.reader() as conn:
        if conn.dialect.name == "postgresql":
            sql, params = "SELECT id FROM articles_fts_recent", {}
            if match is not None:
                sql += " WHERE document @@ plainto_tsquery(config, :q)"
                params = {"q": match.strip('"')}
        elif match is None:
            sql, params = "SELECT id FROM articles_fts_recent_docsize", {}
        else:
            sql = "SELECT rowid FROM articles_fts_recent WHERE articles_fts_recent MATCH :q"
            params = {"q": match}
        return set(conn.execute(text(sql), params).scalars())


def test_old_articles_are_found_after_the_recent_index_is_trimmed(
    store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    harbour = store.get_source_by_url("https://harbourgazette.example/rss")
    assert harbour is not None
    before = _found(store), _found(store, SearchFilters(source_id=harbour.id))
    assert all(before[0].values()), before  # each query finds something
    monkeypatch.setattr(search_module, "RECENT_ARTICLES", len(ids) - 2)
    monkeypatch.setattr(search_module, "RECENT_TRIM_BATCH", 1)
    trimmed = store.trim_recent_search()  # the two oldest, one a transaction
    assert trimmed == 2
    assert _recent(store) == set(sorted(ids.values())[2:])
    assert (_found(store), _found(store, SearchFilters(source_id=harbour.id))) == before
    # more to take out than to keep (as after a bulk import): the index is built again
    monkeypatch.setattr(search_module, "RECENT_ARTICLES", 1)
    assert store.trim_recent_search() == len(ids) - 3
    assert _recent(store) == {max(ids.values())}
    assert store.trim_recent_search() == 0  # nothing more to take out
    # every article is still found, the same results in the same order
    assert (_found(store), _found(store, SearchFilters(source_id=harbour.id))) == before
    assert ids["port-strike-ends"] in _found(store)["strike"]  # the oldest id


def test_the_recent_index_ranks_the_same_newest_matches(
    store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word with more than WINDOW matches in the recent index is ranked there: the
    newest WINDOW matches, as in the whole index (here WINDOW is 2, and "Tuesday" is a
    word of five articles)."""
    monkeypatch.setattr(search_module, "WINDOW", 2)
    tuesday = store.search(parse_query("Tuesday"), SearchFilters())
    assert tuesday.capped and tuesday.matched == 2
    newest = sorted(
        (i for slug, i in ids.items() if slug != "energy-prices" and slug != "ferry-timetable"),
        reverse=True,
    )
    assert {h.article_id for h in tuesday.hits} <= set(newest[:3])
    # trimmed to the newest three articles, two of which say "Tuesday": too few for the
    # window, so the whole index ranks it; the same two newest matches either way
    monkeypatch.setattr(search_module, "RECENT_ARTICLES", 3)
    store.trim_recent_search()
    assert len(_recent(store, '"Tuesday"')) <= 2
    again = store.search(parse_query("Tuesday"), SearchFilters())
    assert [h.article_id for h in again.hits] == [h.article_id for h in tuesday.hits]


def test_the_recent_index_follows_new_edited_and_deleted_articles(
    store: Store, ids: dict[str, int]
) -> None:
    newest, oldest = max(ids.values()), min(ids.values())
    assert _recent(store) == set(ids.values())  # the articles saved since the migration
    with store.writer() as conn:
        for article_id in (newest, oldest):
            conn.execute(
                text("UPDATE articles SET title = 'Zanzibar regatta' WHERE id = :id"),
                {"id": article_id},
            )
    assert _recent(store, '"Zanzibar"') == {newest, oldest}
    assert _recent(store, '"Energiepreise"') == set()  # the old title is gone from it
    found = store.search(parse_query("Zanzibar"), SearchFilters()).hits
    assert {h.article_id for h in found} == {newest, oldest}
    with store.writer() as conn:
        conn.execute(text("DELETE FROM articles WHERE id = :id"), {"id": newest})
    assert _recent(store) == set(ids.values()) - {newest}
    assert _recent(store, '"Zanzibar"') == {oldest}
    assert [h.article_id for h in store.search(parse_query("Zanzibar"), SearchFilters()).hits] == [
        oldest
    ]


def test_a_common_word_is_matched_but_not_scored(
    store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Searched in the whole index, a word of more than SCORED_WORD articles does not weigh
    in the relevance (its IDF would read its whole posting list); the results still hold
    every word, and an excluded word still excludes."""
    monkeypatch.setattr(search_module, "SCORED_WORD", 1)  # "Tuesday" (5), "storm" (1)
    storm = store.search(parse_query("storm Tuesday"), SearchFilters()).hits
    assert [h.article_id for h in storm] == [ids["aurora-forecast"]]
    both = store.search(parse_query("harbour Tuesday"), SearchFilters()).hits
    assert {h.article_id for h in both} == {ids["port-strike-ends"], ids["library-reopens"]}
    phrase = store.search(parse_query('"the harbour"'), SearchFilters()).hits
    assert {h.article_id for h in phrase} == {ids["port-strike-ends"], ids["library-reopens"]}
    assert store.search(parse_query("fishing Tuesday"), SearchFilters()).hits == []
    others = store.search(parse_query("Tuesday -strike"), SearchFilters()).hits
    assert others and ids["port-strike-ends"] not in {h.article_id for h in others}
    if store.engine.dialect.name == "sqlite":
        with store.reader() as conn:
            query = parse_query("Tuesday storm")  # as typed: "storm" a beginning
            assert search_module._scoring(conn, query, query.fts()) == '"storm"*'
            # every word commoner than SCORED_WORD: ranked by the rarest alone ("harbour":
            # two articles, "Tuesday": five)
            query = replace(parse_query("harbour Tuesday"), prefix_last=False)
            assert search_module._scoring(conn, query, query.fts()) == '"harbour"'
            query = parse_query('"the harbour"')  # a phrase of common words: its rarest
            assert search_module._scoring(conn, query, query.fts()) == '"harbour"'
