"""Case repair before entity recognition: ALL-CAPS headlines and datelines.

Statistical taggers lean on capitals: "PYONGYANG (Reuters) -" or a shouted headline reads
to them as a row of acronyms, and a headline in Title Case As One Long Name. ``recase``
rewrites shouted lines in sentence case, capitalising only the words that the same text
writes with a capital elsewhere (mid-sentence), known place names and acronyms. The result
has exactly the same length, so every offset found in it is valid in the original.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Acronyms that stay capitals (a shouted headline still has real acronyms in it).
ACRONYMS = frozenset(
    "AFP AP BBC CDC CEO CIA CNN EU FBI FIFA G7 G20 GDP IMF IOC IS ISIS NASA NATO NBA NFL "
    "NHL NHS OPEC UAE UEFA UK UN UNICEF US USA USSR WHO WTO".split()
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
_DATELINE = re.compile(
    r"^[ \t]*([A-Z][A-Z'’.-]+(?:[ \t]+[A-Z][A-Z'’.-]+){0,3})(?=[ \t]*(?:,|\(|-|—|–|\d|$))",
    re.MULTILINE,
)
_MID_SENTENCE_WORD = re.compile(r"(?<=[\w,;:)\"'”’] )([^\W\d_][\w'’.-]*)")
SHOUTED_SHARE = 0.7
MIN_LETTERS = 4

IsPlace = Callable[[str], object]


def recase(text: str, is_place: IsPlace | None = None) -> str:
    """``text`` with shouted lines and datelines repaired; same length, same offsets."""
    lines = text.splitlines(keepends=True)
    shouted = [_is_shouted(line) for line in lines]
    forms: dict[str, str] = {}
    for line, loud in zip(lines, shouted, strict=True):
        if not loud:
            for m in _MID_SENTENCE_WORD.finditer(line):
                word = m.group(1).rstrip(".")
                if word[0].isupper() and word.upper() != word:
                    forms.setdefault(word.lower(), word)
    out: list[str] = []
    for line, loud in zip(lines, shouted, strict=True):
        if loud:
            fixed = _WORD.sub(lambda m: _word(m.group(0), m.start() == 0, forms, is_place), line)
        else:
            fixed = _DATELINE.sub(lambda m: _dateline(m.group(0)), line, count=1)
        out.append(fixed if len(fixed) == len(line) else line)
    return "".join(out)


def _is_shouted(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return len(letters) >= MIN_LETTERS and upper / len(letters) >= SHOUTED_SHARE


def _dateline(run: str) -> str:
    return _WORD.sub(lambda m: _titled(m.group(0)), run)


def _word(word: str, first: bool, forms: dict[str, str], is_place: IsPlace | None) -> str:
    if word.upper() != word or word in ACRONYMS:
        return word
    lower = word.lower()
    known = forms.get(lower.rstrip("."))
    if known and len(known) == len(word.rstrip(".")):
        return known + word[len(known) :]
    if is_place is not None and len(word) > 2 and is_place(lower):
        return _titled(word)
    if first:
        return word[0] + lower[1:]
    return lower if len(lower) == len(word) else word


def _titled(word: str) -> str:
    lower = word.lower()
    titled = re.sub(r"(^|-|^\w['’])(\w)", lambda m: m.group(1).upper() + m.group(2).upper(), lower)
    return titled if len(titled) == len(word) else word
