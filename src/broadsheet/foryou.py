"""The "For you" ranking: a reader's articles ranked by what they follow, with reasons.

A plain function over plain data (no I/O): the web gathers candidates and facts from the
store and names for the reasons. Score = the follows an article matches (a topic the
reader often reads counts half), halved for every ``half_life_hours`` of age, and lowered
for articles already read; one article per story; muted topics and outlets never appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

READ_FACTOR = 0.3
WEIGHT = {"read": 0.5}  # a topic the reader often reads counts half a follow


@dataclass(frozen=True)
class Pick:
    article_id: int
    score: float
    reasons: tuple[tuple[str, str], ...]  # (kind, key) of the follows it matched


def rank(
    candidates: dict[int, list[tuple[str, str]]],
    facts: dict[int, dict[str, Any]],
    muted: set[tuple[str, str]],
    read: set[int],
    now: datetime,
    half_life_hours: float,
    limit: int,
) -> list[Pick]:
    muted_topics = {k for kind, k in muted if kind == "topic"}
    muted_outlets = {k for kind, k in muted if kind == "outlet"}
    picks: list[Pick] = []
    for aid, reasons in candidates.items():
        fact = facts.get(aid)
        if fact is None:
            continue
        if str(fact["source"]) in muted_outlets or fact["topics"] & muted_topics:
            continue
        hours = max(0.0, (now - fact["at"]).total_seconds() / 3600)
        matched = sum(WEIGHT.get(kind, 1.0) for kind, _key in set(reasons))
        score = matched * 0.5 ** (hours / half_life_hours)
        if aid in read:
            score *= READ_FACTOR
        picks.append(Pick(aid, score, tuple(dict.fromkeys(reasons))))
    picks.sort(key=lambda p: (-p.score, -p.article_id))
    seen_stories: set[int] = set()
    out: list[Pick] = []
    for p in picks:
        story = facts[p.article_id]["story"]
        if story is not None:
            if story in seen_stories:
                continue
            seen_stories.add(story)
        out.append(p)
        if len(out) == limit:
            break
    return out
