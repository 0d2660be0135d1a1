"""The Daily 8: the day's eight top stories, chosen by independent coverage and spread
over topics and countries (plain data, no I/O).

    candidates   the stories first reported that day, with their members
    weight       independent voices (every outlet with its own reporting counts once, and
                 every wire text once however many outlets ran it: ``trending.voices``),
                 then the outlets' countries, then the number of reports
    spread       at most ``PER_TOPIC`` stories of one topic and ``PER_COUNTRY`` whose
                 coverage comes mostly from one country; when the day is too thin to
                 fill eight that way, the best of the rest fill the places left
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from broadsheet.models import Story
from broadsheet.stories.trending import voices

SIZE = 8
PER_TOPIC = 2
PER_COUNTRY = 3


@dataclass
class Candidate:
    story: Story
    topic: str | None = None
    voices: int = 0
    countries: list[str] = field(default_factory=list)  # outlets' countries, commonest first

    @property
    def main_country(self) -> str | None:
        return self.countries[0] if self.countries else None


def candidate(story: Story, topic: str | None) -> Candidate:
    counts = Counter(m.country for m in story.members if m.country)
    return Candidate(
        story=story,
        topic=topic,
        voices=len(voices(story.members)),
        countries=[c for c, _n in counts.most_common()],
    )


def _weight(c: Candidate) -> tuple[int, int, int, int]:
    return (c.voices, len(c.countries), c.story.article_count, -c.story.id)


def choose(candidates: list[Candidate], size: int = SIZE) -> list[Candidate]:
    """The day's ``size`` stories, best first, spread over topics and countries."""
    ranked = sorted((c for c in candidates if c.voices > 0), key=_weight, reverse=True)
    chosen: list[Candidate] = []
    topics: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    for c in ranked:
        if len(chosen) == size:
            break
        if c.topic and topics[c.topic] >= PER_TOPIC:
            continue
        if c.main_country and countries[c.main_country] >= PER_COUNTRY:
            continue
        chosen.append(c)
        if c.topic:
            topics[c.topic] += 1
        if c.main_country:
            countries[c.main_country] += 1
    if len(chosen) < size:  # a thin day: the best of the rest, without the spread rules
        picked = {c.story.id for c in chosen}
        chosen += [c for c in ranked if c.story.id not in picked][: size - len(chosen)]
        chosen.sort(key=_weight, reverse=True)
    return chosen
