"""The Daily 8's choice, as plain data: independent coverage first, spread over topics and
countries, and a thin day still filled."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from broadsheet.models import Story, StoryMember
from broadsheet.stories.daily import (
    LOCAL_PLACES,
    PER_TOPIC,
    SIZE,
    candidate,
    choose,
    choose_for_edition,
)

T0 = datetime(2024, 5, 13, 8, 0, tzinfo=UTC)


def _story(story_id: int, outlets: int, country: str = "GB", copies: int = 0) -> Story:
    """A story with ``outlets`` independent reports and ``copies`` outlets running one
    wire text (which is one voice, however many run it)."""
    members = []
    n = 0

    def member(source: int, duplicate_of: int | None) -> StoryMember:
        nonlocal n
        n += 1
        return StoryMember(
            article_id=story_id * 1000 + n,
            story_id=story_id,
            title=f"Story {story_id}",
            url=f"https://example.org/{story_id}/{n}",
            source_id=source,
            source_name=f"Outlet {source}",
            source_has_icon=False,
            shown_at=T0 + timedelta(minutes=n),
            published=None,
            country=country,
            language="en",
            duplicate_of=duplicate_of,
            agency=None,
        )

    for source in range(outlets):
        members.append(member(source, None))
    if copies:
        root = member(100, None)
        members.append(root)
        members += [member(200 + i, root.article_id) for i in range(copies)]
    return Story(
        story_id, T0, T0, len(members), outlets, members[0].article_id, f"S{story_id}", members
    )


def test_independent_voices_decide_and_wire_copies_count_once() -> None:
    wide = candidate(_story(1, outlets=5), "politics")
    wired = candidate(_story(2, outlets=1, copies=9), "business")  # 11 articles, 2 voices
    assert wired.voices == 2 and wide.voices == 5
    assert [c.story.id for c in choose([wired, wide])] == [1, 2]


def test_topics_and_countries_are_spread() -> None:
    sport = [candidate(_story(i, outlets=20 - i), "sport") for i in range(1, 6)]
    french = [candidate(_story(10 + i, outlets=12 - i, country="FR"), "politics") for i in range(5)]
    others = [
        candidate(_story(30 + i, outlets=3, country=country), topic)
        for i, (topic, country) in enumerate(
            (("health", "NG"), ("science", "IN"), ("culture", "BR"), ("economy", "JP"))
        )
    ]
    chosen = choose(sport + french + others)
    assert len(chosen) == SIZE
    topics = [c.topic for c in chosen]
    assert topics.count("sport") == PER_TOPIC
    assert sum(1 for c in chosen if c.main_country == "FR") <= 3
    assert chosen[0].story.id == 1  # the widest story leads


def test_a_thin_day_is_still_filled() -> None:
    sport = [candidate(_story(i, outlets=10 - i), "sport") for i in range(1, 5)]
    chosen = choose(sport)
    assert [c.story.id for c in chosen] == [1, 2, 3, 4]  # beyond the cap: nothing else left


def test_stories_without_reports_are_not_chosen() -> None:
    empty = Story(9, T0, T0, 0, 0, None, "nothing", [])
    assert choose([candidate(empty, None)]) == []


def test_an_edition_favours_its_local_stories_then_the_worlds_best() -> None:
    topics = ["politics", "economy", "science", "health", "sport", "culture", "crime"]
    world = [candidate(_story(i, outlets=30 - i, country="US"), topics[i % 7]) for i in range(10)]
    # six Chilean stories, small ones: two wire copies only, the rest with own reporting
    chilean = [
        candidate(_story(50 + i, outlets=1 + i % 3, country="CL"), topics[i % 7]) for i in range(6)
    ]
    wire_only = candidate(_story(70, outlets=0, country="CL", copies=2), "technology")
    named = candidate(_story(80, outlets=1, country="AR"), "environment")  # names Chile
    chosen = choose_for_edition(world + chilean + [wire_only, named], "CL", "es", {80})
    assert len(chosen) == SIZE
    local = [c.story.id for c, is_local in chosen if is_local]
    assert len(local) == LOCAL_PLACES  # five local, three of the world's biggest
    assert [c.story.id for c, _ in chosen[LOCAL_PLACES:]] == [0, 1, 2]
    # ranked by the country's own independent reports: 2-outlet stories before 1-outlet
    # ones; the wire copy and the story that only names Chile come last of the local ones
    assert set(local[:2]) == {52, 55}
    assert 70 not in local and 80 not in local
    assert all(is_local and c.main_country == "CL" for c, is_local in chosen[:LOCAL_PLACES])
    assert max(Counter(c.topic for c, _ in chosen).values()) <= PER_TOPIC


def test_an_edition_with_few_local_stories_gets_more_of_the_world() -> None:
    world = [candidate(_story(i, outlets=10 - i, country="US"), f"t{i}") for i in range(9)]
    named = candidate(_story(80, outlets=1, country="AR"), "environment")
    chosen = choose_for_edition([*world, named], "CL", "es", {80})
    assert [(c.story.id, is_local) for c, is_local in chosen][:2] == [(80, True), (0, False)]
    assert len(chosen) == SIZE
