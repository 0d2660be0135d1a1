"""The stories stage's state: fold wire copies, then cluster, one article at a time.

``StoryState`` holds the in-memory state (term index, clusterer, MinHash index) and no
I/O: ``cluster`` turns one article row into a ``StoryChange`` (models.py) for the store,
``remember`` replays a decision stored earlier. The orchestrator
(``broadsheet.orchestrate.stories.StoryEngine``) rebuilds it from the store, feeds it the
stored articles in order and writes its decisions in batches.

    article row ──> fold (wire copy?) ──> cluster ──> StoryChange
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from broadsheet.config import Settings
from broadsheet.models import StoryChange as Change
from broadsheet.stories.agency import agency_credit
from broadsheet.stories.cluster import Clusterer, Decision
from broadsheet.stories.facts import facts
from broadsheet.stories.fold import WireFolder
from broadsheet.stories.index import TermIndex
from broadsheet.stories.repeats import RepeatedText
from broadsheet.stories.text import entity_features, features

log = logging.getLogger("broadsheet.stories")

COMPACT_AT = 20_000  # forgotten articles that make the stage compact its memory (at least
# as many as the live ones, so compaction costs a fraction of the work done meanwhile)
TERM_MEMBERS = 40  # members whose vectors make a story's main terms
TERM_PREFIXES = ("w:", "e:", "E:", "C:")
MAIN_TERMS = 12


def _features(row: dict[str, Any], repeats: RepeatedText | None = None) -> dict[str, float]:
    """An article row's clustering features: its words and names, and its entities when
    the understanding stage has run (``row["entities"]``: id, label, mentions). With
    ``repeats``, the text its outlet repeats on many pages is left out of the body."""
    extra = entity_features(row.get("entities") or ())
    text = row["text"] or ""
    if repeats is not None:
        text = repeats.strip(row.get("source_id"), text)
    return features(row["title"], text, extra)


@dataclass(frozen=True)
class Placed:
    """Where the stage put an article."""

    article_id: int
    story: int
    duplicate_of: int | None


class StoryState:
    """The stage's memory, no I/O: what the orchestrator's ``StoryEngine`` keeps.

    ``cluster`` turns one article (a row with id, title, text, author, sort_at,
    duplicate_of) into a ``Change`` for the store; ``remember`` replays a stored decision.
    """

    def __init__(self, settings: Settings) -> None:
        self.window = settings.story_window_days * 86400.0
        self.index = TermIndex()
        self.clusterer = Clusterer(
            self.index,
            grace_seconds=settings.story_grace_hours * 3600.0,
            half_life_seconds=settings.story_half_life_hours * 3600.0,
        )
        self.folder = WireFolder()
        self.repeats = RepeatedText()  # each outlet's repeated text, kept out of features
        self.now = float("-inf")  # the newest article time seen (stream time)
        self.root_of: dict[int, int] = {}  # copy -> the first stored copy
        self.copies: dict[int, list[int]] = defaultdict(list)  # root -> its copies
        self.story_of_copy: dict[int, int] = {}
        self.copies_in: dict[int, set[int]] = defaultdict(set)  # story -> copies in it
        self._expiry: list[tuple[float, int, int]] = []  # (time, slot or -1, article id)
        self.compact_at = COMPACT_AT
        self._blas: ThreadpoolController | None = None

    def story_of(self, article_id: int) -> int | None:
        if article_id in self.story_of_copy:
            return self.story_of_copy[article_id]
        slot = self.index.slot_of.get(article_id)
        if slot is not None:
            return self.clusterer.story_of.get(slot)
        return None

    def renamed(self, ids: dict[int, int]) -> None:
        """Provisional story ids got their permanent ids."""
        for provisional, permanent in ids.items():
            self.clusterer.rename(provisional, permanent)
            for copy in list(self.copies_in.get(provisional, ())):
                self._file_copy(copy, permanent)

    def _file_copy(self, copy: int, story: int) -> None:
        self._unfile_copy(copy)
        self.story_of_copy[copy] = story
        self.copies_in[story].add(copy)

    def _unfile_copy(self, copy: int) -> None:
        old = self.story_of_copy.pop(copy, None)
        if old is not None:
            self.copies_in[old].discard(copy)
            if not self.copies_in[old]:
                del self.copies_in[old]

    def _facts(self, row: dict[str, Any]) -> np.ndarray | None:
        """The facts the article states (years, sums), read only while the rule is on."""
        if self.clusterer.fact_pairs <= 0:
            return None
        return facts(row["title"] or "", row["text"] or "")

    def _time(self, row: dict[str, Any]) -> float:
        when: datetime = row["sort_at"]
        t = when.timestamp()
        self.now = max(self.now, t)
        return t

    def remember(self, row: dict[str, Any]) -> None:
        """An article clustered before (by this process or another): index it as it is."""
        t = self._time(row)
        story = row["story_id"]
        mh, size = self.folder.signature(row["text"] or "")
        if row["duplicate_of"] is not None:
            root = self.root_of.get(row["duplicate_of"], row["duplicate_of"])
            self._copy(row, root, story, mh, size, t)
            return
        slot = self.index.add(row["id"], _features(row, self.repeats), t, self._facts(row))
        self.clusterer.place(slot, story)
        self.folder.add(row["id"], mh, size, source=row.get("source_id"))
        heapq.heappush(self._expiry, (t, slot, row["id"]))

    def _copy(
        self,
        row: dict[str, Any],
        root: int,
        story: int,
        mh: Any,
        size: int,
        t: float,
    ) -> None:
        article_id = row["id"]
        self.root_of[article_id] = root
        self.copies[root].append(article_id)
        self._file_copy(article_id, story)
        self.folder.add(article_id, mh, size, root=root, source=row.get("source_id"))
        heapq.heappush(self._expiry, (t, -1, article_id))

    def cluster(
        self, row: dict[str, Any], stored_story: Callable[[int], int | None] | None = None
    ) -> Change:
        """Fold, then cluster, one new article; ``stored_story`` finds a root's story when
        the root has left memory.

        The matrices here are small: BLAS threads only contend (measured: 285 articles/s
        on one thread, 130 and erratic on two), so BLAS runs on one thread meanwhile."""
        if self._blas is None:
            self._blas = ThreadpoolController()
        with self._blas.limit(limits=1, user_api="blas"):
            return self._cluster(row, stored_story)

    def _cluster(
        self, row: dict[str, Any], stored_story: Callable[[int], int | None] | None
    ) -> Change:
        t = self._time(row)
        self._expire()
        article_id = row["id"]
        text = row["text"] or ""
        agency = agency_credit(text, row.get("author"))
        fold, mh, size = self.folder.check(text, row.get("source_id"))
        exact = row.get("duplicate_of")
        root = None
        if exact is not None:
            root = self.root_of.get(exact, exact)
        elif fold is not None:
            root = fold.original
        story = None
        if root is not None:
            story = self.story_of(root)
            if story is None and stored_story is not None:
                story = stored_story(root)
        if root is not None and story is not None:
            self._copy(row, root, story, mh, size, t)
            return Change(
                article_id=article_id,
                story=story,
                similarity=fold.containment if fold else 1.0,
                agency=agency,
                duplicate_of=root if exact is None else None,
            )
        slot = self.index.add(article_id, _features(row, self.repeats), t, self._facts(row))
        heapq.heappush(self._expiry, (t, slot, article_id))
        self.folder.add(article_id, mh, size, source=row.get("source_id"))
        decision = self.clusterer.assign(slot, oldest=self.now - self.window)
        return self._change(article_id, agency, decision)

    def _change(self, article_id: int, agency: str | None, d: Decision) -> Change:
        ids = self.index.article_ids
        moves = [(ids[s], old, new) for s, old, new in d.moves]
        for moved, _old, new in list(moves):  # a moved original takes its copies along
            for copy in self.copies.get(moved, ()):
                moves.append((copy, self.story_of_copy[copy], new))
                self._file_copy(copy, new)
        for story, into in d.merges:
            for copy in list(self.copies_in.get(story, ())):
                self._file_copy(copy, into)
        touched = {d.story} | {new for _a, _o, new in moves}
        return Change(
            article_id=article_id,
            story=d.story,
            similarity=d.similarity,
            agency=agency,
            moves=moves,
            merges=d.merges,
            terms={s: self.main_terms(s) for s in touched if self._terms_due(s)},
        )

    def _terms_due(self, story: int) -> bool:
        """Main terms settle as a story grows: refresh them at sizes 1-4, 8, 16, 32..."""
        size = len(self.clusterer.members.get(story, ()))
        return size <= 4 or size & (size - 1) == 0

    def main_terms(self, story: int) -> dict[str, float]:
        """A story's strongest words and names: mean tf-idf over its recent members."""
        slots = [
            s
            for s in self.clusterer.members.get(story, [])[-TERM_MEMBERS:]
            if self.index.terms[s] is not None
        ]
        if not slots:
            return {}
        ids, w, _starts = self.index._weights(slots)
        uniq, inverse = np.unique(ids, return_inverse=True)
        totals = np.bincount(inverse, weights=w) / len(slots)
        names = self.index.names
        out: dict[str, float] = {}
        for i in np.argsort(-totals)[: 4 * MAIN_TERMS].tolist():
            name = names[int(uniq[i])]
            if name.startswith(TERM_PREFIXES):
                out[name] = round(float(totals[i]), 4)
                if len(out) == MAIN_TERMS:
                    break
        return out

    def _expire(self) -> None:
        """Forget articles that fell out of the window (by stream time); compact once the
        forgotten outnumber the live, so memory follows the window, not the uptime."""
        edge = self.now - self.window
        while self._expiry and self._expiry[0][0] < edge:
            _t, slot, article_id = heapq.heappop(self._expiry)
            if slot >= 0:
                self.index.forget(slot)
                self.copies.pop(article_id, None)  # its copies' story is the store's now
            else:
                self._forget_copy(article_id)
            self.folder.forget(article_id)
        if self.index.dead >= max(self.compact_at, self.index.live):
            remap = self.index.compact()
            self.clusterer.remap(remap)
            self._expiry = [(t, int(remap[s]) if s >= 0 else -1, a) for t, s, a in self._expiry]
            heapq.heapify(self._expiry)

    def _forget_copy(self, article_id: int) -> None:
        root = self.root_of.pop(article_id, None)
        self._unfile_copy(article_id)
        siblings = self.copies.get(root) if root is not None else None
        if siblings and article_id in siblings:
            siblings.remove(article_id)
