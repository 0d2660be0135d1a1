"""Which countries (and regions) an article is about, from the places it names.

Each GPE/LOC/FAC mention and each nationality (NORP) is resolved to a country through the
gazetteer; the countries named most (and earliest) come first. The outlet's own country
is not assumed: only what the text says counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from broadsheet.understand import gazetteer
from broadsheet.understand.entities import Mention

VERSION = "1"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
MAX_COUNTRIES = 5
MIN_SHARE = 0.15  # of place mentions, for a country after the first


@dataclass(frozen=True)
class CountryScore:
    code: str  # ISO 3166-1 alpha-2
    name: str
    region: str | None
    mentions: int


def countries(mentions: list[Mention]) -> list[CountryScore]:
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for m in mentions:
        if m.label in PLACE_LABELS:
            code = gazetteer.country_code(m.text)
        elif m.label == "NORP":
            code = gazetteer.demonym_country(m.text)
        else:
            continue
        if code:
            counts[code] += 1
            first_seen.setdefault(code, m.start)
    if not counts:
        return []
    total = sum(counts.values())
    ranked = sorted(counts, key=lambda c: (-counts[c], first_seen[c]))
    kept = [c for i, c in enumerate(ranked) if i == 0 or counts[c] / total >= MIN_SHARE]
    return [
        CountryScore(c, gazetteer.country_name(c), gazetteer.continent(c), counts[c])
        for c in kept[:MAX_COUNTRIES]
    ]
