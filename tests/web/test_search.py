"""Search: the query parser, the store's ranked and grouped results, and the page through
the real ASGI app (filters, highlighting, phrases, exclusions, htmx fragments, no results,
hostile input)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.store import Store
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
    assert nordic is not None
    page = get(app, f"/search?q=strike&outlet={nordic.id}")
    assert f'href="/articles/{ids["port-strike-ends"]}"' not in page.text


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


def test_language_and_country_filters_offer_names_not_codes(
    app: FastAPI, store: Store, ids: dict[str, int]
) -> None:
    """A newcomer picks "German" and "Germany" (in the interface's language), not "de" and
    "DE": the choices are the site's outlets' languages and countries."""
    store.add_source("https://berlin.example/feed", name="Berlin", country="DE", language="de")
    page = get(app, "/search?q=strike&lang=de", cookie="lang=fr").text
    assert '<option value="de" selected>Allemand</option>' in page
    assert '<option value="DE">Allemagne</option>' in page
    assert '<input name="lang"' not in page and '<input name="country"' not in page
    # the box's hint keeps its quotes inside the attribute
    assert 'placeholder="Mots, &#34;une expression&#34;, -exclu"' in page
