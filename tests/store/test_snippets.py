"""PostgreSQL's search snippets, made in Python from the query's lexemes (store/snippets.py):
the words a stem stands for are marked, the densest run of matches is shown, nothing the
text holds can pass for a marker."""

from __future__ import annotations

import pytest

from broadsheet.store import snippets

pytestmark = pytest.mark.no_database("text in, text out")
MARK = ("[", "]")
TEXT = (
    "The committee met on Monday in the capital. Delegates from several countries said the "
    "national budget was too small. " + "Nothing else happened that week at all. " * 12 + "Later "
    "the country's delegates said that the feeds of the agency had been cut, and the country "
    "said so twice."
)


def _snippet(tsquery: str, text: str = TEXT, tokens: int = 28) -> str:
    return snippets.snippet(text, snippets.matcher(snippets.lexemes(tsquery)), tokens, MARK)


def test_lexemes_are_read_from_a_tsquery_as_postgresql_prints_it() -> None:
    assert snippets.lexemes("( 'countri' & 'said' ) | ( 'feed':* ) | ( 'o''neil' )") == [
        "countri",
        "feed",
        "o'neil",
        "said",
    ]
    assert snippets.lexemes("") == []


def test_the_words_a_stem_stands_for_are_marked_in_the_densest_run() -> None:
    found = _snippet("( 'countri' & 'said' ) | ( 'feed' )")
    # the end of the text holds five matches within a few words, the start two
    assert "[country]'s delegates [said] that the [feeds]" in found
    assert found.startswith("…") and "Monday" not in found
    assert "[countries]" not in found  # its run was the thinner one


def test_short_lexemes_match_whole_words_only() -> None:
    found = _snippet("'eu'", "The EU and the euro: the EU summit.")
    assert found == "The [EU] and the euro: the [EU] summit"


def test_without_a_match_the_snippet_is_the_beginning() -> None:
    found = _snippet("'zanzibar'", tokens=6)
    assert found == "The committee met on Monday in…"
    assert snippets.snippet("", snippets.matcher(["said"]), 28, MARK) == ""
    assert snippets.matcher([]) is None


def test_a_match_at_the_start_has_no_leading_ellipsis() -> None:
    found = _snippet("'committe'", tokens=5)
    assert found == "The [committee] met on Monday…"


def test_markers_in_the_text_cannot_pass_for_highlights() -> None:
    found = snippets.snippet("a \x02fake\x03 said b", snippets.matcher(["said"]), 28, MARK)
    assert "\x02" not in found and "\x03" not in found
    assert found == "a fake [said] b"


def test_whitespace_is_made_single_spaces() -> None:
    found = snippets.snippet("one\n\n  two\tsaid", snippets.matcher(["said"]), 28, MARK)
    assert found == "one two [said]"


def test_a_stem_inside_a_longer_word_is_not_marked() -> None:
    text = "The administrator met the minister; ministers and sub-ministers came."
    assert _snippet("'minist'", text) == (
        "The administrator met the [minister]; [ministers] and sub-[ministers] came"
    )
    assert _snippet("'eu'", "Neue Regeln der EU, meu eu.") == "Neue Regeln der [EU], meu [eu]"
