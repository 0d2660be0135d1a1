"""The in-memory term index behind story clustering: vocabulary, document frequencies,
each recent article's top features, and postings from a feature to the articles that carry
it. Plain memory, rebuilt from the store on start (``StoryEngine.rebuild``).

Candidate retrieval never scans the stories: an article's ``query_terms`` strongest
features select postings (the newest ``posting_cap`` entries each), a weighted vote
picks ``candidates`` articles, and only those get an exact cosine. Articles older than
the time window drop out of the postings lazily (a posting's stale tail is cut when the
posting is read), so per-article work depends on the window, not on the store's size.

Document frequencies are the window's: an article counts from ``add`` until ``forget``,
the same whether the index grew article by article or was rebuilt from the store. Memory
is the window's too: ``compact`` renumbers the live articles and drops the features no
live article has, so a server that runs for months holds what a fresh start would.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping

import numpy as np
from scipy import sparse

VECTOR_TERMS = 300  # features kept per article (by tf-idf when it arrives)
QUERY_TERMS = 30  # features used to look up candidates
POSTING_CAP = 600  # newest entries read per posting
CANDIDATES = 60  # articles scored exactly per look-up
UNKNOWN_TIME = math.nan
DENSE_CELLS = 250_000  # above this many cells, similarities go through scipy.sparse
NO_FACTS = np.empty(0, dtype=np.int64)  # shared by every article that states none


class TermIndex:
    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.names: list[str] = []  # feature id -> feature
        self.df = np.zeros(1024, dtype=np.float64)
        self.n_docs = 0
        self.slot_of: dict[int, int] = {}  # article id -> slot
        self.article_ids = array("q")  # slot -> article id
        self.times = array("d")  # slot -> seconds since the epoch (nan: unknown)
        self.facts: list[np.ndarray] = []  # slot -> the facts its text states (facts.py)
        self.terms: list[np.ndarray | None] = []  # slot -> feature ids (int32)
        self.tfs: list[np.ndarray | None] = []  # slot -> sublinear tf (float32)
        self.alive = array("b")  # slot -> 1 while it holds a vector
        self.postings: dict[int, array[int]] = {}
        self.live = 0  # slots still holding a vector
        self.rest: dict[int, np.ndarray] = {}  # slot -> features counted in df, not kept
        self._idf = np.zeros(1024, dtype=np.float64)  # cached, refreshed as the window churns
        self._churn = 0  # articles added or forgotten since the cache was refreshed

    # --- weights ---------------------------------------------------------------------
    def idf(self, ids: np.ndarray) -> np.ndarray:
        """Smoothed inverse document frequency, ln((N+1)/(df+1)) + 1; cached, and
        recomputed whenever 1 % of the window has come or gone."""
        if self._churn > 0.01 * self.n_docs + 1:
            self._refresh_idf()
        return self._idf[ids]

    def _refresh_idf(self) -> None:
        k = len(self.vocab)
        if len(self._idf) < len(self.df):
            self._idf = np.zeros(len(self.df), dtype=np.float64)
        self._idf[:k] = np.log((self.n_docs + 1.0) / (self.df[:k] + 1.0)) + 1.0
        self._churn = 0

    def _ids(self, names: list[str]) -> np.ndarray:
        vocab = self.vocab
        out = np.empty(len(names), dtype=np.int32)
        for i, name in enumerate(names):
            fid = vocab.get(name)
            if fid is None:
                fid = vocab[name] = len(vocab)
                self.names.append(name)
            out[i] = fid
        if len(vocab) > len(self.df):
            grown = np.zeros(max(len(vocab), 2 * len(self.df)), dtype=np.float64)
            grown[: len(self.df)] = self.df
            self.df = grown
        return out

    # --- adding ----------------------------------------------------------------------
    def add(
        self,
        article_id: int,
        feats: Mapping[str, float],
        when: float | None,
        facts: np.ndarray | None = None,
    ) -> int:
        """Index an article; its slot. It counts in the document frequencies (all its
        features) until it is forgotten. ``facts``: the facts its text states
        (``facts.facts``), or None."""
        names = list(feats)
        ids = self._ids(names)
        tf = np.fromiter((feats[n] for n in names), dtype=np.float32, count=len(names))
        self.n_docs += 1
        self._churn += 1
        self.df[ids] += 1.0
        if len(self._idf) < len(self.df):
            grown = np.zeros(len(self.df), dtype=np.float64)
            grown[: len(self._idf)] = self._idf
            self._idf = grown
        self._idf[ids] = np.log((self.n_docs + 1.0) / (self.df[ids] + 1.0)) + 1.0
        slot = len(self.article_ids)
        if len(ids) > VECTOR_TERMS:
            order = np.argpartition(-(tf * self.idf(ids)), VECTOR_TERMS)
            self.rest[slot] = ids[order[VECTOR_TERMS:]]
            ids, tf = ids[order[:VECTOR_TERMS]], tf[order[:VECTOR_TERMS]]
        self.slot_of[article_id] = slot
        self.article_ids.append(article_id)
        self.times.append(UNKNOWN_TIME if when is None else when)
        self.facts.append(NO_FACTS if facts is None or not len(facts) else facts)
        self.terms.append(ids)
        self.tfs.append(tf)
        self.alive.append(1)
        self.live += 1
        for fid in self._query_ids(ids, tf):
            posting = self.postings.get(int(fid))
            if posting is None:
                posting = self.postings[int(fid)] = array("i")
            posting.append(slot)
        return slot

    def _query_ids(self, ids: np.ndarray, tf: np.ndarray) -> np.ndarray:
        if len(ids) <= QUERY_TERMS:
            return ids
        return ids[np.argpartition(-(tf * self.idf(ids)), QUERY_TERMS)[:QUERY_TERMS]]

    def forget(self, slot: int) -> None:
        """Drop an article's vector and its document frequencies (it left the window);
        its postings go lazily, or at ``compact``."""
        ids = self.terms[slot]
        if ids is not None:
            self.df[ids] -= 1.0
            rest = self.rest.pop(slot, None)
            if rest is not None:
                self.df[rest] -= 1.0
            self.n_docs -= 1
            self._churn += 1
            self.terms[slot] = None
            self.tfs[slot] = None
            self.alive[slot] = 0
            self.live -= 1

    @property
    def dead(self) -> int:
        """Slots of forgotten articles, until ``compact``."""
        return len(self.article_ids) - self.live

    def compact(self) -> np.ndarray:
        """Renumber the live articles 0.. in order, drop the forgotten ones and every
        feature no live article counts; the old slot -> new slot map (-1: gone).

        Callers that keep slots (the clusterer, the stage's expiry queue) remap with it.
        The order of live slots is kept, so "newer" still means "higher"."""
        live = np.flatnonzero(np.frombuffer(self.alive, dtype=np.int8))
        remap = np.full(len(self.article_ids), -1, dtype=np.int64)
        remap[live] = np.arange(len(live))
        k = len(self.vocab)
        used = np.flatnonzero(self.df[:k] > 0.5)
        fid = np.full(k, -1, dtype=np.int64)
        fid[used] = np.arange(len(used))
        self.names = [self.names[i] for i in used.tolist()]
        self.vocab = {name: i for i, name in enumerate(self.names)}
        spare = np.zeros(max(1024, len(used)))
        self.df = np.concatenate((self.df[used], spare))
        self._idf = np.concatenate((self._idf[used], spare))  # as cached: same decisions
        ids = self.article_ids
        self.article_ids = array("q", (ids[s] for s in live.tolist()))
        self.times = array("d", np.frombuffer(self.times, dtype=np.float64)[live].tobytes())
        self.facts = [self.facts[s] for s in live.tolist()]
        self.terms = [fid[self.terms[s]].astype(np.int32) for s in live.tolist()]
        self.tfs = [self.tfs[s] for s in live.tolist()]
        self.alive = array("b", bytes([1]) * len(live))
        self.slot_of = {a: i for i, a in enumerate(self.article_ids)}
        self.rest = {int(remap[s]): fid[r].astype(np.int32) for s, r in self.rest.items()}
        postings: dict[int, array[int]] = {}
        for f, posting in self.postings.items():
            kept = remap[np.frombuffer(posting, dtype=np.int32)]
            kept = kept[kept >= 0]
            if len(kept):
                postings[int(fid[f])] = array("i", kept.astype(np.int32).tobytes())
        self.postings = postings
        return remap

    # --- reading ---------------------------------------------------------------------
    def _weights(self, slots: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Concatenated (feature ids, L2-normalised tf-idf weights, row start offsets)."""
        terms, tfs = self.terms, self.tfs
        empty_i, empty_w = np.empty(0, np.int32), np.empty(0, np.float32)
        id_parts = [terms[s] if terms[s] is not None else empty_i for s in slots]
        tf_parts = [tfs[s] if tfs[s] is not None else empty_w for s in slots]
        lengths = np.fromiter((len(p) for p in id_parts), dtype=np.int64, count=len(slots))
        ids = np.concatenate(id_parts) if id_parts else empty_i
        w = np.concatenate(tf_parts).astype(np.float64) * self.idf(ids)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        row = np.repeat(np.arange(len(slots)), lengths)
        sq = np.bincount(row, weights=w * w, minlength=len(slots))
        norms = np.sqrt(sq)
        norms[norms == 0] = 1.0
        return ids, w / norms[row], starts

    def matrix(self, slots: list[int]) -> sparse.csr_matrix:
        """The articles' tf-idf vectors with today's idf, L2-normalised, one row each."""
        ids, w, starts = self._weights(slots)
        indptr = np.concatenate((starts, [len(ids)]))
        return sparse.csr_matrix((w, ids, indptr), shape=(len(slots), max(1, len(self.vocab))))

    def similarity_to(self, slot: int, others: list[int]) -> np.ndarray:
        """Cosine similarity of one article with each of ``others`` (a vector)."""
        qi, qw, _ = self._weights([slot])
        order = np.argsort(qi)
        qi, qw = qi[order], qw[order]
        ids, w, starts = self._weights(others)
        if not len(qi) or not len(ids):
            return np.zeros(len(others))
        pos = np.minimum(np.searchsorted(qi, ids), len(qi) - 1)
        contrib = np.where(qi[pos] == ids, w * qw[pos], 0.0)
        lengths = np.diff(np.concatenate((starts, [len(ids)])))
        row = np.repeat(np.arange(len(others)), lengths)
        return np.bincount(row, weights=contrib, minlength=len(others))

    def similarities(self, rows: list[int], cols: list[int]) -> np.ndarray:
        """Cosine similarity of every row article with every column article."""
        same = rows is cols or rows == cols
        slots = rows if same else rows + cols
        ids, w, starts = self._weights(slots)
        local, inverse = np.unique(ids, return_inverse=True)
        if len(slots) * len(local) > DENSE_CELLS:
            x = self.matrix(slots)
            a, b = (x, x) if same else (x[: len(rows)], x[len(rows) :])
            return np.asarray((a @ b.T).todense())
        lengths = np.diff(np.concatenate((starts, [len(ids)])))
        dense = np.zeros((len(slots), len(local)), dtype=np.float64)
        dense[np.repeat(np.arange(len(slots)), lengths), inverse] = w
        if same:
            return dense @ dense.T
        return dense[: len(rows)] @ dense[len(rows) :].T

    def neighbours(
        self, slot: int, oldest: float | None = None, limit: int = CANDIDATES
    ) -> list[tuple[int, float]]:
        """Earlier articles most similar to ``slot`` (cosine), best first."""
        ids, tf = self.terms[slot], self.tfs[slot]
        if ids is None or tf is None or not len(ids):
            return []
        query = self._query_ids(ids, tf)
        weights = self.idf(query)
        found: list[np.ndarray] = []
        kept: list[float] = []
        for fid, weight in zip(query.tolist(), weights.tolist(), strict=True):
            posting = self.postings.get(fid)
            if not posting:
                continue
            if oldest is not None:
                posting = self._trim(fid, posting, oldest)
            found.append(np.frombuffer(posting, dtype=np.int32)[-POSTING_CAP:].copy())
            kept.append(weight)
        if not found:
            return []
        cands = np.concatenate(found)
        score = np.repeat(np.array(kept), [len(f) for f in found])
        uniq, inverse = np.unique(cands, return_inverse=True)
        total = np.bincount(inverse, weights=score)
        mask = (uniq != slot) & (np.frombuffer(self.alive, dtype=np.int8)[uniq] != 0)
        if oldest is not None:
            times = np.frombuffer(self.times, dtype=np.float64)[uniq]
            mask &= ~(times < oldest)  # unknown times (nan) stay
        uniq, total = uniq[mask], total[mask]
        if not len(uniq):
            return []
        if len(uniq) > limit:
            top = np.argpartition(-total, limit)[:limit]
            uniq = uniq[top]
        picked = uniq.tolist()
        sims = self.similarity_to(slot, picked)
        order = np.argsort(-sims)
        return [(picked[i], float(sims[i])) for i in order]

    def _trim(self, fid: int, posting: array[int], oldest: float) -> array[int]:
        """Keep a posting short: past twice the cap, drop entries older than the window
        and all but the newest ``POSTING_CAP``."""
        if len(posting) < 2 * POSTING_CAP:
            return posting
        times = np.frombuffer(self.times, dtype=np.float64)
        slots = np.frombuffer(posting, dtype=np.int32)
        keep = slots[~(times[slots] < oldest)][-POSTING_CAP:]
        trimmed = self.postings[fid] = array("i", keep.tobytes())
        return trimmed
