"""PostgreSQL's search snippets, made in Python from the query's lexemes (store/snippets.py):
the words a stem stands for are marked, the densest run of matches is shown, nothing the
text holds can pass for a marker."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

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


def test_a_stem_another_stem_begins_still_marks_every_word_either_would() -> None:
    """The pattern leaves out a stem another begins ("zwischen" after "zwisch"): every
    word beginning with either is still marked, whole, whatever its case."""
    pattern = snippets.matcher(["zwischen", "zwisch", "tap"])
    found = snippets.snippet("Zwischzug, zwischenzeit and TAP tapas", pattern, 28, MARK)
    assert found == "[Zwischzug], [zwischenzeit] and [TAP] tapas"


@given(
    st.lists(st.text("abcé", min_size=1, max_size=7), min_size=1, max_size=6),
    st.text("abcé ABCÉ.", max_size=80),
)
@hsettings(max_examples=300, deadline=None)
def test_the_pattern_finds_what_one_alternative_per_stem_finds(terms: list[str], text: str) -> None:
    """The same matches as the pattern of every stem and its beginning, longest first."""
    pattern = snippets.matcher(terms)
    assert pattern is not None
    stems = {t.casefold() for t in terms if len(t) >= snippets.SHORTEST_STEM}
    stems |= {s[:-1] for s in stems if len(s) > snippets.SHORTEST_STEM}
    whole = {t.casefold() for t in terms if len(t) < snippets.SHORTEST_STEM}
    every = [re.escape(s) + r"\w*" for s in sorted(stems, key=len, reverse=True)]
    every += [re.escape(w) + r"(?!\w)" for w in sorted(whole, key=len, reverse=True)]
    reference = re.compile("|".join(every), re.IGNORECASE)
    assert [m.span() for m in pattern.finditer(text)] == [
        m.span() for m in reference.finditer(text)
    ]
