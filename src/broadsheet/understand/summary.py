"""Extractive summaries and key points: position-aware sentence ranking, no model needed.

News is written as an inverted pyramid: the opening sentences carry the event, later ones
the detail. Each sentence is scored by a position prior (the lead matters most), its
centrality (cosine to the article's own word profile, TF-IDF over sentences), its overlap
with the headline, and a penalty for what makes poor summary lines (quotes, questions,
fragments, captions). Sentences are then picked greedily with a redundancy penalty (MMR).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from broadsheet.understand.sentences import Sentence, content_words, split_sentences

VERSION = "1"
SUMMARY_SENTENCES = 3
SUMMARY_MAX_WORDS = 120
KEY_POINTS_MIN, KEY_POINTS_MAX = 3, 5
W_POSITION, W_CENTRAL, W_TITLE = 1.0, 0.6, 0.4
POSITION_DECAY = 0.6  # prior = exp(-decay * index); tuned on CNN/DM (bench)
REDUNDANCY = 0.6
MIN_WORDS, MAX_WORDS = 6, 55


@dataclass
class Digest:
    summary: str
    summary_sentences: list[int]  # indexes into split_sentences(text)
    key_points: list[str] = field(default_factory=list)
    key_point_sentences: list[int] = field(default_factory=list)


Vector = dict[str, float]


def summarize(title: str, text: str) -> Digest:
    """A 2–3 sentence summary and 3–5 key points of one article (empty for empty text)."""
    sentences = split_sentences(text)
    if not sentences:
        return Digest("", [])
    vectors = _tfidf([content_words(s.text) for s in sentences])
    centroid = _normalise(_sum(vectors))
    title_vec = _normalise(Counter(content_words(title)))
    base = [
        W_POSITION * _position(s)
        + W_CENTRAL * _cosine(v, centroid)
        + W_TITLE * _cosine(v, title_vec)
        - _penalty(s)
        for s, v in zip(sentences, vectors, strict=True)
    ]
    chosen = _select(base, vectors, SUMMARY_SENTENCES, sentences, SUMMARY_MAX_WORDS)
    if len(chosen) == 1 and len(sentences) > 1:  # the budget kept one long sentence
        chosen = _select(base, vectors, 2, sentences, 10**6)
    # key points look past the lead: a weaker position prior, more room for detail
    wide = [b - W_POSITION * _position(s) * 0.6 for b, s in zip(base, sentences, strict=True)]
    n_points = max(KEY_POINTS_MIN, min(KEY_POINTS_MAX, len(sentences) // 4))
    points = _select(wide, vectors, n_points, sentences, 10**6)
    return Digest(
        summary=" ".join(sentences[i].text for i in chosen),
        summary_sentences=chosen,
        key_points=[sentences[i].text for i in points],
        key_point_sentences=points,
    )


def _position(s: Sentence) -> float:
    return math.exp(-POSITION_DECAY * s.index)


def _penalty(s: Sentence) -> float:
    n = len(s.text.split())
    p = 0.0
    if n < MIN_WORDS:
        p += 0.8
    elif n > MAX_WORDS:
        p += 0.3
    if s.text.rstrip("\"'”’").endswith("?"):
        p += 0.5
    if s.text[:1] in "\"'“‘":
        p += 0.35
    if s.text[-1:] not in ".!\"'”’)":  # a caption or a fragment without an end
        p += 0.3
    return p


def _select(
    scores: list[float],
    vectors: list[Vector],
    k: int,
    sentences: list[Sentence],
    max_words: int,
) -> list[int]:
    chosen: list[int] = []
    budget = 0
    candidates = set(range(len(scores)))
    while candidates and len(chosen) < k:
        best = max(
            candidates,
            key=lambda i: (
                scores[i]
                - REDUNDANCY * max((_cosine(vectors[i], vectors[j]) for j in chosen), default=0.0)
            ),
        )
        candidates.discard(best)
        n = len(sentences[best].text.split())
        if chosen and budget + n > max_words:
            continue
        chosen.append(best)
        budget += n
    return sorted(chosen)


# --- vectors ---------------------------------------------------------------------------------
def _tfidf(docs: list[list[str]]) -> list[Vector]:
    df = Counter(w for d in docs for w in set(d))
    n = len(docs)
    return [
        _normalise({w: c * math.log(1 + n / df[w]) for w, c in Counter(d).items()}) for d in docs
    ]


def _sum(vectors: list[Vector]) -> Vector:
    total: Counter[str] = Counter()
    for v in vectors:
        total.update(v)
    return dict(total)


def _normalise(v: dict[str, float] | Counter[str]) -> Vector:
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / norm for k, x in v.items()} if norm else {}


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


@dataclass(frozen=True)
class StoryLine:
    text: str
    article_id: int
    sentence: int  # index into split_sentences of that article's text


STORY_SENTENCES = 4
NEAR_DUPLICATE = 0.6  # cosine of two sentences' words above which a story shows one


def summarize_story(articles: list[tuple[int, str, str]]) -> list[StoryLine]:
    """A summary of one story from several outlets' (article id, title, text): the
    sentences most central across the outlets, each linked to its source article.
    Near-identical sentences (wire copies) are picked once."""
    pool: list[tuple[int, Sentence]] = []
    for article_id, _title, text in articles:
        pool.extend((article_id, s) for s in split_sentences(text))
    if not pool:
        return []
    vectors = _tfidf([content_words(s.text) for _, s in pool])
    centroid = _normalise(_sum(vectors))
    titles = _normalise(Counter(w for _, t, _ in articles for w in content_words(t)))
    scores = [
        W_POSITION * _position(s)
        + W_CENTRAL * _cosine(v, centroid)
        + W_TITLE * _cosine(v, titles)
        - _penalty(s)
        for (_, s), v in zip(pool, vectors, strict=True)
    ]
    sentences = [s for _, s in pool]
    k = min(STORY_SENTENCES, max(2, len(articles) + 1))
    chosen = _select(scores, vectors, k, sentences, 10**6)
    chosen.sort(key=lambda i: -scores[i])
    kept: list[int] = []
    for i in chosen:  # two outlets' near-identical leads: the better one only
        if all(_cosine(vectors[i], vectors[j]) < NEAR_DUPLICATE for j in kept):
            kept.append(i)
    chosen = kept
    return [StoryLine(pool[i][1].text, pool[i][0], pool[i][1].index) for i in chosen]
