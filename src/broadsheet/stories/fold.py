"""Wire-copy folding: the same agency text republished by several outlets is one item.

MinHash over word 5-gram shingles (datasketch) finds candidate copies in constant time
through locality-sensitive hashing; a candidate is a copy when the estimated *containment*
of the shorter text in the longer is at least ``MIN_CONTAINMENT`` (a copy trimmed of its
first paragraph, or padded with the outlet's boilerplate, is still contained in the
original). Both figures are measured by ``bench/stories.py`` on generated copies of real
text and distinct articles on the same topics.

Copies point at the *first stored* copy (``articles.duplicate_of``, as exact copies
already do); the earliest *published* copy is shown as the origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from broadsheet.stories.text import shingle_hashes

NUM_PERM = 128
LSH_THRESHOLD = 0.3  # Jaccard at which LSH starts returning candidates (recall side)
MIN_CONTAINMENT = 0.5  # measured: bench/stories.py, generated copies (docs/notes/issue-4.md)
MIN_SHINGLES = 8  # shorter texts (a headline, a teaser) are never called copies
SEED = 1


@dataclass(frozen=True)
class Fold:
    """``article`` is a copy of ``original`` (the first stored copy of that text)."""

    original: int
    containment: float


@dataclass
class _Entry:
    minhash: MinHash
    size: int
    root: int
    source: int | None


class WireFolder:
    def __init__(self, min_containment: float = MIN_CONTAINMENT) -> None:
        self.min_containment = min_containment
        self.lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self.entries: dict[int, _Entry] = {}
        first = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
        self._perm, self._scheme = first.permutations, first.scheme  # computed once

    def signature(self, text: str) -> tuple[MinHash, int]:
        grams = shingle_hashes(text)
        mh = MinHash(
            num_perm=NUM_PERM,
            seed=SEED,
            hashfunc=int,  # values come hashed (shingle_hashes); never leave the process
            permutations=self._perm,
            scheme=self._scheme,
        )
        if len(grams):
            mh.update_batch(grams.tolist())
        return mh, len(grams)

    def check(self, text: str, source: int | None = None) -> tuple[Fold | None, MinHash, int]:
        """The stored text this one copies, if any; and this text's signature.

        Only another outlet's text counts: an outlet that reruns or updates its own story
        has not copied anyone (and exact reruns never reach here: the store skips them)."""
        mh, size = self.signature(text)
        if size < MIN_SHINGLES or not self.entries:
            return None, mh, size
        best: Fold | None = None
        for key in self.lsh.query(mh):
            entry = self.entries[key]
            if source is not None and entry.source == source:
                continue
            jaccard = float(mh.jaccard(entry.minhash))
            contained = containment(jaccard, size, entry.size)
            if contained < self.min_containment:
                continue
            candidate = Fold(entry.root, round(contained, 4))
            if best is None or (candidate.containment, -candidate.original) > (
                best.containment,
                -best.original,
            ):
                best = candidate
        return best, mh, size

    def add(
        self,
        article_id: int,
        mh: MinHash,
        size: int,
        root: int | None = None,
        source: int | None = None,
    ) -> None:
        if size < MIN_SHINGLES or article_id in self.entries:
            return
        self.entries[article_id] = _Entry(
            mh, size, root if root is not None else article_id, source
        )
        self.lsh.insert(article_id, mh)

    def forget(self, article_id: int) -> None:
        if self.entries.pop(article_id, None) is not None:
            self.lsh.remove(article_id)


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard index and the set sizes."""
    if size_a <= 0 or size_b <= 0:
        return 0.0
    inter = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return float(np.clip(inter / min(size_a, size_b), 0.0, 1.0))
