"""Text an outlet repeats on many of its pages, left out of the clustering features.

Templates, sign-offs, newsletter boxes and stock sentences ("Readers can send their views
through the contact page.", "Según el ayuntamiento, unos N hogares se verían afectados")
are shared by an outlet's unrelated articles: counted as words they make a football
match, a brewery sale and a folk fair of one outlet look like one story. Other outlets
do not share them, so they say nothing about the news.

The rule, per outlet: a word 5-gram (``text.shingle_sequence``) that at least
``MIN_REPEATS`` of the outlet's last ``RECENT`` articles already held is the outlet's
repeated text; the words it covers are dropped from the new article's body before its
features are made (``RepeatedText.strip``), then the article's own 5-grams are counted.
An outlet's first articles cannot be stripped (nothing is known yet): the rule works from
its ``MIN_REPEATS + 1``-th article on. Memory is bounded per outlet: sorted 32-bit keys
with counts over its last ``RECENT`` articles. Articles without an outlet pass unchanged.
"""

from __future__ import annotations

import re
from collections import deque

import numpy as np

from broadsheet.stories.text import MAX_CHARS, WORD, mixed_shingles

MIN_REPEATS = 3  # earlier articles of the outlet holding a 5-gram: it is the outlet's own
RECENT = 50  # articles per outlet whose 5-grams are counted
SIZE = 5  # words per shingle
_BREAK = re.compile(r"\s+")


class _Outlet:
    __slots__ = ("counts", "keys", "recent", "zeros")

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint32)  # sorted
        self.counts = np.empty(0, dtype=np.int32)
        self.recent: deque[np.ndarray] = deque()
        self.zeros = 0

    def seen(self, shingles: np.ndarray) -> np.ndarray:
        """How many of the recent articles held each shingle."""
        if not len(self.keys):
            return np.zeros(len(shingles), dtype=np.int32)
        pos = np.minimum(np.searchsorted(self.keys, shingles), len(self.keys) - 1)
        return np.where(self.keys[pos] == shingles, self.counts[pos], 0)

    def add(self, distinct: np.ndarray) -> None:
        pos = np.searchsorted(self.keys, distinct)
        found = np.zeros(len(distinct), dtype=bool)
        if len(self.keys):
            found = self.keys[np.minimum(pos, len(self.keys) - 1)] == distinct
            self.counts[pos[found]] += 1
        new = distinct[~found]
        self.keys = np.insert(self.keys, pos[~found], new)
        self.counts = np.insert(self.counts, pos[~found], 1)
        self.recent.append(distinct)
        if len(self.recent) > RECENT:
            old = self.recent.popleft()
            at = np.searchsorted(self.keys, old)
            self.counts[at] -= 1
            self.zeros += int(np.count_nonzero(self.counts[at] == 0))
            if self.zeros > len(self.keys) // 2:
                keep = self.counts > 0
                self.keys, self.counts, self.zeros = self.keys[keep], self.counts[keep], 0


class RepeatedText:
    """Per outlet, the 5-grams of its recent articles; strips the repeated ones."""

    def __init__(self, min_repeats: int | None = None) -> None:
        self.min_repeats = MIN_REPEATS if min_repeats is None else min_repeats
        self.outlets: dict[object, _Outlet] = {}

    def strip(self, source: object, text: str) -> str:
        """The text without the words the outlet's repeated 5-grams cover; the article's
        5-grams are then counted for the outlet (call once per article, in order)."""
        if source is None or not text:
            return text
        text = text[:MAX_CHARS]
        spans = [m.span() for m in WORD.finditer(text)]
        if len(spans) < SIZE:
            return text
        hashes = mixed_shingles([text[a:b].lower() for a, b in spans], SIZE).astype(np.uint32)
        outlet = self.outlets.get(source)
        if outlet is None:
            outlet = self.outlets[source] = _Outlet()
        repeated = outlet.seen(hashes) >= self.min_repeats
        outlet.add(np.unique(hashes))
        if not repeated.any():
            return text
        drop = np.zeros(len(spans), dtype=bool)
        for k in range(SIZE):
            drop[k : k + len(repeated)] |= repeated
        parts: list[str] = []
        last = 0
        for (a, b), gone in zip(spans, drop.tolist(), strict=True):
            if gone:
                parts.append(text[last:a])
                parts.append("\n")  # a break: names on either side never join
                last = b
        parts.append(text[last:])
        return "".join(parts)
