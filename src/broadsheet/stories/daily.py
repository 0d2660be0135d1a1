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
from collections.abc import Callable, Sequence
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


def weight(c: Candidate) -> tuple[int, ...]:
    return (c.voices, len(c.countries), c.story.article_count, -c.story.id)


def choose(
    candidates: list[Candidate],
    size: int = SIZE,
    *,
    key: Callable[[Candidate], tuple[int, ...]] = weight,
    after: Sequence[Candidate] = (),
    per_country: bool = True,
) -> list[Candidate]:
    """The day's ``size`` stories, best first (by ``key``), spread over topics and
    countries. ``after``: stories chosen already (an edition's local ones), which count
    toward the spread; ``per_country=False`` leaves the country rule out (an edition's
    local stories are all of one country)."""
    ranked = sorted((c for c in candidates if c.voices > 0), key=key, reverse=True)
    chosen: list[Candidate] = []
    topics: Counter[str] = Counter(c.topic for c in after if c.topic)
    countries: Counter[str] = Counter(c.main_country for c in after if c.main_country)
    for c in ranked:
        if len(chosen) == size:
            break
        if c.topic and topics[c.topic] >= PER_TOPIC:
            continue
        if per_country and c.main_country and countries[c.main_country] >= PER_COUNTRY:
            continue
        chosen.append(c)
        if c.topic:
            topics[c.topic] += 1
        if c.main_country:
            countries[c.main_country] += 1
    if len(chosen) < size:  # a thin day: the best of the rest, without the spread rules
        picked = {c.story.id for c in chosen}
        chosen += [c for c in ranked if c.story.id not in picked][: size - len(chosen)]
        chosen.sort(key=key, reverse=True)
    return chosen


# --- an edition's Daily 8 ---------------------------------------------------------------

LOCAL_PLACES = 5  # of the eight, at most, go to the edition's local stories


@dataclass(frozen=True)
class Local:
    """How local a story is to an edition (a country and a language)."""

    voices: int  # the country's outlets that did their own reporting (wire copies left out)
    covered: bool  # any report from the country's outlets, wire copies too
    in_language: bool  # a report from the country's outlets in the edition's language
    named: bool  # its reports name the country in their text

    @property
    def is_local(self) -> bool:
        return self.covered or self.named


def local(c: Candidate, country: str, language: str, named: bool) -> Local:
    members = c.story.members
    copied = {m.duplicate_of for m in members if m.duplicate_of is not None}
    ours = [m for m in members if m.country == country]
    own = {m.source_id for m in ours if m.duplicate_of is None and m.article_id not in copied}
    return Local(
        voices=len(own),
        covered=bool(ours),
        in_language=any((m.language or "").split("-")[0] == language for m in ours),
        named=named,
    )


def choose_for_edition(
    candidates: list[Candidate], country: str, language: str, named: set[int]
) -> list[tuple[Candidate, bool]]:
    """An edition's eight, each with whether it is one of its local stories.

    Local stories (reported by the country's outlets, or naming the country in their
    text; ``named`` holds those stories' ids) take up to ``LOCAL_PLACES`` places, ranked
    by the country's own independent voices, then a report in the edition's language,
    then the world's weight. The world's best (by the usual rule) fill the rest, so a
    reader of an edition still gets the day's biggest stories. Topics are spread over the
    whole eight; the country rule applies to the world's part only."""
    found = {c.story.id: local(c, country, language, c.story.id in named) for c in candidates}

    def local_key(c: Candidate) -> tuple[int, ...]:
        x = found[c.story.id]
        return (x.voices, x.in_language, x.covered, x.named, *weight(c))

    ours = [c for c in candidates if found[c.story.id].is_local]
    picked = choose(ours, min(LOCAL_PLACES, len(ours)), key=local_key, per_country=False)
    taken = {c.story.id for c in picked}
    rest = [c for c in candidates if c.story.id not in taken]
    world = choose(rest, SIZE - len(picked), after=picked) if rest else []
    return [(c, True) for c in picked] + [(c, found[c.story.id].is_local) for c in world]
