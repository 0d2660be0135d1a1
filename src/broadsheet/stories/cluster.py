"""Online story clustering: each new article joins a story or starts one, as it arrives.

The rule, one article at a time:

1. Find the article's nearest earlier articles through the term index (never a scan of
   the stories) and take the stories they belong to: the *neighbourhood*.
2. Re-cluster that neighbourhood (the new article plus those stories' recent members)
   agglomeratively: two groups may merge only when *every* pair across them is at least
   ``threshold`` similar (complete link; cosine of tf-idf vectors, damped by the time
   between them), and of the pairs that may, the most similar on average merges first.
   A story whose window holds more than ``MAX_MOVABLE`` articles enters as one fixed
   block of its members most similar to the new article: it can grow or absorb a story,
   never be torn apart.
3. Map the groups back onto existing stories by overlap. Articles whose group maps to
   another story are re-assigned, stories that end up in one group are merged; every such
   change is returned in the ``Decision`` so the store records it.

Complete link is what keeps two different earthquakes apart: a report on the second quake
may resemble one report on the first, but not all of them. Stated facts keep apart what
the words cannot (two heists in one city, two launches of one laptop): two groups never merge
when at least ``FACT_PAIRS`` pairs of articles across them state a fact of one kind (years,
sums of money, counts of people, months, quake magnitudes: ``facts.py``) and more than
``FACT_SHARE`` of those pairs share no value.

The threshold is measured, not guessed: ``bench/stories.py`` sweeps it on ECB+ (per half
of the topics, and two-fold cross-validated) next to the value this module ships
(``THRESHOLD``); its look-alike table chooses the facts rule's settings with the threshold
by five-fold cross-validation over topics. The work per article is bounded by the
neighbourhood's size, whatever the number of stories.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from broadsheet.stories.facts import disagreements
from broadsheet.stories.index import TermIndex

THRESHOLD = 0.085  # measured: bench/stories.py, ECB+, two-fold CV (docs/notes/issue-4.md)
NEIGHBOURS = 12  # nearest articles whose stories form the neighbourhood (bench/stories.py)
NEIGHBOUR_FLOOR = 0.05  # below this a neighbour's story is not worth re-clustering
MAX_MOVABLE = 24  # stories with more live members enter as one fixed block
BLOCK_SIZE = 12  # members of a fixed block compared with the neighbourhood
MAX_HOOD = 80  # articles in a neighbourhood at most (80 and 12 neighbours: same ECB+ F1 as
# 160 and 20, 16 % faster at 20k articles; docs/notes/issue-4.md)
FACT_PAIRS = 16  # comparable pairs across two groups before their facts can keep them
FACT_SHARE = 0.9  # apart, and the share of those that must disagree (0 pairs: rule off;
# 5-fold CV over ECB+ topics picks 16 / 0.9 in four folds, 12 / 0.9 in one: bench/stories.py
# --only-lookalike, docs/notes/session15-lookalike.md)
MAX_BLOCK_POOL = 200  # a big story's newest members from which its block is chosen


@dataclass
class Decision:
    """Where an article went, and what else changed because of it."""

    story: int
    new_story: bool
    similarity: float  # to the closest article of its story (0 for a new story)
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # article, from, to
    merges: list[tuple[int, int]] = field(default_factory=list)  # story, into


def time_damping(gap_seconds: np.ndarray, grace: float, half_life: float) -> np.ndarray:
    """1 within ``grace`` seconds, then halving every ``half_life`` seconds; unknown gap: 1."""
    gap = np.nan_to_num(np.abs(gap_seconds), nan=0.0)
    over = np.maximum(gap - grace, 0.0)
    return np.power(0.5, over / half_life) if half_life > 0 else np.ones_like(gap)


def apart(comparable: np.ndarray, disagree: np.ndarray, pairs: int, share: float) -> np.ndarray:
    """Which groups the facts keep apart: of the (kinds, k, k) counts of comparable and of
    disagreeing pairs across groups, some kind has ``pairs`` or more and over ``share``
    of them disagree."""
    return ((comparable >= pairs) & (disagree > share * comparable)).any(axis=0)


class Clusterer:
    """Story membership for the articles in a ``TermIndex`` (memory; rebuilt from the store)."""

    def __init__(
        self,
        index: TermIndex,
        threshold: float = THRESHOLD,
        grace_seconds: float = 36 * 3600.0,
        half_life_seconds: float = 72 * 3600.0,
        fact_pairs: int = FACT_PAIRS,
        fact_share: float = FACT_SHARE,
    ) -> None:
        self.index = index
        self.threshold = threshold
        self.fact_pairs = fact_pairs
        self.fact_share = fact_share
        self.grace = grace_seconds
        self.half_life = half_life_seconds
        self.story_of: dict[int, int] = {}  # slot -> story
        self.members: dict[int, list[int]] = {}  # story -> slots (oldest first)
        self._provisional = 0

    # --- state -----------------------------------------------------------------------
    def place(self, slot: int, story: int) -> None:
        """Record a known membership (rebuilding from the store)."""
        self.story_of[slot] = story
        self.members.setdefault(story, []).append(slot)

    def rename(self, old: int, new: int) -> None:
        """A provisional story id got its permanent id from the store."""
        slots = self.members.pop(old, [])
        self.members.setdefault(new, []).extend(slots)
        for s in slots:
            self.story_of[s] = new

    def remap(self, remap: np.ndarray) -> None:
        """The index was compacted (``TermIndex.compact``): follow its new slot numbers,
        and forget the stories that have no member left in the window."""
        self.story_of = {
            int(remap[s]): story for s, story in self.story_of.items() if remap[s] >= 0
        }
        members: dict[int, list[int]] = {}
        for story, slots in self.members.items():
            kept = [int(remap[s]) for s in slots if remap[s] >= 0]
            if kept:
                members[story] = kept
        self.members = members

    def _live(self, story: int) -> list[int]:
        """The story's members still in the window, newest last. A big story is read
        from its newest ``MAX_BLOCK_POOL`` members only (all the rule uses of it), so
        the work per article does not grow with a story's size; its list is pruned of
        expired members when they make up most of that tail."""
        terms = self.index.terms
        members = self.members.get(story, [])
        if len(members) > 2 * MAX_BLOCK_POOL:
            tail = [s for s in members[-MAX_BLOCK_POOL:] if terms[s] is not None]
            if len(tail) > MAX_MOVABLE:
                return tail
        slots = [s for s in members if terms[s] is not None]
        if len(slots) != len(members):
            self.members[story] = slots or members[-1:]
        return slots

    def _new_story(self) -> int:
        self._provisional -= 1
        return self._provisional

    # --- the rule --------------------------------------------------------------------
    def assign(self, slot: int, oldest: float | None = None) -> Decision:
        near = [
            (s, sim)
            for s, sim in self.index.neighbours(slot, oldest)
            if s in self.story_of and sim >= NEIGHBOUR_FLOOR
        ][:NEIGHBOURS]
        stories = list(dict.fromkeys(self.story_of[s] for s, _ in near))
        units: list[list[int]] = [[slot]]
        fixed: dict[int, int] = {}  # unit index -> story, for blocks that cannot split
        budget = MAX_HOOD - 1
        for story in stories:
            live = self._live(story)
            if not live or budget <= 0:
                continue
            if len(live) > MAX_MOVABLE:
                sims = self.index.similarity_to(slot, live[-MAX_BLOCK_POOL:])
                pool = live[-MAX_BLOCK_POOL:]
                block = [pool[i] for i in np.argsort(-sims)[:BLOCK_SIZE]]
                fixed[len(units)] = story
                units.append(block)
                budget -= len(block)
            else:
                take = live[-budget:]
                units.extend([s] for s in take)
                budget -= len(take)
        if len(units) == 1:
            story = self._new_story()
            self.place(slot, story)
            return Decision(story, True, 0.0)
        groups = self._complete_link(units)
        decision = self._apply(slot, units, fixed, groups)
        decision.similarity = max(  # to its nearest neighbour in the same story
            (sim for s, sim in near if self.story_of.get(s) == decision.story), default=0.0
        )
        return decision

    def _complete_link(self, units: list[list[int]]) -> list[list[int]]:
        """Agglomerate: of the pairs of groups whose least similar pair of articles is at
        least ``threshold`` similar (complete link), merge the one most similar on average
        (average link's order), until no pair qualifies. Groups whose stated facts
        disagree (``apart``) never qualify.

        The facts are compared only when they could matter: a merge they block joins two
        groups with ``FACT_PAIRS`` comparable pairs across them, so without the rule some
        group would end up holding at least 2 * sqrt(FACT_PAIRS) articles that state
        facts; when none does, the rule would change nothing (most neighbourhoods)."""
        slots = [s for u in units for s in u]
        sim = self.index.similarities(slots, slots)
        times = np.frombuffer(self.index.times, dtype=np.float64)[slots]
        sim = sim * time_damping(times[:, None] - times[None, :], self.grace, self.half_life)
        starts = np.cumsum([0] + [len(u) for u in units[:-1]])
        c = np.minimum.reduceat(np.minimum.reduceat(sim, starts, axis=0), starts, axis=1)
        total = np.add.reduceat(np.add.reduceat(sim, starts, axis=0), starts, axis=1)
        sizes = np.array([len(u) for u in units], dtype=np.float64)
        groups = self._agglomerate(c.copy(), total.copy(), sizes.copy(), None)
        if self.fact_pairs <= 0:
            return groups
        stated = np.fromiter((len(self.index.facts[s]) > 0 for s in slots), np.int64, len(slots))
        per_unit = np.add.reduceat(stated, starts)
        enough = math.ceil(2 * math.sqrt(self.fact_pairs))
        if max(sum(int(per_unit[u]) for u in g) for g in groups) < enough:
            return groups
        facts = self._fact_counts(slots, starts)
        return groups if facts is None else self._agglomerate(c, total, sizes, facts)

    def _agglomerate(
        self,
        c: np.ndarray,
        total: np.ndarray,
        sizes: np.ndarray,
        facts: tuple[np.ndarray, np.ndarray] | None,
    ) -> list[list[int]]:
        """The merges of ``_complete_link`` over the units' least (``c``) and summed
        (``total``) similarities and, with ``facts``, their comparable and disagreeing
        pairs per kind (all updated in place)."""
        pairs, share = self.fact_pairs, self.fact_share
        k = len(sizes)
        threshold = self.threshold
        ok = c >= threshold
        if facts is not None:
            ok &= ~apart(*facts, pairs, share)
        score = np.where(ok, total / np.outer(sizes, sizes), -np.inf)
        np.fill_diagonal(score, -np.inf)
        groups: list[list[int] | None] = [[i] for i in range(k)]
        while True:
            a, b = divmod(int(np.argmax(score)), k)
            if score[a, b] == -np.inf:
                break
            row = np.minimum(c[a], c[b])
            c[a, :] = row
            c[:, a] = row
            trow = total[a] + total[b]
            total[a, :] = trow
            total[:, a] = trow
            sizes[a] += sizes[b]
            sizes[b] = np.inf
            ok_row = row >= threshold
            if facts is not None:
                for m in facts:  # pairs across groups add up, as the similarities do
                    frow = m[:, a] + m[:, b]
                    m[:, a, :] = frow
                    m[:, :, a] = frow
                ok_row &= ~apart(facts[0][:, a], facts[1][:, a], pairs, share)
            srow = np.where(ok_row, trow / (sizes[a] * sizes), -np.inf)
            score[a, :] = srow
            score[:, a] = srow
            score[a, a] = -np.inf
            score[b, :] = -np.inf
            score[:, b] = -np.inf
            c[b, :] = -np.inf  # a merged-away group never qualifies again
            c[:, b] = -np.inf
            groups[a] = (groups[a] or []) + (groups[b] or [])
            groups[b] = None
        return [g for g in groups if g]

    def _fact_counts(
        self, slots: list[int], starts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Per kind of fact, the comparable and the disagreeing pairs of articles between
        every two groups (the groups start at ``starts``); None when too few to matter."""
        stated = [self.index.facts[s] for s in slots]
        stating = sum(1 for f in stated if len(f))
        if stating * (stating - 1) < 2 * self.fact_pairs:  # too few articles state anything
            return None
        found = disagreements(stated)
        if found is None or found[0].sum(axis=(1, 2)).max() < 2 * self.fact_pairs:
            return None
        comparable, disagree = (
            np.add.reduceat(np.add.reduceat(per_pair, starts, axis=1), starts, axis=2)
            for per_pair in found
        )
        return comparable, disagree

    def _apply(
        self, slot: int, units: list[list[int]], fixed: dict[int, int], groups: list[list[int]]
    ) -> Decision:
        # which story each group continues: the one with most members in it (a fixed
        # block weighs its whole story), older stories first on ties
        claims: list[tuple[float, int, int]] = []  # (-weight, story, group)
        for gi, group in enumerate(groups):
            weight: Counter[int] = Counter()
            for ui in group:
                if ui in fixed:
                    weight[fixed[ui]] += len(self.members.get(fixed[ui], ())) + 1000
                elif ui:
                    weight[self.story_of[units[ui][0]]] += 1
            for story, w in weight.items():
                claims.append((-w, _age_key(story), gi, story))  # type: ignore[arg-type]
        claims.sort()
        story_of_group: dict[int, int] = {}
        taken: set[int] = set()
        for _w, _age, gi, story in claims:  # type: ignore[misc]
            if gi not in story_of_group and story not in taken:
                story_of_group[gi] = story
                taken.add(story)
        decision: Decision | None = None
        moves: list[tuple[int, int, int]] = []
        merges: list[tuple[int, int]] = []
        for gi, group in enumerate(groups):
            target = story_of_group.get(gi)
            if target is None:
                target = self._new_story()
            for ui in group:
                if ui in fixed:
                    if fixed[ui] != target:
                        merges.append((fixed[ui], target))
                    continue
                s = units[ui][0]
                if s == slot:
                    decision = Decision(target, target < 0 and target not in self.members, 0.0)
                    continue
                if self.story_of[s] != target:
                    moves.append((s, self.story_of[s], target))
        for story, into in merges:
            for s in self.members.pop(story, []):
                self.story_of[s] = into
                self.members.setdefault(into, []).append(s)
        for s, old, new in moves:
            self.members[old] = [m for m in self.members.get(old, []) if m != s]
            if not self.members[old]:
                del self.members[old]
            self.story_of[s] = new
            self.members.setdefault(new, []).append(s)
        assert decision is not None
        self.place(slot, decision.story)
        decision.moves = moves
        decision.merges = merges
        return decision


def _age_key(story: int) -> float:
    """Permanent ids (positive, older = smaller) before provisional ones (negative)."""
    return float(story) if story > 0 else math.inf
