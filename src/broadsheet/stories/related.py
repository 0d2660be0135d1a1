"""Related stories: earlier and later stories sharing a story's main words and names.

Each story keeps its strongest features (``story_terms``: words, names, and entity ids and
countries once the understanding stage supplies them); the store looks up stories sharing
at least two of them through an index on the term, never a scan. Here they are split
into the timeline of a developing situation: what came before, what came after.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from broadsheet.models import Story


@dataclass
class Related:
    earlier: list[Story] = field(default_factory=list)  # newest first
    later: list[Story] = field(default_factory=list)  # oldest first


def split(story: Story, others: list[Story], limit: int = 6) -> Related:
    """``others`` (best match first) as the stories before and after ``story``."""
    out = Related()
    anchor = story.first_at
    for other in others:
        if other.id == story.id:
            continue
        if anchor is not None and other.first_at is not None and other.first_at > anchor:
            out.later.append(other)
        else:
            out.earlier.append(other)
    out.earlier = sorted(out.earlier[:limit], key=_newest_first)
    out.later = sorted(out.later[:limit], key=_oldest_first)
    return out


def _newest_first(s: Story) -> float:
    return -(s.first_at.timestamp() if s.first_at else 0.0)


def _oldest_first(s: Story) -> float:
    return s.first_at.timestamp() if s.first_at else 0.0
