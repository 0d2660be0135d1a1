"""Topics from a small fixed taxonomy, and keywords, per article.

Method: a hand-made lexicon of stems per topic, counted over the headline (weighted) and
the text, normalised by length; topics above a threshold are kept, strongest first. It is
measured in bench/understanding.py against the sections in CNN/Daily Mail URLs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from broadsheet.understand.sentences import content_words

VERSION = "1"
TAXONOMY: dict[str, str] = {
    "world": "diplomat embassy foreign united nations summit treaty sanction refugee border "
    "ambassador international migrant asylum",
    "politics": "election vote voter parliament senate congress minister president party "
    "campaign lawmaker government opposition poll democrat republican policy legislation "
    "mp coalition referendum",
    "business": "company firm share shareholder profit revenue ceo merger acquisition market "
    "investor bank deal sale retailer brand stock earning billion startup",
    "economy": "economy economic inflation interest rate gdp growth unemployment job wage "
    "tax budget recession trade tariff debt deficit price pay union worker strike",
    "technology": "technology tech software app smartphone internet online computer google "
    "apple facebook microsoft ai robot data cyber hacker digital device iphone twitter",
    "science": "scientist research study researcher university space nasa planet species "
    "discovery experiment astronomer physics fossil dinosaur telescope",
    "health": "health hospital patient doctor disease virus cancer medical drug treatment "
    "nhs vaccine surgery infection diet obesity illness mental nurse",
    "sport": "match game team player coach league cup season goal win champion tournament "
    "football soccer tennis golf cricket rugby olympic club striker manager score race "
    "championship",
    "culture": "film movie actor actress music singer album star show festival art book "
    "novel theatre celebrity fashion tv television series director concert",
    "environment": "climate environment emission carbon pollution wildlife energy renewable "
    "weather flood drought storm forest ocean warming green",
    "conflict": "war military army soldier troop attack killed bomb missile strike fighter "
    "rebel militant terror terrorist ceasefire shelling weapon airstrike",
    "crime": "police arrest court trial judge jury murder prison sentence charged crime "
    "victim suspect lawyer guilty investigation",
}
LEXICON: dict[str, str] = {}
for _topic, _words in TAXONOMY.items():
    for _w in _words.split():
        LEXICON.setdefault(_w.rstrip("s") if len(_w) > 3 else _w, _topic)
TITLE_WEIGHT = 3.0
THRESHOLD = 0.012  # share of content words that hit a topic's lexicon
MAX_TOPICS = 3
KEYWORDS = 8


@dataclass(frozen=True)
class Topic:
    topic: str
    score: float


def classify(title: str, text: str, entity_labels: list[str]) -> list[Topic]:
    """Topics of an article, strongest first (possibly none)."""
    words = content_words(text)
    counts: Counter[str] = Counter()
    for w in words:
        if w in LEXICON:
            counts[LEXICON[w]] += 1.0
    for w in content_words(title):
        if w in LEXICON:
            counts[LEXICON[w]] += TITLE_WEIGHT
    total = max(1, len(words))
    scored = [Topic(t, round(c / total, 4)) for t, c in counts.items() if c / total >= THRESHOLD]
    scored.sort(key=lambda t: -t.score)
    return scored[:MAX_TOPICS]


def keywords(title: str, text: str, limit: int = KEYWORDS) -> list[str]:
    """Words and two-word phrases that stand out: frequent, early, and in the headline."""
    tokens = content_words(title + "\n" + text)
    if not tokens:
        return []
    scores: Counter[str] = Counter()
    title_words = set(content_words(title))
    for i, w in enumerate(tokens):
        if w.isdigit() or len(w) < 3:
            continue
        scores[w] += 1.0 + (1.0 if w in title_words else 0.0) + 1.0 / math.sqrt(1 + i)
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.isalpha() and b.isalpha() and len(a) > 2 and len(b) > 2:
            scores[f"{a} {b}"] += 0.9
    ranked = [k for k, s in scores.most_common() if s >= 2.0]
    picked: list[str] = []
    for k in ranked:
        if any(k in p or p in k for p in picked):
            continue
        picked.append(k)
        if len(picked) == limit:
            break
    return picked
