"""The stage's memory follows the window, not the uptime: document frequencies are the
window's, and compaction drops forgotten articles, their features and their copies
without changing a single decision."""

from __future__ import annotations

from collections import Counter
from typing import Any

from broadsheet.config import Settings
from broadsheet.models import StoryChange as Change
from broadsheet.stories.index import TermIndex
from broadsheet.stories.state import StoryState
from broadsheet.stories.text import features
from tests.stories.sample import CHILE, STRIKE, at

SYLLABLES = ["ka", "ro", "mi", "ta", "ne", "sul", "var", "ben", "dor", "fel", "gan", "hol"]


def word(e: int, k: int) -> str:
    """An invented word of event ``e``: events share none, so each is its own story."""
    n = e * 16 + k
    return "".join(SYLLABLES[(n // 12**i) % 12] for i in reversed(range(4)))


def stream(events: int) -> list[dict[str, Any]]:
    """Events six hours apart, each told by three reports in its own words, the third now
    and then a wire copy of the second."""
    rows: list[dict[str, Any]] = []
    for e in range(events):
        own = [word(e, k) for k in range(16)]
        who = f"{own[0].capitalize()} {own[1].capitalize()}"
        for k in range(3):
            told = " ".join(own[2 + k :] * 2)
            own_text = f"{who} said {told}. Officials confirmed the account."
            copy = k == 2 and e % 5 == 0
            rows.append(
                {
                    "id": len(rows) + 1,
                    "title": f"{who}: {own[2]} {own[3]} {own[4]}",
                    "text": rows[-2]["text"] if copy else own_text,
                    "author": None,
                    "sort_at": at(6 * e + k),
                    "duplicate_of": rows[-2]["id"] if copy else None,
                }
            )
    return rows


def run(rows: list[dict[str, Any]], compact_at: int) -> tuple[StoryState, list[tuple]]:
    settings = Settings(story_window_days=2.0, default_sources=False)
    state = StoryState(settings)
    state.compact_at = compact_at
    next_id = 0
    decisions = []
    for row in rows:
        change: Change = state.cluster(row)
        fresh = {}
        for story in [change.story, *(new for _a, _o, new in change.moves)]:
            if story < 0 and story not in fresh:
                next_id += 1
                fresh[story] = next_id
        state.renamed(fresh)

        def real(s: int, fresh: dict[int, int] = fresh) -> int:
            return fresh.get(s, s)

        moves = [(a, real(o), real(n)) for a, o, n in change.moves]
        merges = [(real(s), real(i)) for s, i in change.merges]
        decisions.append((row["id"], real(change.story), change.duplicate_of, moves, merges))
    return state, decisions


def test_compaction_changes_no_decision_and_bounds_memory() -> None:
    rows = stream(120)  # 360 articles over 30 days; the window holds 2 days (~24 articles)
    kept, plain = run(rows, compact_at=10**9)
    compacted, decided = run(rows, compact_at=20)
    assert decided == plain
    assert len({d[1] for d in decided}) > 60  # many stories were made, and some folds
    # everything forgotten stays forgotten: slots, features, memberships, copies
    index = compacted.index
    assert index.live == kept.index.live and 0 < index.live < 40
    assert len(index.article_ids) <= index.live + max(20, index.live)
    assert len(kept.index.article_ids) > 100  # without compaction every original stays
    assert len(index.vocab) < len(kept.index.vocab) / 3
    assert len(compacted.clusterer.story_of) <= len(index.article_ids)
    assert len(compacted.clusterer.members) < len(kept.clusterer.members) / 3
    copies = sum(1 for d in decided if d[2] is not None) + sum(1 for r in rows if r["duplicate_of"])
    assert copies > 100 and len(compacted.root_of) < 20  # the window's copies only
    assert len(compacted.story_of_copy) == len(compacted.root_of)
    # the live articles are the same ones, with the same vectors, under new slots
    for article_id, slot in index.slot_of.items():
        if index.terms[slot] is None:
            continue
        old = kept.index.slot_of[article_id]
        names = [index.names[f] for f in index.terms[slot]]
        assert names == [kept.index.names[f] for f in kept.index.terms[old]]
        assert compacted.clusterer.story_of[slot] == kept.clusterer.story_of[old]


def test_document_frequencies_are_the_windows() -> None:
    """After articles come and go, df is what an index of the live articles alone has:
    a server that ran for months weighs words as one started today."""
    articles = [(f"Harbour strike day {n}", f"Worker{n} said {STRIKE[1]}") for n in range(30)]
    articles += [(f"Quake {n}", CHILE[n % 3][1]) for n in range(30)]
    index = TermIndex()
    slots = [index.add(n, features(*a), float(n)) for n, a in enumerate(articles)]
    for slot in slots[:35]:
        index.forget(slot)
    fresh = TermIndex()
    for n, a in enumerate(articles[35:]):
        fresh.add(n, features(*a), float(n))
    counted = Counter({name: index.df[f] for name, f in index.vocab.items() if index.df[f]})
    assert counted == Counter({name: fresh.df[f] for name, f in fresh.vocab.items()})
    assert index.n_docs == fresh.n_docs == 25
    index.compact()
    assert set(index.vocab) == set(fresh.vocab)
    assert index.neighbours(index.slot_of[59])  # postings still lead to the live articles
