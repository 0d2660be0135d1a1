"""Trending and the coverage view: plain functions over story members."""

from __future__ import annotations

from datetime import timedelta

from broadsheet.models import Source, Story, StoryMember
from broadsheet.stories import coverage, trending
from broadsheet.stories.related import split
from tests.stories.sample import T0


def member(aid: int, story: int, source: int, hours: float = 0.0, **kw: object) -> StoryMember:
    values: dict = {
        "article_id": aid,
        "story_id": story,
        "title": f"t{aid}",
        "url": f"https://x/{aid}",
        "source_id": source,
        "source_name": f"Outlet {source}",
        "source_has_icon": False,
        "shown_at": T0 + timedelta(hours=hours),
        "published": None,
        "country": None,
        "language": "en",
        "duplicate_of": None,
        "agency": None,
    }
    values.update(kw)
    return StoryMember(**values)


def story(sid: int, hours: float = 0.0) -> Story:
    return Story(sid, T0, T0 + timedelta(hours=hours), 0, 0, None)


def test_wire_copies_count_once() -> None:
    wire = [member(1, 1, 1)] + [member(n, 1, n, duplicate_of=1) for n in range(2, 9)]
    assert len(trending.voices(wire)) == 1
    independent = [member(n, 2, n) for n in range(1, 4)]
    assert len(trending.voices(independent)) == 3
    ranked = trending.top([story(1), story(2)], wire + independent, T0, 12.0)
    assert [s.id for s in ranked] == [2, 1]


def test_recency_speed_and_countries_raise_the_rank() -> None:
    now = T0 + timedelta(hours=24)
    old = [member(n, 1, n, hours=0) for n in range(1, 4)]
    fresh = [member(10 + n, 2, n, hours=23) for n in range(1, 4)]
    assert [s.id for s in trending.top([story(1), story(2)], old + fresh, now, 12.0)] == [2, 1]
    slow = [member(n, 3, n, hours=h) for n, h in zip(range(1, 4), (0, 12, 23), strict=True)]
    fast = [member(10 + n, 4, n, hours=h) for n, h in zip(range(1, 4), (20, 21, 23), strict=True)]
    assert trending.rank(story(4), fast, now, 12.0) > trending.rank(story(3), slow, now, 12.0)
    one = [member(n, 5, n, country="FR") for n in range(1, 4)]
    many = [
        member(10 + n, 6, n, country=c)
        for n, c in zip(range(1, 4), "FR DE JP".split(), strict=True)
    ]
    assert trending.rank(story(6), many, T0, 12.0) > trending.rank(story(5), one, T0, 12.0)


def test_coverage_view() -> None:
    members = [
        member(1, 1, 1, hours=0, country="FR", language="fr", agency="AFP"),
        member(2, 1, 2, hours=1, country="BE", language="fr", duplicate_of=1),
        member(3, 1, 3, hours=2, country="US", language="en"),
    ]
    sources = [Source(id=n, url=f"https://{n}", name=f"Outlet {n}") for n in range(1, 6)]
    sources[4].enabled = False
    view = coverage.coverage(members, sources)
    assert [o.name for o in view.outlets] == ["Outlet 1", "Outlet 2", "Outlet 3"]
    assert view.wire == 2 and view.original == 1
    assert view.agencies == [("AFP", 1)]
    assert dict(view.languages) == {"fr": 2, "en": 1}
    assert view.first_at == T0 and view.last_at == T0 + timedelta(hours=2)
    assert view.origin is not None and view.origin.article_id == 1
    assert [s.name for s in view.missing] == ["Outlet 4"]  # the disabled one is not counted


def test_related_split_into_earlier_and_later() -> None:
    me = story(5)
    me.first_at = T0
    before, after = story(1), story(9)
    before.first_at, after.first_at = T0 - timedelta(days=3), T0 + timedelta(days=2)
    found = split(me, [after, me, before])
    assert [s.id for s in found.earlier] == [1] and [s.id for s in found.later] == [9]
