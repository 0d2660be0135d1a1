"""Wire-copy folding: the same agency text republished by several outlets is one item.

A copy is *contained* in its original: republishers keep the lead and a third to two
thirds of the paragraphs, drop the rest from the end or the middle, and sometimes add a
paragraph of their own. So the test is containment, measured exactly on word 5-gram
shingles, and in a direction:

- the new text is a copy of a stored one when at least ``MIN_CONTAINMENT`` of its own
  shingles are in the stored text (a shortened copy arriving after its original);
- the new text is the original of a stored copy when at least ``MIN_CONTAINMENT`` of the
  stored text's shingles are in it *and* the stored text is at least ``MIN_SHARE`` of it
  (the original arriving after a shortened copy: feeds are polled out of order).

Below ``SURE`` containment the copy must also have kept the lead: at least ``MIN_LEAD``
of its first ``LEAD`` shingles are in the original. Original reporting that quotes a
paragraph or two of another article, or two articles of one agency ending in the same
boilerplate paragraph, share a small part of each other either way, and their own leads
differ: no test passes. Jaccard similarity, which the folder used before, cannot tell a
copy that kept a third of its original from a different text.

Candidates come from MinHash collisions: each text keeps ``NUM_PERM`` minimum hashes,
one per hash function, and a stored text is a candidate when at least ``MIN_HITS`` of
them are equal to the new text's (the expected count is the Jaccard index times
``NUM_PERM``: a copy that kept a fifth of its original still collides about a dozen
times). The ``MAX_CANDIDATES`` most colliding candidates are then verified exactly against
the stored shingles (sorted 32-bit hashes, about 4 bytes a word of text). Thresholds
are chosen by cross-validation in ``bench/folding.py``.

Copies point at the *first stored* copy (``articles.duplicate_of``, as exact copies
already do); the earliest *published* copy is shown as the origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np

from broadsheet.stories.text import shingle_sequence

NUM_PERM = 64  # minimum hashes per text, one candidate key each
MIN_HITS = 3  # collisions that make a stored text a candidate
MAX_CANDIDATES = 8  # candidates verified exactly, the most colliding first
SLACK = 0.25  # a candidate whose containment, estimated from its collisions, is this far
# below the threshold is not verified (the estimate's error is about ±0.1)
MAX_POSTING = 256  # a key shared by more texts is boilerplate: it selects nobody
MIN_CONTAINMENT = 0.5  # measured: bench/folding.py (docs/notes/issue-15-fold.md)
MIN_SHARE = 0.25  # an original arriving after its copy: the copy is ≥ this much of it
LEAD = 16  # shingles that make a text's lead
MIN_LEAD = 0.375  # share of the copy's lead found in the original
SURE = 0.8  # contained this much, a copy whose lead was rewritten is still a copy
MIN_SHINGLES = 8  # shorter texts (a headline, a teaser) are never called copies
MERGE_EVERY = 4096  # texts buffered before their keys join the sorted arrays
SEED = 1


@dataclass(frozen=True)
class Fold:
    """``article`` is a copy of ``original`` (the first stored copy of that text)."""

    original: int
    containment: float


@dataclass(frozen=True)
class Signature:
    """A text's distinct shingle hashes (sorted) and its minimum hashes as index keys."""

    shingles: np.ndarray  # uint32, sorted, distinct
    keys: np.ndarray  # uint64: permutation << 32 | minimum hash
    lead: np.ndarray  # uint32: the first LEAD shingles, in text order


@dataclass
class _Entry:
    shingles: np.ndarray
    lead: np.ndarray
    root: int
    source: int | None


def _hash_params() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd
    b = rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
    return a, b


_A, _B = _hash_params()
_PERM = np.arange(NUM_PERM, dtype=np.uint64) << np.uint64(32)


class _KeyIndex:
    """Key -> article ids, for minimum-hash collisions: sorted numpy arrays plus a small
    dict of recent additions, merged every ``MERGE_EVERY`` texts (12 bytes a key, against
    hundreds for a dict of sets). Forgotten ids are dropped at the next merge."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint64)
        self.ids = np.empty(0, dtype=np.int64)
        self.recent: dict[int, list[int]] = {}
        self.pending = 0

    def add(self, article_id: int, keys: np.ndarray) -> None:
        for key in keys.tolist():
            self.recent.setdefault(key, []).append(article_id)
        self.pending += 1

    def merge(self, live: dict[int, _Entry]) -> None:
        """The recent keys into the sorted arrays (an insertion, no sort of the whole);
        forgotten ids leave once they are as many as the live ones."""
        if not self.recent:
            return
        new_keys = np.fromiter((k for k, ids in self.recent.items() for _ in ids), dtype=np.uint64)
        new_ids = np.fromiter((i for ids in self.recent.values() for i in ids), dtype=np.int64)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_ids = new_keys[order], new_ids[order]
        at = np.searchsorted(self.keys, new_keys, side="right")
        self.keys = np.insert(self.keys, at, new_keys)
        self.ids = np.insert(self.ids, at, new_ids)
        self.recent.clear()
        self.pending = 0
        if len(self.ids) > 2 * NUM_PERM * max(len(live), 1):
            alive = np.fromiter(live.keys(), dtype=np.int64, count=len(live))
            keep = np.isin(self.ids, alive)
            self.keys, self.ids = self.keys[keep], self.ids[keep]

    def hits(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ids that share at least one key, and how many keys each shares."""
        found: list[np.ndarray] = []
        if len(self.keys):
            # keys ascend (permutation-major); key + 1's left edge is key's right edge
            lo, hi = np.searchsorted(self.keys, np.concatenate([keys, keys + 1])).reshape(2, -1)
            ok = (hi > lo) & (hi - lo <= MAX_POSTING)
            lo, hi = lo[ok], hi[ok]
            if len(lo):
                lengths = hi - lo
                starts = np.repeat(lo - np.cumsum(lengths) + lengths, lengths)
                found.append(self.ids[starts + np.arange(int(lengths.sum()))])
        recent = [
            ids
            for key in keys.tolist()
            if (ids := self.recent.get(key)) is not None and len(ids) <= MAX_POSTING
        ]
        if recent:
            found.append(np.fromiter(chain.from_iterable(recent), dtype=np.int64))
        if not found:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(found), return_counts=True)


class WireFolder:
    def __init__(
        self,
        min_containment: float = MIN_CONTAINMENT,
        min_share: float = MIN_SHARE,
        min_lead: float = MIN_LEAD,
    ) -> None:
        self.min_containment = min_containment
        self.min_share = min_share
        self.min_lead = min_lead
        self.entries: dict[int, _Entry] = {}
        self.sizes: dict[int, int] = {}  # the entries' shingle counts
        self.index = _KeyIndex()

    def signature(self, text: str) -> tuple[Signature, int]:
        sequence = shingle_sequence(text).astype(np.uint32)
        grams = np.unique(sequence)  # distinct and sorted
        if len(grams):
            mixed = _A[:, None] * grams.astype(np.uint64)[None, :] + _B[:, None]  # wraps
            keys = _PERM | (mixed >> np.uint64(32)).min(axis=1)
        else:
            keys = np.empty(0, dtype=np.uint64)
        return Signature(grams, keys, sequence[:LEAD].copy()), len(grams)

    def check(self, text: str, source: int | None = None) -> tuple[Fold | None, Signature, int]:
        """The stored text this one copies (or is the original of), if any; and this
        text's signature.

        Only another outlet's text counts: an outlet that reruns or updates its own story
        has not copied anyone (and exact reruns never reach here: the store skips them)."""
        sig, size = self.signature(text)
        if size < MIN_SHINGLES or not self.entries:
            return None, sig, size
        best: Fold | None = None
        best_rank: tuple[float, float, int] = (0.0, 0.0, 0)
        ids, counts = self.index.hits(sig.keys)
        keep = counts >= MIN_HITS
        ids, counts = ids[keep], counts[keep]
        # sizes of the live candidates (0: forgotten, its keys go at the next merge)
        sizes = np.fromiter(
            map(self.sizes.get, ids.tolist(), repeat(0)), dtype=np.float64, count=len(ids)
        )
        jaccard = counts / NUM_PERM  # the containment estimated from the collisions
        estimate = jaccard * (size + sizes) / (1.0 + jaccard) / np.minimum(size, sizes).clip(1)
        keep = (sizes > 0) & (estimate >= self.min_containment - SLACK)
        ids, counts = ids[keep], counts[keep]
        checked = 0
        for key in ids[np.lexsort((ids, -counts))].tolist():  # the most colliding first
            entry = self.entries[key]
            if source is not None and entry.source == source:
                continue
            checked += 1
            if checked > MAX_CANDIDATES:
                break
            other = len(entry.shingles)
            shared = _shared(sig.shingles, entry.shingles)
            inside = shared / size  # this text's share found in the stored one
            holds = shared / other  # the stored text's share found here
            if inside >= self.min_containment and (
                inside >= SURE or _share(sig.lead, entry.shingles) >= self.min_lead
            ):
                score = inside
            elif (
                holds >= self.min_containment
                and inside >= self.min_share
                and (holds >= SURE or _share(entry.lead, sig.shingles) >= self.min_lead)
            ):
                score = holds
            else:
                continue
            # the best: the most contained, then the one this text is most of (a lead
            # quoted in another article is a smaller share of it than of its original)
            rank = (round(score, 4), round(min(inside, holds), 4), -entry.root)
            if best is None or rank > best_rank:
                best, best_rank = Fold(entry.root, round(score, 4)), rank
        return best, sig, size

    def add(
        self,
        article_id: int,
        mh: Signature,
        size: int,
        root: int | None = None,
        source: int | None = None,
    ) -> None:
        if size < MIN_SHINGLES or article_id in self.entries:
            return
        self.entries[article_id] = _Entry(
            mh.shingles, mh.lead, root if root is not None else article_id, source
        )
        self.sizes[article_id] = size
        self.index.add(article_id, mh.keys)
        if self.index.pending >= MERGE_EVERY:
            self.index.merge(self.entries)

    def forget(self, article_id: int) -> None:
        self.entries.pop(article_id, None)  # its keys go at the next merge
        self.sizes.pop(article_id, None)


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    """How many of the sorted distinct values ``a`` are in the sorted ``b``."""
    if len(a) > len(b):
        a, b = b, a
    at = np.searchsorted(b, a).clip(max=len(b) - 1)
    return int(np.count_nonzero(b[at] == a))


def _share(lead: np.ndarray, shingles: np.ndarray) -> float:
    """The share of a lead's shingles found in a text's (sorted) shingles."""
    if not len(lead):
        return 0.0
    at = np.searchsorted(shingles, lead).clip(max=len(shingles) - 1)
    return float(np.mean(shingles[at] == lead))


def containment(shared: int, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|): how much of the shorter text is in the longer."""
    if size_a <= 0 or size_b <= 0:
        return 0.0
    return float(min(1.0, shared / min(size_a, size_b)))
