"""Span rules on top of the tagger: cut what a name cannot contain, agree within a text.

Measured on CoNLL-2003 dev (bench/understanding.py); each rule fixes a class of errors
the small spaCy model makes often, and explains itself:

- ``split``: a name never runs across a line break, never holds a spaced dash ("CRICKET -
  AUSTRALIA", "Romania - Cosmin Contra": a heading or a results line glued to a name) and
  never ends in a score ("J. Ratcliffe 63", "Kent 108-3", "Mexico 2-0"). Of two names
  round a dash, the left one is kept only when it is a known place.
- ``agree``: one text uses one name one way. A name tagged several ways in one text takes
  its commonest label; a single word tagged as a place or organisation that is the
  family name of exactly one person named in full in the text is that person ("Wang"
  after "Wang Junxia").

Measured and left out: tagging the text's other, untagged mentions of a found name or
family name ("Lebed" missed in one sentence of many) raised CoNLL dev F1 0.759 -> 0.765
but lowered ECB+ story clustering (B-cubed F1 0.922 -> 0.915, mean of five orders): the
extra mentions weigh the entity features of the stories stage.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from broadsheet.understand import gazetteer

Span = tuple[int, int, str]

NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_TRAILING_NUMBERS = re.compile(r"(?:[ \t]+\(?\d+(?:[-/.:]\d+)*\)?)+$")
_SCORE = re.compile(r"[-/.:]|\d{3}")  # "4-28", "108-3", "114": a score, not part of a name
_DASH = re.compile(r"[ \t]+[-–—][ \t]+")


def split(text: str, start: int, end: int, label: str) -> list[Span]:
    """The span cut at a line break, at a spaced dash, and before a trailing score."""
    if label not in NAME_LABELS:
        return [(start, end, label)]
    piece = text[start:end]
    if "\n" in piece:
        first = piece.split("\n", 1)[0].rstrip()
        end = start + len(first)
        piece = first
    out: list[Span] = []
    if _DASH.search(piece):
        at = start
        for i, part in enumerate(_DASH.finditer(piece)):
            left = text[at : start + part.start()]
            if i == 0 and left and gazetteer.is_country(left):
                out.append((at, start + part.start(), "GPE"))
            at = start + part.end()
        start = at
        piece = text[start:end]
        if gazetteer.is_country(piece):
            label = "GPE" if label not in ("GPE", "LOC") else label
    trail = _TRAILING_NUMBERS.search(piece)
    if trail and trail.start() > 0 and (label != "ORG" or _SCORE.search(trail.group(0))):
        end = start + trail.start()
    if end > start:
        out.append((start, end, label))
    return out


def agree(text: str, spans: list[Span]) -> list[Span]:
    """Labels made consistent within the text."""
    if not spans:
        return spans
    surface = [text[s:e] for s, e, _ in spans]
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for (_s, _e, label), name in zip(spans, surface, strict=True):
        if label in NAME_LABELS:
            votes[name][label] += 1
    # a family name is the last word of a full name, or the first ("Wang Junxia"), as
    # entities._link reads them; a word that several full names share is left alone
    surnames: Counter[str] = Counter()
    for name in {n for (_s, _e, lab), n in zip(spans, surface, strict=True) if lab == "PERSON"}:
        words = name.split()
        if len(words) > 1:
            surnames.update({w for w in (words[0], words[-1]) if w[:1].isupper()})
    unique_surnames = {w for w, n in surnames.items() if n == 1 and len(w) > 2}
    fixed: list[Span] = []
    for (s, e, label), name in zip(spans, surface, strict=True):
        if label in NAME_LABELS:
            (best, n), *rest = votes[name].most_common(2) + [("", 0)]
            if n > rest[0][1]:
                label = best
            if label in ("ORG", "GPE", "LOC") and name in unique_surnames:
                if not gazetteer.country_code(name):
                    label = "PERSON"
        fixed.append((s, e, label))
    return fixed
