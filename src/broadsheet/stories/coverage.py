"""The coverage view of a story: who covered it, from where, in which languages, when,
how much of it was wire copy, and which of the operator's outlets did not cover it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from broadsheet.models import Source, StoryMember


@dataclass
class OutletCoverage:
    source_id: int
    name: str
    has_icon: bool
    country: str | None
    languages: list[str]
    first_at: datetime
    articles: list[StoryMember]
    wire: int  # of its articles, how many carry wire copy


@dataclass
class Coverage:
    outlets: list[OutletCoverage]
    countries: list[tuple[str, int]]  # country, outlets; most first
    languages: list[tuple[str, int]]  # language, articles; most first
    first_at: datetime | None
    last_at: datetime | None
    articles: int
    wire: int  # articles carrying wire copy: a text several outlets ran, or agency-credited
    original: int  # the rest: the outlet's own reporting
    agencies: list[tuple[str, int]]  # agency credited, articles
    origin: StoryMember | None  # the earliest report
    missing: list[Source] = field(default_factory=list)  # configured outlets not covering it


def _counted(values: list[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def is_wire(m: StoryMember, copied: set[int]) -> bool:
    """Wire copy: a text other outlets ran too (either end of a copy), or agency-credited."""
    return m.duplicate_of is not None or m.article_id in copied or m.agency is not None


def coverage(members: list[StoryMember], sources: list[Source]) -> Coverage:
    copied = {m.duplicate_of for m in members if m.duplicate_of is not None}
    by_outlet: dict[int, OutletCoverage] = {}
    for m in sorted(members, key=lambda m: (m.shown_at, m.article_id)):
        o = by_outlet.get(m.source_id)
        if o is None:
            o = by_outlet[m.source_id] = OutletCoverage(
                m.source_id, m.source_name, m.source_has_icon, m.country, [], m.shown_at, [], 0
            )
        o.articles.append(m)
        if m.language and m.language not in o.languages:
            o.languages.append(m.language)
        if is_wire(m, copied):
            o.wire += 1
    outlets = sorted(by_outlet.values(), key=lambda o: (o.first_at, o.name.casefold()))
    wire = sum(1 for m in members if is_wire(m, copied))
    covered = set(by_outlet)
    origin = min(members, key=lambda m: (m.published or m.shown_at, m.article_id), default=None)
    return Coverage(
        outlets=outlets,
        countries=_counted([o.country for o in outlets if o.country]),
        languages=_counted([m.language.split("-")[0].lower() for m in members if m.language]),
        first_at=min((m.shown_at for m in members), default=None),
        last_at=max((m.shown_at for m in members), default=None),
        articles=len(members),
        wire=wire,
        original=len(members) - wire,
        agencies=_counted([m.agency for m in members if m.agency]),
        origin=origin,
        missing=sorted(
            (s for s in sources if s.enabled and s.id not in covered),
            key=lambda s: s.name.casefold(),
        ),
    )


def folded(members: list[StoryMember], exclude: int | None = None) -> list[dict[str, Any]]:
    """Members as the reader sees them: each wire text once, with every outlet that ran it
    (the earliest report first as its origin); other articles one by one; newest first."""
    groups: dict[int, list[StoryMember]] = {}
    for m in members:
        groups.setdefault(m.duplicate_of or m.article_id, []).append(m)
    items = []
    for group in groups.values():
        group.sort(key=lambda m: (m.published or m.shown_at, m.article_id))
        shown = [m for m in group if m.article_id != exclude]
        if not shown:
            continue
        origin = shown[0]
        items.append(
            {
                "member": origin,
                "also": [m for m in shown[1:]],
                "copies": len(group),
                "agency": next((m.agency for m in group if m.agency), None),
            }
        )
    items.sort(key=lambda i: i["member"].shown_at, reverse=True)
    return items
