"""What a second backend (PostgreSQL, issue 14) must not change, and what it adds.

Every test here runs on the backend the suite runs on (BROADSHEET_TEST_DATABASE); those
about PostgreSQL's own search (language configurations, stemming) skip on SQLite.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.store.search import PG_CONFIGS, SearchFilters, parse_query

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _save(store: Store, n: int, title: str, text: str, language: str | None = "en") -> int:
    url = f"https://news.example/{n}"
    saved = store.save_article(
        store.add_source(f"https://news.example/feed{n}", name=f"News {n}").id,
        Article(
            url=url, canonical_url=url, title=title, text=text, html=f"<p>{text}</p>",
            published=T0, content_hash=f"h{n}", language=language,
        ),
        fetched_at=T0,
    )  # fmt: skip
    assert isinstance(saved, int), saved
    return saved


def _found(store: Store, raw: str, **filters: object) -> set[int]:
    results = store.search(parse_query(raw), SearchFilters(**filters))  # type: ignore[arg-type]
    return {h.article_id for h in results.hits}


def _postgres(store: Store) -> bool:
    return store.engine.dialect.name == "postgresql"


def test_nul_characters_are_stored_without_failing_the_write(store: Store) -> None:
    """Pages and feeds do send NUL; PostgreSQL's text refuses it: the store drops it."""
    article = _save(store, 1, "Harbour\x00 reopens", "The harbour\x00 reopened on Monday.")
    stored = store.get_article(article)
    assert stored is not None
    assert stored.title.replace("\x00", "") == "Harbour reopens"
    if _postgres(store):
        assert "\x00" not in stored.title + stored.text
    assert article in _found(store, "harbour\x00")
    source = store.add_source("https://nul.example/feed\x00", name="Nul\x00 News")
    assert source.name.replace("\x00", "") == "Nul News"


def test_awkward_queries_run_and_find_nothing_wrong(store: Store) -> None:
    article = _save(store, 1, "Port strike ends", "Dockers ended the three-day strike.")
    assert article in _found(store, "strike")
    for raw in ("the of and", "x" * 5000, "'\\:*&|!<->()", "-strike", "\x00", "ß" * 300):
        results = store.search(parse_query(raw), SearchFilters())
        assert article not in {h.article_id for h in results.hits}, raw
    assert store.search_article_ids("x" * 5000) == []


def test_overlong_values_are_kept_whole(store: Store) -> None:
    """SQLite never enforced String(n) lengths; PostgreSQL does not either."""
    title = "A very long headline " * 40
    article = _save(store, 1, title, "Body.")
    stored = store.get_article(article)
    assert stored is not None and stored.title == title


def test_concurrent_writers_respect_a_shared_budget(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight threads race for five AI requests: exactly five get one (an upsert with a
    condition, not read-then-write, so it holds between processes on PostgreSQL too)."""
    # one day for the whole race: a run across midnight (UTC) would start a new budget
    noon = datetime(2025, 6, 4, 12, tzinfo=UTC)
    monkeypatch.setattr("broadsheet.store._now", lambda: noon)
    granted: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def take() -> None:
        start.wait()
        for _ in range(3):
            got = store.take_ai_request(budget=5)
            with lock:
                granted.append(got)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert granted.count(True) == 5 and len(granted) == 24


def test_the_article_counter_counts_every_saved_article(store: Store) -> None:
    for n in range(5):
        _save(store, n, f"Headline {n}", f"Text {n}.")
    assert store.count_articles() == 5


# --- PostgreSQL's search ---------------------------------------------------------------------
@pytest.fixture
def pg_store(store: Store) -> Store:
    if not _postgres(store):
        pytest.skip("PostgreSQL's text search configurations (BROADSHEET_TEST_DATABASE)")
    return store


def test_the_language_map_agrees_with_the_migration(pg_store: Store) -> None:
    with pg_store.reader() as conn:
        for code, config in [*PG_CONFIGS.items(), ("en-GB", "english"), ("xx", "simple")]:
            found = conn.exec_driver_sql(f"SELECT broadsheet_ts_config('{code}')::text").scalar()
            assert found == config, code
        assert conn.exec_driver_sql("SELECT broadsheet_ts_config(NULL)::text").scalar() == (
            "simple"
        )


def test_words_are_stemmed_in_the_articles_language(pg_store: Store) -> None:
    english = _save(pg_store, 1, "Runners return", "The runners were running all week.")
    french = _save(pg_store, 2, "Les grèves continuent", "Les cheminots sont en grève.", "fr")
    other = _save(pg_store, 3, "Runners", "Runners running.", None)  # no language: 'simple'
    assert english in _found(pg_store, "runs")  # english: runs, running -> run
    assert other not in _found(pg_store, "runs")
    assert french in _found(pg_store, "grève")  # french: grèves -> grev
    assert _found(pg_store, "grève", language="fr") == {french}
    assert _found(pg_store, "runs", language="fr") == set()
    # an excluded word leaves out the article under its own configuration's stemming
    assert english not in _found(pg_store, "runners -run")


def test_a_language_set_later_reindexes_the_article(pg_store: Store) -> None:
    article = _save(pg_store, 1, "Runners return", "The runners were running.", None)
    assert article not in _found(pg_store, "runs")
    with pg_store.writer() as conn:
        conn.exec_driver_sql(f"UPDATE articles SET language = 'en' WHERE id = {article}")
    assert article in _found(pg_store, "runs")


def test_the_check_takes_its_queries_as_one_quoted_array(pg_store: Store) -> None:
    """Each candidate's own-language query comes from one bound array: queries with quotes,
    backslashes, commas and braces arrive whole, and the check still turns down what its
    own configuration excludes."""
    from broadsheet.store.search import _pg_text_array

    awkward = ["o'brien", 'say "hi"', "a\\b", "x, y", "{z}", "", "ß & 'q'"]
    with pg_store.reader() as conn:
        back = conn.exec_driver_sql(
            "SELECT CAST(%(a)s AS text[])", {"a": _pg_text_array(awkward)}
        ).scalar()
    assert back == awkward
    quoted = _save(pg_store, 1, "O'Brien's \"runners\" return", "Runners were running a\\b.")
    assert quoted in _found(pg_store, "o'brien runs")
    assert quoted not in _found(pg_store, "o'brien -run")


def test_results_are_ranked_and_highlighted(pg_store: Store) -> None:
    in_title = _save(pg_store, 1, "Storm closes the port", "Ferries stayed in.")
    in_text = _save(pg_store, 2, "Ferries stay in", "A storm closed the port.")
    hits = pg_store.search(parse_query("storm"), SearchFilters()).hits
    assert [h.article_id for h in hits] == [in_title, in_text]
    assert "\x02storm\x03" in hits[1].snippet.lower()


def test_the_whole_index_keeps_a_document_in_line_and_the_recent_table_does_not(
    pg_store: Store,
) -> None:
    """A 4-5 KB document stays in its row of the whole index (the window reads it there,
    twice, without a TOAST look-up), while the recent table, whose GIN bitmaps visit a row
    per match, moves it out and keeps its heap small."""
    words = " ".join(f"word{n:04d}x" for n in range(250))  # 250 distinct lexemes
    article = _save(pg_store, 1, "Many words", words)
    with pg_store.reader() as conn:

        def toasted(table: str) -> int:
            toast = conn.exec_driver_sql(
                "SELECT reltoastrelid::regclass::text FROM pg_class"
                f" WHERE oid = '{table}'::regclass"
            ).scalar()
            return int(conn.exec_driver_sql(f"SELECT count(*) FROM {toast}").scalar() or 0)

        size = conn.exec_driver_sql(
            f"SELECT pg_column_size(document) FROM articles_fts WHERE id = {article}"
        ).scalar()
        assert 4000 < size < 8000
        assert toasted("articles_fts") == 0
        assert toasted("articles_fts_recent") > 0
    assert _found(pg_store, "word0042x") == {article}


def test_the_window_reads_past_candidates_another_language_turns_down(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window checks the newest WINDOW + 1 + PG_SPARE candidates first; when their own
    languages turn down more than the spare, the older candidates are checked as well."""
    from broadsheet.store import search as search_module

    monkeypatch.setattr(search_module, "WINDOW", 2)
    monkeypatch.setattr(search_module, "PG_SPARE", 0)
    english = [_save(pg_store, n, f"Runs {n}", "The ferry runs again.") for n in (1, 2)]
    # no language ('simple') keeps "runs" whole: "run" matches English's stem, not "runs"
    unknown = [_save(pg_store, n, f"Run {n}", "A run on the ferry.", None) for n in (3, 4, 5)]
    assert min(unknown) > max(english)  # the newest three candidates are all turned down
    results = pg_store.search(parse_query("runs"), SearchFilters())
    assert {h.article_id for h in results.hits} == set(english)
    assert results.matched == 2


def test_the_window_is_ranked_where_it_is_read_as_python_ranks_it(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL ranks and groups its window in the statement that reads it (one page of
    groups, their details, the outlets): the same hits, scores, counts and outlets as
    ``_rank`` on the window's rows, on every page, with stories, ties and a capped window."""
    from broadsheet.models import StoryChange
    from broadsheet.store import search as search_module
    from broadsheet.store.search import SearchResults

    monkeypatch.setattr(search_module, "WINDOW", 8)  # 12 matches: the newest 8 ranked
    outlets = [pg_store.add_source(f"https://news.example/o{k}", name=f"Outlet {k}") for k in "cab"]
    ids = []
    for n in range(12):
        url = f"https://news.example/{n}"
        text = "The ferry " + "ferry " * (n % 3) + "sailed."  # three relevances, ties
        saved = pg_store.save_article(
            outlets[n % 3].id,
            Article(
                url=url, canonical_url=url, title=f"Day {n}", text=text, html=f"<p>{text}</p>",
                published=T0, content_hash=f"h{n}", language="en",
            ),
            fetched_at=T0,
        )  # fmt: skip
        assert isinstance(saved, int)
        ids.append(saved)
    story = pg_store.apply_story_changes([StoryChange(article_id=ids[11], story=-1)])[-1]
    pg_store.apply_story_changes([StoryChange(article_id=i, story=story) for i in ids[6:11:2]])
    now = datetime(2026, 11, 20, tzinfo=UTC)
    query = parse_query("ferry")
    with pg_store.reader() as conn:
        tsq = search_module._pg_tsquery(conn, query, None)
        assert tsq is not None
        candidates = sorted(ids, reverse=True)
        rows = conn.execute(
            search_module._pg_window_sql(tsq.check),
            search_module._pg_window_params(tsq, candidates, now),
        ).all()
        assert len(rows) == 9  # WINDOW + 1: the window is capped
        shown = []
        for offset in (0, 3, 5, 20):
            got, texts = SearchResults(query), {}
            search_module._pg_ranked(conn, tsq, candidates, now, 3, offset).into(
                got, now, True, texts
            )
            want = SearchResults(query)
            search_module._rank(conn, want, rows, now, 3, offset, outlets=True)
            assert got.hits == want.hits, offset
            assert (got.matched, got.groups, got.capped) == (want.matched, want.groups, True)
            assert got.outlets == want.outlets
            assert set(texts) == {h.article_id for h in got.hits}
            shown += got.hits
        assert got.groups == 5  # the newest 8: the story's four are one group
        assert [(h.story_id, h.more_reports) for h in shown if h.story_id] == [(story, 3)]
        assert len({h.article_id for h in shown}) == 5


def test_the_whole_index_is_walked_tier_by_tier_once_each_tier_is_indexed(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the recent table, a search reads the whole index tier by tier, newest first,
    once every tier has its partial index: the same results as the whole index's
    statement, and the older tiers are not read when the newer ones hold enough matches."""
    from sqlalchemy import event, text

    from broadsheet.store import search as search_module

    monkeypatch.setattr(search_module, "PG_TIER", 3)  # tiers (0, 3], (3, 6], (6, 9]
    monkeypatch.setattr(search_module, "PG_TIER_WALK", 10**9)  # walk, however rare the word
    window = search_module.WINDOW
    ids = [
        _save(pg_store, n, f"Ferry {n}" if n != 5 else "Bridge", f"Ferry crossing number {n}.")
        for n in range(1, 9)
    ]  # fmt: skip
    assert ids == list(range(1, 9))
    before = pg_store.search(parse_query("ferry"), SearchFilters())
    assert {h.article_id for h in before.hits} == set(ids)
    assert pg_store.ensure_search_tiers() == 4  # tiers 0-2, and the next one
    assert pg_store.ensure_search_tiers() == 0
    with pg_store.reader() as conn:  # another process building: this one builds nothing
        conn.exec_driver_sql("DROP INDEX articles_fts_tier_3")
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": search_module.TIERS_LOCK})
        assert pg_store.ensure_search_tiers() == 0
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": search_module.TIERS_LOCK})
        conn.commit()
    assert pg_store.ensure_search_tiers() == 1
    ran: list[str] = []

    def record(conn, cursor, statement, *_args) -> None:  # noqa: ANN001
        ran.append(statement)

    event.listen(pg_store.engine, "before_cursor_execute", record)
    try:
        after = pg_store.search(parse_query("ferry"), SearchFilters())
        assert [h.article_id for h in after.hits] == [h.article_id for h in before.hits]
        walked = [s for s in ran if "f.id <= " in s]
        assert [s.split("f.id > ")[1].split(" ")[0] for s in walked] == ["6", "3", "0"]
        # a window of 1: 2 * (1 + 1) = 4 newest matches read, from the two newest tiers
        # (the recent table, trimmed to the newest article, holds too few)
        monkeypatch.setattr(search_module, "WINDOW", 1)
        monkeypatch.setattr(search_module, "RECENT_ARTICLES", 1)
        pg_store.trim_recent_search()
        ran.clear()
        pg_store.search(parse_query("ferry"), SearchFilters())
        walked = [s for s in ran if "f.id <= " in s]
        assert [s.split("f.id > ")[1].split(" ")[0] for s in walked] == ["6", "3"]
        # a word too rare in the recent table for PG_TIER_WALK tiers: the whole index
        monkeypatch.setattr(search_module, "PG_TIER_WALK", 3)
        monkeypatch.setattr(search_module, "WINDOW", window)
        ran.clear()
        assert _found(pg_store, "ferry") == {h.article_id for h in before.hits}
        assert not [s for s in ran if "f.id <= " in s]
        assert [s for s in ran if "(SELECT f.id FROM articles_fts f WHERE f.document" in s]
    finally:
        event.remove(pg_store.engine, "before_cursor_execute", record)


def test_a_tier_without_its_index_sends_the_search_back_to_the_whole_index(
    pg_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until every tier up to the newest id has a valid index, searches go through the
    whole index as before; an invalid index (an interrupted build) is built again."""
    from broadsheet.store import search as search_module

    monkeypatch.setattr(search_module, "PG_TIER", 3)
    monkeypatch.setattr(search_module, "PG_TIERS_KNOWN_SECONDS", 0.0)
    for n in range(1, 6):
        _save(pg_store, n, f"Ferry {n}", "Ferry crossing.")
    pg_store.ensure_search_tiers()
    with pg_store.reader() as conn:
        assert [t for *_rest, t in search_module._pg_slices(conn)][1] == [1, 0]
    with pg_store.writer() as conn:  # as a failed CREATE INDEX CONCURRENTLY leaves it
        conn.exec_driver_sql(
            "UPDATE pg_index SET indisvalid = false"
            " WHERE indexrelid = 'articles_fts_tier_0'::regclass"
        )
    with pg_store.reader() as conn:
        steps = list(search_module._pg_slices(conn))
    assert all(t is None for *_rest, t in steps)
    assert _found(pg_store, "ferry") == {1, 2, 3, 4, 5}
    assert pg_store.ensure_search_tiers() == 1
    with pg_store.reader() as conn:
        assert [t for *_rest, t in search_module._pg_slices(conn)][1] == [1, 0]


def test_a_stem_much_shorter_than_the_typed_word_is_no_prefix(pg_store: Store) -> None:
    """Turkish stems "time" to "t": typing "time" must not find every Turkish word
    beginning with t (nor read all their postings), while "tim" typed still finds "timely"."""
    english = _save(pg_store, 1, "Timely ferries", "The ferries came on time.")
    turkish = _save(pg_store, 2, "Tarih ve takvim", "Toplantı tarihi belli oldu.", "tr")
    assert _found(pg_store, "time") == {english}
    assert _found(pg_store, "t") >= {english, turkish}  # what was typed is still a prefix


def test_a_stem_shorter_than_the_typed_word_matches_whole(pg_store: Store) -> None:
    """German stems "take" to "tak": typing "take" finds the English article and German
    ones with a form of the word, not every German word beginning with tak ("Taktik");
    a stem as long as the word typed is still a beginning ("take" finds "takeover")."""
    english = _save(pg_store, 1, "Take the ferry", "Commuters take the ferry again.")
    takeover = _save(pg_store, 2, "Takeover approved", "The takeover was approved.")
    german = _save(pg_store, 3, "Die Taktik", "Der Trainer erklärt die Taktik.", "de")
    found = _found(pg_store, "take")
    assert {english, takeover} <= found
    assert german not in found
    assert german in _found(pg_store, "takt")  # its own beginning still finds it


def test_a_common_whole_word_is_not_tried_again_as_a_beginning(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search that found nothing is tried again with its last word as a beginning only
    when that word is not itself a common word (its beginning reads every word it
    begins): "ukra" is tried, "time" (in more than COMMON_WORD articles) is not."""
    from broadsheet.store import search as search_module

    monkeypatch.setattr(search_module, "COMMON_WORD", 1)
    for n in (1, 2, 3):
        _save(store, n, f"Time {n}", "The ferries ran on time.")
    assert not store.search_beginnings_may_help(parse_query("zanzibar time"))
    assert store.search_beginnings_may_help(parse_query("zanzibar ukra"))
    assert store.search_beginnings_may_help(parse_query("ferr"))  # no article's word, whole
    assert not store.search_beginnings_may_help(parse_query("-time"))  # no word to begin
