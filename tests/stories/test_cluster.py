"""The online rule: the text features, the index, complete-link decisions."""

from __future__ import annotations

import numpy as np
import pytest

from broadsheet.stories import index as index_mod
from broadsheet.stories.cluster import Clusterer, time_damping
from broadsheet.stories.index import TermIndex
from broadsheet.stories.text import features
from tests.stories.sample import CHILE, JAPAN, STRIKE


def stream(articles: list[tuple[str, str]], times: list[float] | None = None) -> list[int]:
    index = TermIndex()
    clusterer = Clusterer(index)
    next_id = 0
    for n, (title, text) in enumerate(articles):
        slot = index.add(n, features(title, text), times[n] if times else None)
        clusterer.assign(slot)
        for story in [s for s in clusterer.members if s < 0]:
            next_id += 1
            clusterer.rename(story, next_id)
    return [clusterer.story_of[index.slot_of[n]] for n in range(len(articles))]


def test_features_weigh_title_names_and_numbers() -> None:
    f = features("Quake hits Chile", "The quake struck Iquique in Chile at 10:00, magnitude 7.1.")
    assert f["w:quake"] > f["w:struck"]  # in the title too
    assert "e:iquique" in f and "e:chile" in f
    assert "n:7.1" in f
    assert "w:the" not in f  # a stop word
    shouting = features("QUAKE HITS CHILE", "")
    assert not [k for k in shouting if k.startswith("e:")]  # an all-caps title names nothing


def test_two_different_earthquakes_stay_apart() -> None:
    stories = stream([CHILE[0], JAPAN[0], CHILE[1], JAPAN[1], CHILE[2], JAPAN[2]])
    chile, japan = set(stories[0::2]), set(stories[1::2])
    assert len(chile) == 1 and len(japan) == 1
    assert chile != japan


def test_unrelated_news_starts_its_own_story() -> None:
    stories = stream([CHILE[0], CHILE[1], STRIKE])
    assert stories[0] == stories[1] != stories[2]


def test_time_damping() -> None:
    hour = 3600.0
    d = time_damping(
        np.array([0.0, 30 * hour, 36 * hour + 72 * hour, np.nan]), 36 * hour, 72 * hour
    )
    assert d[0] == 1.0 and d[1] == 1.0 and abs(d[2] - 0.5) < 1e-9 and d[3] == 1.0


def test_the_same_words_a_month_apart_are_another_story() -> None:
    day = 86400.0
    stories = stream([CHILE[0], CHILE[1]], times=[0.0, 40 * day])
    assert stories[0] != stories[1]


def test_candidate_lookup_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_mod, "CANDIDATES", 5)
    index = TermIndex()
    for n in range(40):
        index.add(n, features(f"Harbour strike day {n}", STRIKE[1]), None)
    found = index.neighbours(index.slot_of[39], limit=index_mod.CANDIDATES)
    assert 0 < len(found) <= 5
    sims = [sim for _slot, sim in found]
    assert sims == sorted(sims, reverse=True) and sims[0] > 0.3


def test_a_forgotten_article_is_no_candidate() -> None:
    index = TermIndex()
    a = index.add(1, features(*CHILE[0]), None)
    b = index.add(2, features(*CHILE[1]), None)
    index.forget(a)
    assert index.neighbours(b) == []
    assert index.live == 1


def test_a_big_story_is_read_from_its_newest_members() -> None:
    """A story's size does not set the work per article: with more than twice the block
    pool of members, only the newest ones are read; a mostly expired list is pruned."""
    from broadsheet.stories.cluster import MAX_BLOCK_POOL

    index = TermIndex()
    clusterer = Clusterer(index)
    size = 2 * MAX_BLOCK_POOL + 50
    slots = [index.add(n, features(*CHILE[n % 3]), None) for n in range(size)]
    for slot in slots:
        clusterer.place(slot, 7)
    for slot in slots[:100]:  # the oldest left the window
        index.forget(slot)
    live = clusterer._live(7)
    assert live == slots[-MAX_BLOCK_POOL:]  # the tail only; the list is not rescanned
    assert len(clusterer.members[7]) == size
    for slot in slots[100:-10]:  # now most of the tail has expired too
        index.forget(slot)
    assert clusterer._live(7) == slots[-10:]
    assert clusterer.members[7] == slots[-10:]  # pruned
    newcomer = index.add(size, features(*CHILE[0]), None)
    decision = clusterer.assign(newcomer)
    assert decision.story == 7 and decision.similarity > 0.5
