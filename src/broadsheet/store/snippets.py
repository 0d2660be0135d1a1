"""Search snippets made in Python from the lexemes of a PostgreSQL query.

``ts_headline`` parses and stems the whole text of every hit again: as much work as
building its tsvector (5-10 ms of the database's time for a page of 20 hits at 1M
articles, a fifth of a search). The query's lexemes are known already, and a stem is the
beginning of the words it stands for in nearly every case ("feed" of "feeds", "surgeon" of
"surgeons"); where stemming changed the last letter ("countri" of "country") its lexeme
less that letter is taken too. One regular expression finds them all; the snippet is the
``tokens`` words around the densest run of matches, as SQLite's ``snippet()`` gives one.
A word matched this way that the stemmer would not have matched ("nationalist" for
"national") is highlighted too: a snippet marks, it does not decide what was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LEXEME = re.compile(r"'((?:[^']|'')+)'")  # a quoted lexeme in a tsquery's text
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
SHORTEST_STEM = 4  # shorter lexemes match whole words only ("eu" is not "euro")
WORDS_BEFORE = 4  # words kept before the first match of the chosen run
REACH_CHARS = 160  # matches counted after a match to find the densest run (~25 words)
MARKERS = re.compile("[\x02\x03]")


def lexemes(tsquery: str) -> list[str]:
    """The distinct lexemes of a tsquery as PostgreSQL prints it ("'sai' | 'said'")."""
    return sorted({m.group(1).replace("''", "'") for m in _LEXEME.finditer(tsquery)})


def matcher(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the words ``terms`` (lexemes) stand for; None without terms."""
    whole: set[str] = set()
    stems: set[str] = set()
    for term in terms:
        term = term.casefold()
        if len(term) < SHORTEST_STEM:
            whole.add(term)
            continue
        stems.add(term)
        if len(term) > SHORTEST_STEM:
            stems.add(term[:-1])  # "countri" -> "countr": "country" too
    if not whole and not stems:
        return None
    # a stem another stem begins matches nothing more ("countr" covers "countri"): fewer
    # alternatives, the same matches (0.69 -> 0.45 ms a page of 20 hits at 1M articles)
    stems = {s for s in stems if not any(o != s and s.startswith(o) for o in stems)}
    alternatives = [re.escape(s) + r"\w*" for s in sorted(stems, key=len, reverse=True)]
    alternatives += [re.escape(w) + r"(?!\w)" for w in sorted(whole, key=len, reverse=True)]
    # no "(?<!\w)" in front: it keeps the engine from skipping to the terms' first letters
    # (3x slower); a match inside a word is left out afterwards (_at_word_start)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _at_word_start(text: str, start: int) -> bool:
    return start == 0 or _WORD_CHAR.match(text, start - 1) is None


def snippet(text: str, pattern: re.Pattern[str] | None, tokens: int, mark: tuple[str, str]) -> str:
    """About ``tokens`` words of ``text`` around its densest run of ``pattern``'s matches
    (its beginning when nothing matches, as when only the title did), each match between
    ``mark``'s two strings, "…" where text was left out; whitespace made single spaces."""
    found = []
    if pattern is not None:
        found = [m for m in pattern.finditer(text) if _at_word_start(text, m.start())]
    anchor = 0
    if found:
        best, j = (0, 0), 0
        for i, m in enumerate(found):  # the match followed by the most within REACH_CHARS
            j = max(j, i)
            while j + 1 < len(found) and found[j + 1].start() < m.start() + REACH_CHARS:
                j += 1
            if j - i + 1 > best[0]:
                best = (j - i + 1, m.start())
        start = max(0, best[1] - 20 * WORDS_BEFORE)
        before = list(_WORD.finditer(text, start, best[1]))[1 if start else 0 :]  # whole words
        anchor = before[-WORDS_BEFORE:][0].start() if before else best[1]
    words = _WORD.finditer(text, anchor)
    end = anchor
    for count, word in enumerate(words, 1):
        end = word.end()
        if count == tokens:
            break
    more = _WORD.search(text, end) is not None
    piece = MARKERS.sub(" ", text[anchor:end])
    if pattern is not None:
        piece = pattern.sub(
            lambda m: mark[0] + m.group(0) + mark[1] if _at_word_start(m.string, m.start())
            else m.group(0),
            piece,
        )  # fmt: skip
    piece = " ".join(piece.split())
    return ("…" if _WORD.search(text, 0, anchor) else "") + piece + ("…" if more else "")
