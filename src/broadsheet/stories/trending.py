"""Top stories: ranked by independent coverage, its speed, recency and country spread.

A story's rank, computed from its members (plain data, no I/O):

    independent   outlets that reported it, where all outlets running one wire text
                  count once (an agency copy is one voice, however many run it)
    countries     distinct outlet countries among them
    speed         independent reports in its first ``SPEED_HOURS`` hours
    rank = log2(1 + independent) · (1 + 0.25·(countries − 1)) · (1 + 0.5·log2(1 + speed))
           · 0.5 ^ (hours since the last report / half-life)
"""

from __future__ import annotations

import math
from datetime import datetime

from broadsheet.models import Story, StoryMember

SPEED_HOURS = 6.0


def voices(members: list[StoryMember]) -> set[tuple[str, int]]:
    """One voice per outlet with original reporting, one per wire text (however copied)."""
    copied = {m.duplicate_of for m in members if m.duplicate_of is not None}
    out: set[tuple[str, int]] = set()
    for m in members:
        if m.duplicate_of is not None:
            out.add(("wire", m.duplicate_of))
        elif m.article_id in copied:
            out.add(("wire", m.article_id))
        else:
            out.add(("outlet", m.source_id))
    return out


def rank(story: Story, members: list[StoryMember], now: datetime, half_life_hours: float) -> float:
    if not members:
        return 0.0
    independent = len(voices(members))
    countries = len({m.country for m in members if m.country}) or 1
    first = min(m.shown_at for m in members)
    last = max(m.shown_at for m in members)
    early = [m for m in members if (m.shown_at - first).total_seconds() <= SPEED_HOURS * 3600]
    speed = len(voices(early))
    age_hours = max(0.0, (now - last).total_seconds() / 3600.0)
    decay = 0.5 ** (age_hours / half_life_hours) if half_life_hours > 0 else 1.0
    return (
        math.log2(1 + independent)
        * (1 + 0.25 * (countries - 1))
        * (1 + 0.5 * math.log2(1 + speed))
        * decay
    )


def top(
    stories: list[Story], members: list[StoryMember], now: datetime, half_life_hours: float
) -> list[Story]:
    """``stories`` ranked, best first, each with its members and ``score`` set."""
    by_story: dict[int, list[StoryMember]] = {}
    for m in members:
        by_story.setdefault(m.story_id, []).append(m)
    for s in stories:
        s.members = by_story.get(s.id, [])
        s.score = rank(s, s.members, now, half_life_hours)
    return sorted(stories, key=lambda s: (-s.score, -(s.last_at or now).timestamp(), -s.id))
