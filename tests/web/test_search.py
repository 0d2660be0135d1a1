"""Search: the query parser, the store's ranked and grouped results, and the page through
the real ASGI app (filters, highlighting, phrases, exclusions, htmx fragments, no results,
hostile input)."""

from __future__ import annotations

import collections
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.store import Store
from broadsheet.store import search as search_module
from broadsheet.store.search import SearchFilters, parse_query
from broadsheet.store.stories import Change
from tests.web.asgi import get
from tests.web.sample import NOW


# --- the parser ----------------------------------------------------------------------------
def test_words_phrases_and_exclusions_are_parsed() -> None:
    q = parse_query('port "pay deal" -strike')
    assert q.words == ("port",)
    assert q.phrases == (("pay", "deal"),)
    assert q.excluded == ("strike",)
    assert q.fts() == '("port"* AND "pay deal") NOT "strike"'


def test_fts_syntax_in_the_input_is_only_words() -> None:
    q = parse_query('NEAR(a b) OR title:x AND "unclosed ^* -')
    expr = q.fts()
    assert "NEAR(" not in expr and "title:" not in expr
    # every token is quoted; an unclosed quote with one token in it is a plain word
    assert q.words == ("NEAR", "a", "b", "OR", "title", "x", "AND", "unclosed")
    assert q.phrases == ()


def test_only_exclusions_or_punctuation_is_empty() -> None:
    assert parse_query("-strike -pay").empty
    assert parse_query('!!! "" ---').empty
    assert parse_query("").fts() == ""


def test_tokens_are_capped() -> None:
    q = parse_query(" ".join(f"w{i}" for i in range(100)))
    assert len(q.words) == 20


# --- the store -----------------------------------------------------------------------------
@given(st.text(max_size=80))
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_input_breaks_the_query(store: Store, raw: str) -> None:
    results = store.search(parse_query(raw), SearchFilters())
    assert results.matched >= 0  # it ran: no FTS5 syntax error escaped


def test_results_are_ranked_filtered_and_highlighted(store: Store, ids: dict[str, int]) -> None:
    results = store.search(parse_query("strike"), SearchFilters())
    assert results.hits, "the port strike article matches"
    top = results.hits[0]
    assert top.article_id == ids["port-strike-ends"]  # "strike" is in its title
    assert "\x02" in top.snippet and "\x03" in top.snippet
    nordic = store.get_source_by_url("https://nordicwire.example/feed")
    assert nordic is not None
    filtered = store.search(parse_query("strike"), SearchFilters(source_id=nordic.id))
    assert all(h.source_id == nordic.id for h in filtered.hits)
    assert ids["port-strike-ends"] not in {h.article_id for h in filtered.hits}


def test_phrase_and_exclusion(store: Store, ids: dict[str, int]) -> None:
    hit = {
        h.article_id for h in store.search(parse_query('"three-day strike"'), SearchFilters()).hits
    }
    assert ids["port-strike-ends"] in hit
    miss = store.search(parse_query('"strike three-day"'), SearchFilters()).hits
    assert ids["port-strike-ends"] not in {h.article_id for h in miss}
    excluded = store.search(parse_query("strike -dockers -dock"), SearchFilters()).hits
    assert ids["port-strike-ends"] not in {h.article_id for h in excluded}


def test_date_range_filters(store: Store, ids: dict[str, int]) -> None:
    after = SearchFilters(since=datetime(2030, 1, 1, tzinfo=UTC))
    assert store.search(parse_query("strike"), after).hits == []
    before = SearchFilters(until=datetime(2030, 1, 1, tzinfo=UTC))
    assert store.search(parse_query("strike"), before).hits


def test_reports_of_one_story_are_one_result(store: Store, ids: dict[str, int]) -> None:
    members = [ids["port-strike-ends"], ids["aurora-forecast"]]
    store.apply_story_changes([Change(article_id=members[0], story=-1)])
    story = store.story_of_article(members[0])
    assert story is not None
    store.apply_story_changes([Change(article_id=members[1], story=story)])
    # a word both articles share ("Tuesday") finds one result with one more report
    results = store.search(parse_query("Tuesday"), SearchFilters())
    grouped = [h for h in results.hits if h.story_id == story]
    assert len(grouped) == 1
    assert grouped[0].more_reports == 1


def test_every_hit_gets_its_highlighted_snippet(store: Store, ids: dict[str, int]) -> None:
    """Snippets are made in one pass over the hits' range (no filter) or per hit (with a
    filter): either way each hit of the page has its own, with its matches marked."""
    harbour = store.get_source_by_url("https://harbourgazette.example/rss")
    assert harbour is not None
    for query, filters in (
        (parse_query("Tuesday"), SearchFilters()),
        (parse_query("Tuesday"), SearchFilters(source_id=harbour.id)),
        (parse_query("harbo"), SearchFilters()),  # as typed: a word beginning
        (parse_query("harbo"), SearchFilters(source_id=harbour.id)),
        (parse_query('"the harbour"'), SearchFilters()),
    ):
        hits = store.search(query, filters).hits
        assert len(hits) >= 2, query
        for hit in hits:
            assert "\x02" in hit.snippet and "\x03" in hit.snippet, (query, hit.title)
        # a later page's hits too
        later = store.search(query, filters, limit=1, offset=1).hits
        assert [h.article_id for h in later] == [hits[1].article_id]
        assert later[0].snippet == hits[1].snippet


def test_outlets_offered_are_those_of_the_matches(store: Store, ids: dict[str, int]) -> None:
    def outlets(raw: str) -> list[str]:
        found = store.search(parse_query(raw), SearchFilters(), outlets=True).outlets
        return [name for _id, name in found]

    assert outlets("Tuesday") == ["Nordic Wire", "The Harbour Gazette"]
    assert outlets("strike") == ["The Harbour Gazette"]
    assert outlets("zyzzyvaquux") == []
    assert store.search(parse_query("Tuesday"), SearchFilters()).outlets == []  # not asked


def test_outlets_offered_are_those_with_the_most_matches(
    store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word's matches come from hundreds of outlets on a big site: the filter
    offers the OUTLET_CHOICES with the most of them."""
    query = parse_query("Tuesday")
    hits = store.search(query, SearchFilters(), limit=50).hits
    per_outlet = collections.Counter(
        (h.source_id, h.source_name) for h in hits for _ in range(1 + h.more_reports)
    )
    assert len(per_outlet) == 2
    most = min(per_outlet, key=lambda o: (-per_outlet[o], o[0]))  # ties: the lower id
    monkeypatch.setattr(search_module, "OUTLET_CHOICES", 1)
    assert store.search(query, SearchFilters(), outlets=True).outlets == [most]


def test_filters_look_at_the_newest_matches_only(
    app: FastAPI, store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter is checked per match, so a filtered search reads the newest
    FILTERED_MATCHES matches of the words at most, and says so when that may have left
    older matches out."""
    harbour = store.get_source_by_url("https://harbourgazette.example/rss")
    assert harbour is not None
    filtered = SearchFilters(source_id=harbour.id)
    found = store.search(parse_query("Tuesday"), filtered)
    assert found.hits and not found.filtered_newest
    monkeypatch.setattr(search_module, "FILTERED_MATCHES", 0)
    assert store.search(parse_query("Tuesday"), SearchFilters()).hits  # no filter, no bound
    bounded = store.search(parse_query("Tuesday"), filtered)
    assert bounded.hits == [] and bounded.filtered_newest
    page = get(app, f"/search?q=Tuesday&outlet={harbour.id}")
    assert "older ones may match too" in page.text
    assert "older ones may match too" not in get(app, "/search?q=Tuesday").text


# --- the page ------------------------------------------------------------------------------
def test_search_page_shows_highlighted_results(app: FastAPI, ids: dict[str, int]) -> None:
    page = get(app, "/search?q=strike")
    assert page.status_code == 200
    assert f'href="/articles/{ids["port-strike-ends"]}"' in page.text
    assert "<mark>" in page.text
    assert 'role="search"' in page.text  # the box, on this page as on every page


def test_every_page_has_a_search_box(app: FastAPI, ids: dict[str, int]) -> None:
    assert 'action="/search"' in get(app, "/").text
    assert 'action="/search"' in get(app, f"/articles/{ids['port-strike-ends']}").text


def test_no_results_page_is_helpful(app: FastAPI, ids: dict[str, int]) -> None:
    page = get(app, "/search?q=zyzzyvaquux")
    assert page.status_code == 200
    assert "No results for" in page.text
    assert "zyzzyvaquux" in page.text


def test_htmx_gets_only_the_results(app: FastAPI, ids: dict[str, int]) -> None:
    part = get(app, "/search?q=strike", hx_request="true")
    assert part.status_code == 200
    assert "<html" not in part.text and "<mark>" in part.text
    # the outlet filter follows the results typed: swapped in out of band
    assert '<select name="outlet" id="search-outlet" hx-swap-oob="true">' in part.text
    assert "The Harbour Gazette</option>" in part.text and "Nordic Wire</option>" not in part.text
    page = get(app, "/search?q=strike").text
    assert page.count('id="search-outlet"') == 1 and "hx-swap-oob" not in page
    # the address typing pushes names only the fields filled in (htmx sends them all)
    typed = get(app, "/search?q=strike&outlet=&lang=&country=&topic=&from=&to=", hx_request="true")
    assert typed.headers["hx-push-url"] == "/search?q=strike"


@pytest.mark.parametrize(
    "query",
    [
        '/search?q="<script>alert(1)</script>',
        "/search?q=%00%01strike",
        "/search?q=" + "a" * 5000,
        "/search?q=strike&outlet=abc&lang=%3Cx%3E&country=ZZZ&topic=nope&from=2024-13-45&to=x",
        "/search?q=NEAR(strike%20pay)%20OR%20*",
        "/search?q=strike&page=0",
        "/search?q=strike&page=999",
    ],
)
def test_hostile_input_gets_a_page_not_an_error(
    app: FastAPI, ids: dict[str, int], query: str
) -> None:
    page = get(app, query)
    assert page.status_code in (200, 400)
    assert "<script>alert(1)" not in page.text
    assert "Traceback" not in page.text


def test_invalid_filters_are_dropped_with_a_note(app: FastAPI, ids: dict[str, int]) -> None:
    page = get(app, "/search?q=strike&topic=nope&from=2024-13-45")
    assert page.status_code == 200
    assert "Unknown topic ignored." in page.text
    assert "is not a date" in page.text
    assert f'href="/articles/{ids["port-strike-ends"]}"' in page.text


def test_outlet_filter_on_the_page(app: FastAPI, store: Store, ids: dict[str, int]) -> None:
    nordic = store.get_source_by_url("https://nordicwire.example/feed")
    harbour = store.get_source_by_url("https://harbourgazette.example/rss")
    assert nordic is not None and harbour is not None
    page = get(app, f"/search?q=strike&outlet={nordic.id}")
    assert f'href="/articles/{ids["port-strike-ends"]}"' not in page.text
    # the chosen outlet stays chosen, though none of its reports match
    assert f'<option value="{nordic.id}" selected>Nordic Wire</option>' in page.text
    # without it, the choices are the outlets of the matching reports only
    page = get(app, "/search?q=strike")
    assert f'<option value="{harbour.id}">The Harbour Gazette</option>' in page.text
    assert "Nordic Wire</option>" not in page.text


def test_sample_clock_is_used(app: FastAPI, ids: dict[str, int]) -> None:
    page = get(app, "/search?q=strike")
    assert NOW.year == 2024 and "minutes ago" in page.text


def test_a_submitted_search_reads_whole_words_then_beginnings(
    app: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    # "harbo" is no word of any article: as a whole word it finds nothing (and costs a
    # whole word's lookup); the page then looks for words beginning with it ("harbour").
    whole = replace(parse_query("harbo"), prefix_last=False)
    assert whole.fts() == '"harbo"' and store.search(whole, SearchFilters()).hits == []
    page = get(app, "/search?q=harbo")
    assert f'href="/articles/{ids["port-strike-ends"]}"' in page.text
    typed = get(app, "/search?q=harbo", hx_request="true")  # as you type: beginnings at once
    assert f'href="/articles/{ids["port-strike-ends"]}"' in typed.text


def test_a_common_whole_word_is_not_tried_as_a_beginning(
    app: FastAPI, store: Store, ids: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "year" is a word of one article (the ferries'), never beside "storm"; the storm's
    # article has "years". A rare word's beginnings are tried when whole words find
    # nothing; a common one's are not (its beginning reads its whole posting list).
    storm = f'href="/articles/{ids["aurora-forecast"]}"'
    assert storm in get(app, "/search?q=storm%20year").text
    if store.engine.dialect.name != "sqlite":
        return  # PostgreSQL's English stemming finds "years" for the whole word "year"
    whole = replace(parse_query("storm year"), prefix_last=False)
    assert store.search(whole, SearchFilters()).hits == []
    monkeypatch.setattr(search_module, "COMMON_WORD", 0)  # now every article's word is common
    assert storm not in get(app, "/search?q=storm%20year").text
    assert storm in get(app, "/search?q=storm%20yea").text  # no article's word: a beginning
    assert storm in get(app, "/search?q=storm%20year", hx_request="true").text  # as typed


def test_language_and_country_filters_offer_names_not_codes(
    app: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    """A newcomer picks "German" and "Germany" (in the interface's language), not "de" and
    "DE": the choices are the site's outlets' languages and countries."""
    store.add_source("https://berlin.example/feed", name="Berlin", country="DE", language="de")
    page = get(app, "/search?q=strike&lang=de", cookie="lang=fr").text
    assert '<option value="de" selected>Allemand</option>' in page
    assert '<option value="DE">Allemagne</option>' in page
    # the names are kept per interface language: the same choices, in English this time
    english = get(app, "/search?q=strike&lang=de").text
    assert '<option value="de" selected>German</option>' in english
    assert '<option value="DE">Germany</option>' in english
    assert '<input name="lang"' not in page and '<input name="country"' not in page
    # the box's hint keeps its quotes inside the attribute
    assert 'placeholder="Mots, &#34;une expression&#34;, -exclu"' in page
