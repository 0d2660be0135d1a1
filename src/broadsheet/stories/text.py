"""Article text as weighted features for story clustering: plain data, no state.

A feature is a prefixed string: ``w:`` a word (title words count twice), ``e:`` a name
(a capitalised word or run of words inside a sentence: a cheap stand-in for named entities
until the understanding stage supplies real ones), ``n:`` a number ("6.1", "2009", "23").
The understanding stage's named entities plug in as ``E:`` features (its normalised entity
ids, so "Kim Jong-un" and "Mr. Kim" count as one) through ``extra``: measured on ECB+ they
add about 0.01 B-cubed F1 (bench/stories.py); countries (``C:``) were measured too and
did not help, so they are not used. Weights are sublinear term frequencies; the index
multiplies them by the inverse document frequency it keeps.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*", re.UNICODE)
_DIGIT = re.compile(r"\d")
TITLE_WEIGHT = 2.0  # title words count twice (measured: bench/stories.py, ECB+)
SPACE_WEIGHTS = {"w": 1.0, "e": 1.0, "n": 0.5}  # per prefix, applied before sublinear tf
MAX_CHARS = 20_000  # the first 20k characters say what a story is about
STOP = frozenset(ENGLISH_STOP_WORDS) | frozenset(
    # the commonest function words of the other languages the default feeds carry
    "le la les un une des du de et en est que qui dans pour pas sur au aux il elle "
    "ils elles sa ses leur leurs ce cette ces mais ou où par avec été être a ont "
    "sont aussi après avant selon lors depuis entre sans sous très tout tous toutes "
    "der die das und ist ein eine nicht mit von zu den dem im auf für sich des "
    "einen einem einer eines sie er es wir ihr werden wird wurde wurden worden haben "
    "hatte waren sind auch aus bei nach seit über unter vor um am an als noch nur "
    "schon so wie wenn dass daß oder aber durch gegen ohne bis zum zur beim vom ins "
    "el los las del por con una para es al lo como se su "
    "sus un unos unas y o pero más muy ya fue ha han sido ser está están este esta estos "
    "estas ese esa desde hasta sobre entre según también cuando donde "
    "il lo gli di che non per con una sono nel della".split()
)


# entity labels that name the event's who, where and when (measured: adding NORP, works
# and laws, or dropping the capitalised-name features, scored lower on ECB+)
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT", "DATE"})


def entity_features(entities: Iterable[tuple[str, str, int]]) -> dict[str, float]:
    """``E:`` features from (entity id, label, mentions) triples of the understanding stage."""
    out: dict[str, float] = {}
    for entity_id, label, mentions in entities:
        if label in ENTITY_LABELS and entity_id:
            key = "E:" + entity_id
            out[key] = out.get(key, 0.0) + max(1, int(mentions))
    return out


def _mostly_upper(text: str) -> bool:
    letters = [c for c in text[:200] if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _add_part(counts: Counter[str], text: str, weight: float, names: bool) -> None:
    tokens = WORD.findall(text[:MAX_CHARS])
    lows = [t.lower() for t in tokens]
    w = weight * SPACE_WEIGHTS["w"]
    for low, n in Counter(x for x in lows if x not in STOP and (len(x) > 1 or x.isdigit())).items():
        counts["w:" + low] += n * w
    w = weight * SPACE_WEIGHTS["n"]
    for low in lows:
        if not low.isalpha() and _DIGIT.search(low):
            counts["n:" + low] += w
    if not names:
        return
    w = weight * SPACE_WEIGHTS["e"]
    run: list[str] = []
    last = -2
    for i in [i for i, t in enumerate(tokens) if t[0].isupper()]:
        low = lows[i]
        if i == 0 or low in STOP:
            continue
        counts["e:" + low] += w
        if i != last + 1 and len(run) > 1:
            counts["e:" + "_".join(run)] += w
        run = run + [low] if i == last + 1 else [low]
        last = i
    if len(run) > 1:
        counts["e:" + "_".join(run)] += w


def features(title: str, text: str, extra: Mapping[str, float] | None = None) -> dict[str, float]:
    """The article's features with sublinear weights ``1 + ln(count)``."""
    counts: Counter[str] = Counter()
    _add_part(counts, title or "", TITLE_WEIGHT, names=not _mostly_upper(title or ""))
    _add_part(counts, text or "", 1.0, names=True)
    if extra:
        counts.update(extra)
    return {f: 1.0 + math.log(c) if c >= 1.0 else c for f, c in counts.items() if c > 0}


def shingle_hashes(text: str, size: int = 5) -> np.ndarray:
    """32-bit hashes of the word ``size``-grams of the lower-cased text (distinct values).

    Each word is hashed once (CRC-32, in C), and a shingle's hash combines its words'
    hashes polynomially, vectorised: the same shingles as :func:`shingles`, hashed fast.
    """
    return np.unique(shingle_sequence(text, size))


def shingle_sequence(text: str, size: int = 5) -> np.ndarray:
    """The hashes of :func:`shingle_hashes` in text order, repeats kept."""
    return mixed_shingles(WORD.findall(text.lower()), size)


def mixed_shingles(words: list[str], size: int = 5) -> np.ndarray:
    """The 32-bit hashes (as uint64) of the ``size``-grams of ``words``, in order."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    if len(h) < size:
        size = len(h)
    mixed = np.zeros(len(h) - size + 1, dtype=np.uint64)
    for k in range(size):
        mixed = (mixed * np.uint64(1_000_003) + h[k : len(h) - size + 1 + k]) & np.uint64(
            0xFFFFFFFF
        )
    return mixed


def shingles(text: str, size: int = 5) -> set[bytes]:
    """Word ``size``-grams of the lower-cased text, for near-duplicate (wire copy) tests."""
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}
