"""Benchmark the stories stage: clustering quality, wire-copy folding, throughput.

    .venv/bin/python bench/stories.py [DATASETS] [--scales 10000,100000,1000000]
                                      [--seeds 5] [--skip-scale] [--store-scale 10000]

DATASETS defaults to ../shared/datasets; without news-clustering-ecbplus/ the script says
so and exits 0. Nothing from the data set is written anywhere: every derived set (the
wire copies, the large synthetic streams) is made in memory at run time.

1. Clustering quality on ECB+ (982 documents, 86 gold stories; each of 43 topics holds two
   different real events of the same kind). The articles are streamed one at a time in a
   fixed order (seeded shuffles; seed 0 is "the" fixed order) through the real stage
   (``StoryEngine`` over a temporary store, exactly what ingest runs) and scored with
   B-cubed and pairwise F1. The baseline, TF-IDF + average-link agglomerative clustering
   with its threshold tuned on the very data it is scored on (so: optimistic), runs in
   the same process. The threshold the stage ships (``cluster.THRESHOLD``) is checked by
   two-fold cross-validation over topics: chosen on one half's topics, scored on the
   other's.
2. Wire-copy folding: real ECB+ paragraphs republished with realistic edits (headline
   rewritten, first paragraph trimmed, outlet boilerplate and an agency dateline added,
   a few words changed), mixed with the other, distinct articles on the same topics.
   Precision and recall of "copy of" decisions, per containment threshold.
3. Throughput and memory: synthetic streams of N articles made by recombining real ECB+
   sentences into distinct events, a new event every ``EVENT_SECONDS`` with two reports
   on average (about 6,000 articles a day, a large aggregator: the 14-day window then
   holds about 59k articles); articles per second per tenth of the stream (flat =
   independent of the store's size) and peak memory, each scale in its own process. The
   in-memory runs also score the stories against the generator's events (B-cubed F1):
   a check that speed was not bought with quality at scale, on easier text than ECB+.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from broadsheet.stories import cluster as cluster_mod
from broadsheet.stories import fold as fold_mod
from broadsheet.stories import repeats as repeats_mod
from broadsheet.stories.cluster import Clusterer
from broadsheet.stories.facts import facts
from broadsheet.stories.fold import WireFolder
from broadsheet.stories.index import TermIndex
from broadsheet.stories.text import entity_features, features

console = Console(width=150)  # readable when written to a file
ECB = "news-clustering-ecbplus"


# --- data -------------------------------------------------------------------------------
def load_ecb(root: Path) -> list[dict[str, str]]:
    docs = []
    with open(root / "gold_clusters.tsv", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        for path, topic, story, *_ in reader:
            d = json.loads((root / path).read_text(encoding="utf-8"))
            docs.append(
                {
                    "id": path,
                    "title": d.get("title") or "",
                    "text": d.get("text") or "",
                    "topic": topic,
                    "story": story,
                }
            )
    return docs


# --- metrics ----------------------------------------------------------------------------
def bcubed(pred: list, gold: list) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1: per item, the share of its predicted story that
    is in its gold story, and the reverse (from the contingency counts: O(n))."""
    both = Counter(zip(pred, gold, strict=True))
    psize, gsize = Counter(pred), Counter(gold)
    p_sum = sum(k * k / psize[p] for (p, _g), k in both.items())
    r_sum = sum(k * k / gsize[g] for (_p, g), k in both.items())
    p, r = p_sum / len(pred), r_sum / len(pred)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def pairwise(pred: list, gold: list) -> tuple[float, float, float]:
    def pairs(c: Counter) -> int:
        return sum(v * (v - 1) // 2 for v in c.values())

    tp = pairs(Counter(zip(pred, gold, strict=True)))
    pp, gp = pairs(Counter(pred)), pairs(Counter(gold))
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


# --- streaming --------------------------------------------------------------------------
def stream_memory(
    docs: list[dict], order: list[int], threshold: float, rule: tuple[int, float] | None = None
) -> list[int]:
    """The clustering rule alone, in memory (for sweeps): a story per document. ``rule``:
    the facts rule's (pairs, share), the shipped one by default (0 pairs: off)."""
    index = TermIndex()
    pairs, share = rule or (cluster_mod.FACT_PAIRS, cluster_mod.FACT_SHARE)
    clusterer = Clusterer(index, threshold=threshold, fact_pairs=pairs, fact_share=share)
    next_id = 0
    for i in order:
        d = docs[i]
        extra = entity_features(d.get("entities", ()))
        feats = features(d["title"], d["text"], extra)
        slot = index.add(i, feats, None, facts(d["title"], d["text"]) if pairs else None)
        clusterer.assign(slot)
        for story in [s for s in clusterer.members if s < 0]:
            next_id += 1
            clusterer.rename(story, next_id)
    return [clusterer.story_of[index.slot_of[i]] for i in range(len(docs))]


def stream_engine(docs: list[dict], order: list[int]) -> tuple[list, float]:
    """The real stage: every document through a temporary store, as ``broadsheet cluster``."""
    from broadsheet.cli_stories import cluster_records
    from broadsheet.config import Settings
    from broadsheet.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/b.db", default_sources=False
        )
        store = Store.open(settings)
        records = [
            (n, {"id": i, "title": docs[i]["title"], "text": docs[i]["text"], "source": f"s{i}"})
            for n, i in enumerate(order, 1)
        ]
        start = time.perf_counter()
        out = cluster_records(store, settings, records)
        seconds = time.perf_counter() - start
        store.close()
    story = {o["id"]: o["story"] for o in out}
    return [story[i] for i in range(len(docs))], seconds


def orders(n: int, seeds: int) -> list[list[int]]:
    out = []
    for seed in range(seeds):
        order = list(range(n))
        random.Random(seed).shuffle(order)
        out.append(order)
    return out


def baseline(docs: list[dict], gold: list) -> tuple[float, tuple, tuple, int]:
    """TF-IDF + average-link agglomerative, the distance threshold tuned on ``gold``."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [d["title"] + " " + d["text"] for d in docs]
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    dist = np.clip(1.0 - (x @ x.T).toarray(), 0.0, None)
    best = None
    for t in np.arange(0.50, 1.0, 0.01):
        labels = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=t
        ).fit_predict(dist)
        b = bcubed(list(labels), gold)
        if best is None or b[2] > best[1][2]:
            best = (float(t), b, pairwise(list(labels), gold), len(set(labels)))
    assert best is not None
    return best


def with_entities(docs: list[dict]) -> list[dict]:
    """Each document's entities as the understanding stage finds them (id, label, mentions),
    for the in-memory runs; the stage run gets them from the store, as ingest does."""
    from broadsheet.config import Settings
    from broadsheet.understand.pipelines import Pipelines
    from broadsheet.understand.stage import understand_texts

    found = understand_texts(
        Pipelines(Settings().spacy_models), [(d["title"], d["text"]) for d in docs]
    )
    for d, result in zip(docs, found, strict=True):
        counts = Counter((m.entity_id, m.label) for m in result.entities)
        d["entities"] = [(eid, label, n) for (eid, label), n in counts.items()]
    return docs


def quality(root: Path, seeds: int) -> list[tuple[str, str]]:
    docs = load_ecb(root)
    gold = [d["story"] for d in docs]
    figures: list[tuple[str, str]] = []
    table = Table(
        "method",
        "order",
        "B³ P",
        "B³ R",
        "B³ F1",
        "pair F1",
        "stories",
        "s",
        title=f"Story clustering, ECB+ ({len(docs)} docs, {len(set(gold))} gold stories)",
    )
    fixed = orders(len(docs), seeds)
    start = time.perf_counter()
    pred, secs = stream_engine(docs, fixed[0])
    b, pw = bcubed(pred, gold), pairwise(pred, gold)
    table.add_row(
        "stage (streaming, store)",
        "seed 0",
        *(f"{v:.3f}" for v in b),
        f"{pw[2]:.3f}",
        str(len(set(pred))),
        f"{secs:.1f}",
    )
    figures.append(("ECB+ B-cubed F1, streaming (seed 0)", f"{b[2]:.3f}"))
    figures.append(("ECB+ pairwise F1, streaming (seed 0)", f"{pw[2]:.3f}"))
    scores = []
    t0 = time.perf_counter()
    without = [
        bcubed(stream_memory(docs, order, cluster_mod.THRESHOLD), gold)[2] for order in fixed
    ]
    table.add_row(
        "rule in memory, without entities",
        f"mean of {seeds}",
        "",
        "",
        f"{np.mean(without):.3f}",
        "",
        "",
        f"{time.perf_counter() - t0:.1f}",
    )
    figures.append(
        (
            f"ECB+ B-cubed F1, streaming without entities (mean of {seeds})",
            f"{np.mean(without):.3f}",
        )
    )
    with_entities(docs)
    for seed, order in enumerate(fixed):
        t0 = time.perf_counter()
        pred = stream_memory(docs, order, cluster_mod.THRESHOLD)
        scores.append((bcubed(pred, gold), pairwise(pred, gold), len(set(pred))))
        if seed == 0:
            memsecs = time.perf_counter() - t0
    mean_b = np.mean([s[0] for s in scores], axis=0)
    mean_p = np.mean([s[1][2] for s in scores])
    table.add_row(
        "rule in memory",
        f"mean of {seeds}",
        *(f"{v:.3f}" for v in mean_b),
        f"{mean_p:.3f}",
        f"{np.mean([s[2] for s in scores]):.0f}",
        f"{memsecs:.1f}",
    )
    figures.append((f"ECB+ B-cubed F1, streaming (mean of {seeds} orders)", f"{mean_b[2]:.3f}"))
    t0 = time.perf_counter()
    t, bb, bp, n = baseline(docs, gold)
    table.add_row(
        f"baseline: TF-IDF + average link (batch, threshold {t:.2f} tuned on gold)",
        "—",
        *(f"{v:.3f}" for v in bb),
        f"{bp[2]:.3f}",
        str(n),
        f"{time.perf_counter() - t0:.1f}",
    )
    figures.append(("ECB+ B-cubed F1, baseline (batch, tuned)", f"{bb[2]:.3f}"))
    console.print(table)
    console.print(f"(total {time.perf_counter() - start:.0f} s)")
    figures.extend(cross_validate(docs, gold))
    figures.extend(lookalike(docs, gold))
    return figures


def lookalike_rate(pred: list, docs: list[dict]) -> tuple[float, int]:
    """Of the pairs of articles on two different events of one ECB+ topic (look-alikes:
    two quakes, two rehab check-ins), the share put in one story; and the number of
    topics where at least one story holds both events."""
    cells = Counter((p, d["topic"], d["story"]) for p, d in zip(pred, docs, strict=True))
    per_story: dict[tuple, list[int]] = defaultdict(list)
    for (p, topic, _story), k in cells.items():
        per_story[(p, topic)].append(k)
    merged = sum((sum(v) ** 2 - sum(x * x for x in v)) // 2 for v in per_story.values())
    per_topic: dict[str, list[int]] = defaultdict(list)
    for (topic, _story), k in Counter((d["topic"], d["story"]) for d in docs).items():
        per_topic[topic].append(k)
    total = sum((sum(v) ** 2 - sum(x * x for x in v)) // 2 for v in per_topic.values())
    topics = {topic for (_p, topic), v in per_story.items() if len(v) > 1}
    return merged / total if total else 0.0, len(topics)


LOOKALIKE_THRESHOLDS = (0.075, 0.085, 0.095)
LOOKALIKE_RULES = ((0, 0.0), (4, 0.8), (8, 0.9), (12, 0.9), (16, 0.9))  # (pairs, share)
FOLDS = 5


def lookalike(docs: list[dict], gold: list) -> list[tuple[str, str]]:
    """Look-alike events: the facts rule (two groups whose reports mostly state different
    years, sums of money, counts of people, months or quake magnitudes stay apart:
    ``facts.KINDS``, ``cluster.FACT_PAIRS``, ``cluster.FACT_SHARE``; 0 pairs = off) and
    the threshold, chosen together by k-fold cross-validation over topics: each setting
    streams every document once (seed 0's order); a fold's setting is the one that scores
    best on the other folds' topics, and it is scored on the fold's own topics (no label
    of a held-out topic is ever used)."""
    order = orders(len(docs), 1)[0]
    runs: dict[tuple[float, int, float], list[int]] = {}
    t0 = time.perf_counter()
    for th in LOOKALIKE_THRESHOLDS:
        for pairs, share in LOOKALIKE_RULES:
            runs[(th, pairs, share)] = stream_memory(docs, order, th, (pairs, share))
    seconds = time.perf_counter() - t0
    topics = sorted({d["topic"] for d in docs}, key=int)
    folds = [set(topics[k::FOLDS]) for k in range(FOLDS)]

    def score(setting: tuple[float, int, float], keep: set[str]) -> tuple:
        idx = [i for i, d in enumerate(docs) if d["topic"] in keep]
        pred = [runs[setting][i] for i in idx]
        sub_gold = [gold[i] for i in idx]
        sub = [docs[i] for i in idx]
        return bcubed(pred, sub_gold), pairwise(pred, sub_gold), lookalike_rate(pred, sub)

    table = Table(
        "setting (threshold, fact pairs, share)",
        "B³ P",
        "B³ R",
        "B³ F1",
        "pair P",
        "pair R",
        "pair F1",
        "look-alike pairs merged",
        "topics with a merged story",
        title=f"Look-alike events on ECB+ ({len(topics)} topics × 2 events; seed 0's order; "
        f"{len(runs)} settings in {seconds:.0f} s)",
    )
    everything = set(topics)

    def row(name: str, b: tuple, pw: tuple, la: tuple) -> None:
        table.add_row(name, *(f"{v:.3f}" for v in (*b, *pw)), f"{la[0]:.3f}", str(la[1]))

    def name(st: tuple[float, int, float]) -> str:
        return f"{st[0]:.3f}, " + (f"{st[1]} / {st[2]:.1f}" if st[1] else "off")

    shipped = (cluster_mod.THRESHOLD, cluster_mod.FACT_PAIRS, cluster_mod.FACT_SHARE)
    for setting in runs:
        mark = " (shipped)" if setting == shipped else ""
        row(name(setting) + mark, *score(setting, everything))
    best = max(runs, key=lambda st: score(st, everything)[0][2])
    row(f"tuned on all topics: {name(best)}", *score(best, everything))
    held: list[int] = []
    picks = []
    preds: list = []
    for fold in folds:
        train = everything - fold
        pick = max(runs, key=lambda st: score(st, train)[0][2])
        picks.append(pick)
        idx = [i for i, d in enumerate(docs) if d["topic"] in fold]
        held.extend(idx)
        # story ids are per run: tag them with the fold so two folds' stories never meet
        preds.extend((len(picks), runs[pick][i]) for i in idx)
    sub_gold = [gold[i] for i in held]
    b, pw = bcubed(preds, sub_gold), pairwise(preds, sub_gold)
    la = lookalike_rate(preds, [docs[i] for i in held])
    row(f"{FOLDS}-fold CV over topics (held-out topics)", b, pw, la)
    console.print(table)
    console.print(
        "settings chosen per fold: "
        + "; ".join(name(pick) for pick in picks)
        + f"; shipped: {name(shipped)}"
    )
    base = score((cluster_mod.THRESHOLD, 0, 0.0), everything)
    return [
        ("ECB+ look-alike pairs merged, facts rule off (seed 0)", f"{base[2][0]:.3f}"),
        ("ECB+ B-cubed F1, facts rule off (seed 0)", f"{base[0][2]:.3f}"),
        ("ECB+ B-cubed F1, tuned on all topics", f"{score(best, everything)[0][2]:.3f}"),
        (f"ECB+ B-cubed F1, {FOLDS}-fold CV over topics (held out)", f"{b[2]:.3f}"),
        (f"ECB+ look-alike pairs merged, {FOLDS}-fold CV", f"{la[0]:.3f}"),
    ]


def cross_validate(docs: list[dict], gold: list) -> list[tuple[str, str]]:
    """Two folds over topics: the threshold picked on one half, scored on the other."""
    topics = sorted({d["topic"] for d in docs}, key=int)
    halves = [set(topics[0::2]), set(topics[1::2])]
    grid = [round(x, 3) for x in np.arange(0.06, 0.1301, 0.005)]
    table = Table("threshold", "half A B³ F1", "half B B³ F1", title="Threshold, per half")
    per: dict[float, list[float]] = {}
    for th in grid:
        row = []
        for half in halves:
            idx = [i for i, d in enumerate(docs) if d["topic"] in half]
            sub = [docs[i] for i in idx]
            subgold = [gold[i] for i in idx]
            fs = [bcubed(stream_memory(sub, o, th), subgold)[2] for o in orders(len(sub), 3)]
            row.append(float(np.mean(fs)))
        per[th] = row
        table.add_row(f"{th:.3f}", f"{row[0]:.3f}", f"{row[1]:.3f}")
    console.print(table)
    pick_a = max(grid, key=lambda t: per[t][0])
    pick_b = max(grid, key=lambda t: per[t][1])
    held = (per[pick_a][1] + per[pick_b][0]) / 2
    console.print(
        f"chosen on A: {pick_a:.3f} (scores {per[pick_a][1]:.3f} on B); chosen on B: "
        f"{pick_b:.3f} (scores {per[pick_b][0]:.3f} on A); held-out mean {held:.3f}; "
        f"shipped THRESHOLD = {cluster_mod.THRESHOLD:.3f}"
    )
    return [("ECB+ B-cubed F1, threshold chosen on the other half (2-fold)", f"{held:.3f}")]


# --- one outlet's repeated text ------------------------------------------------------------
REPEAT_SETTINGS = (None, 2, 3, 5)  # None: the rule off


def outlet_repeats() -> list[tuple[str, str]]:
    """The demo's five sample outlets (40 invented articles each, five shared events,
    the rest each about its own subject) through the real stage (``cluster_records``:
    store, understanding, folding, clustering) in publication order, with the outlet
    repeated-text rule (``stories.repeats``) off and at several ``MIN_REPEATS``: wrongly
    joined pairs (one story, two subjects), how many of them one outlet's, and whether
    every shared event is still one story. The demo's outlets write every article from
    stock sentences and a closing line of their own, the case the issue complains of."""
    from broadsheet.cli_stories import cluster_records
    from broadsheet.config import Settings
    from broadsheet.demo.content import EVENTS, OUTLETS, article_body, plan_articles
    from broadsheet.store import Store

    now = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)  # as tests/demo
    articles = sorted(
        (a for o in OUTLETS for a in plan_articles(o, 40, now)),
        key=lambda a: (a.published, a.key),
    )
    records = [
        (
            n,
            {
                "id": a.key,
                "title": a.title,
                "text": "\n\n".join(article_body(a)),
                "published": a.published.isoformat(),
                "source": a.outlet.name,
                "url": f"https://{a.outlet.slug}.example{a.path}",
            },
        )
        for n, a in enumerate(articles, 1)
    ]
    table = Table(
        "MIN_REPEATS",
        "stories",
        "mixed stories",
        "wrongly joined pairs",
        "of them one outlet's",
        "largest mixed story",
        "shared events whole",
        "s",
        title=f"One outlet's repeated text ({len(articles)} demo articles, {len(OUTLETS)} "
        f"outlets, {len(EVENTS)} shared events)",
    )
    figures = []
    shipped = repeats_mod.MIN_REPEATS
    try:
        for setting in REPEAT_SETTINGS:
            repeats_mod.MIN_REPEATS = 10**9 if setting is None else setting
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings(
                    data_dir=Path(tmp), database_url=f"sqlite:///{tmp}/b.db", default_sources=False
                )
                store = Store.open(settings)
                out = cluster_records(store, settings, records)
                store.close()
            members: dict[int, list] = defaultdict(list)
            for a, o in zip(articles, out, strict=True):
                members[o["story"]].append(a)
            wrong = own = largest = mixed = 0
            for arts in members.values():
                topics = Counter(a.topic for a in arts)
                if len(topics) > 1:
                    mixed += 1
                    largest = max(largest, len(arts))
                for i, a in enumerate(arts):
                    for b in arts[:i]:
                        if a.topic != b.topic:
                            wrong += 1
                            own += a.outlet.name == b.outlet.name
            whole = sum(
                len({o["story"] for a, o in zip(articles, out, strict=True) if a.topic == e}) == 1
                for e in EVENTS
            )
            name = "off" if setting is None else str(setting)
            if setting == shipped:
                name += " (shipped)"
            table.add_row(
                name,
                str(len(members)),
                str(mixed),
                str(wrong),
                str(own),
                str(largest),
                f"{whole} of {len(EVENTS)}",
                f"{time.perf_counter() - t0:.0f}",
            )
            label = "off" if setting is None else f"MIN_REPEATS {setting}"
            if setting is None or setting == shipped:
                figures.append(
                    (f"demo: wrongly joined pairs, repeated-text rule {label}", str(wrong))
                )
    finally:
        repeats_mod.MIN_REPEATS = shipped
    console.print(table)
    return figures


# --- wire copies --------------------------------------------------------------------------
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
BOILERPLATE = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright {year} {outlet}. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "This story was published from a wire agency feed without modifications to the text.",
    "Follow {outlet} on social media for the latest updates on this and other stories.",
    "Have a news tip? Contact the {outlet} newsroom by email or through our secure form.",
]
OUTLETS = ["The Harbour Gazette", "Nordic Wire", "Daily Courier", "Valley Times", "The Ledger"]
AGENCY_LINES = ["PARIS (AFP) —", "LONDON (Reuters) -", "NEW YORK (AP) —", "BERLIN (dpa) -"]
SWAPS = {"said": "says", "told": "said to", "on Monday": "Monday", "percent": "per cent"}


def republish(text: str, title: str, rng: random.Random) -> tuple[str, str]:
    """A wire copy as another outlet runs it: realistic edits, same body."""
    sentences = SENTENCE.split(text)
    drop = rng.choice([0, 1, 1, 2]) if len(sentences) > 4 else 0  # first paragraph trimmed
    body = sentences[drop:]
    if rng.random() < 0.3 and len(body) > 6:  # the short version: the top of the story
        body = body[: max(4, int(len(body) * 0.7))]
    words = " ".join(body).split(" ")
    for _ in range(rng.randint(0, 3)):  # a few words edited or dropped
        i = rng.randrange(len(words))
        words[i] = SWAPS.get(words[i], "") if rng.random() < 0.5 else words[i]
    outlet = rng.choice(OUTLETS)
    lines = [" ".join(w for w in words if w)]
    if rng.random() < 0.5:
        lines[0] = rng.choice(AGENCY_LINES) + " " + lines[0]
    for line in rng.sample(BOILERPLATE, rng.randint(1, 2)):
        lines.append(line.format(year=2024, outlet=outlet))
    head_words = title.split()
    rng.shuffle(head_words)  # headline rewritten
    return " ".join(head_words[:12]).capitalize(), "\n\n".join(lines)


def natural_copies(docs: list[dict]) -> tuple[dict[str, str], set[str]]:
    """ECB+ already holds real wire copies (one AP text on several sites). By exact
    shingle containment: ≥ 0.8 is the same text (one gold group); 0.3–0.8 is ambiguous,
    and the later document is left out, so that every other pair is clearly distinct."""
    from broadsheet.stories.text import shingles

    sets = [shingles(d["text"]) for d in docs]
    group = {d["id"]: d["id"] for d in docs}

    def find(x: str) -> str:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    postings: dict[bytes, list[int]] = defaultdict(list)
    for i, sh in enumerate(sets):
        for g in sh:
            postings[g].append(i)
    dropped: set[str] = set()
    for i, sh in enumerate(sets):
        shared = Counter(j for g in sh for j in postings[g] if j < i)
        for j, inter in shared.items():
            c = inter / max(1, min(len(sh), len(sets[j])))
            if c >= 0.8:
                group[find(docs[i]["id"])] = find(docs[j]["id"])
            elif c >= 0.3:
                dropped.add(docs[i]["id"])
    return {d["id"]: find(d["id"]) for d in docs}, dropped


def wire_set(docs: list[dict], seed: int = 7, min_words: int = 80) -> list[dict]:
    """Originals with 1-3 edited copies each, plus every other article, shuffled."""
    rng = random.Random(seed)
    groups, dropped = natural_copies(docs)
    items: list[dict] = []
    for d in docs:
        if d["id"] in dropped:
            continue
        gid = groups[d["id"]]
        items.append({"title": d["title"], "text": d["text"], "group": gid, "copy": gid != d["id"]})
        if len(d["text"].split()) >= min_words and rng.random() < 0.5:
            for _ in range(rng.randint(1, 3)):
                title, text = republish(d["text"], d["title"], rng)
                items.append({"title": title, "text": text, "group": gid, "copy": True})
    rng.shuffle(items)
    return items


def fold_quality(docs: list[dict]) -> list[tuple[str, str]]:
    items = wire_set(docs)
    groups, dropped = natural_copies(docs)
    natural = sum(1 for d, g in groups.items() if d != g and d not in dropped)
    copies = sum(1 for i in items if i["copy"])
    table = Table(
        "min containment",
        "folds",
        "precision",
        "recall",
        "F1",
        title=f"Wire-copy folding ({len(items)} articles: {copies} copies of "
        f"{len({i['group'] for i in items if i['copy']})} texts, {natural} of them real copies "
        f"already in ECB+, {len(dropped)} partial overlaps left out, the rest distinct)",
    )
    gold_pairs = Counter(i["group"] for i in items)
    gold_total = sum(v * (v - 1) // 2 for v in gold_pairs.values())
    figures: list[tuple[str, str]] = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        folder = WireFolder(min_containment=threshold)
        root_of: dict[int, int] = {}
        for n, item in enumerate(items):
            fold, mh, size = folder.check(item["text"])
            root = fold.original if fold else n
            root_of[n] = root
            folder.add(n, mh, size, root=root)
        groups = Counter(root_of.values())
        pred_total = sum(v * (v - 1) // 2 for v in groups.values())
        both = Counter((root_of[n], item["group"]) for n, item in enumerate(items))
        tp = sum(v * (v - 1) // 2 for v in both.values())
        p = tp / pred_total if pred_total else 1.0
        r = tp / gold_total if gold_total else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        mark = " (shipped)" if abs(threshold - fold_mod.MIN_CONTAINMENT) < 1e-9 else ""
        table.add_row(
            f"{threshold:.1f}{mark}",
            str(len(items) - len(groups)),
            f"{p:.3f}",
            f"{r:.3f}",
            f"{f1:.3f}",
        )
        if mark:
            figures += [("wire folding precision", f"{p:.3f}"), ("wire folding recall", f"{r:.3f}")]
    console.print(table)
    return figures


# --- throughput ---------------------------------------------------------------------------
LABELS = ("PERSON", "ORG", "GPE", "DATE")
# One event every 30 s, about two reports each: ~6,000 articles a day. (Until 2026-11-29
# evening this was 14 s, which the docstring called 6,000 articles a day but made ~13,000,
# a window of ~190k articles.)
EVENT_SECONDS = 30.0
SYLLABLES = "ka ro mi ta ne sul var ben dor fel gan hol ix jor lum mar nov pel quin rad".split()


def synthetic_stream(docs: list[dict], n: int, seed: int = 3) -> Iterable[dict]:
    """``n`` articles in time order: distinct events told with real ECB+ sentences.

    Each event is told in nine real sentences drawn from all of ECB+, with invented names
    and a place; its reports (one to forty, most one to three) come over the next 18 hours
    and each retells five to eight of those sentences plus two others; one report in eight
    is a wire copy of an earlier one.
    """
    import heapq

    rng = random.Random(seed)
    pool = [
        s
        for d in docs
        for s in SENTENCE.split(d["title"] + " " + d["text"])
        if 6 <= len(s.split()) <= 45
    ]
    start = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
    pending: list[tuple[float, int, dict]] = []
    made = emitted = 0
    clock = start

    def name() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    while emitted < n:
        if not pending or pending[0][0] > clock:  # a new event starts now
            told = rng.sample(pool, 9)  # what this event's reports say, in real sentences
            who, where = f"{name()} {name()}", name()
            # what the understanding stage would find: the event's people, places,
            # organisations and dates (invented ids), 12-20 of them per report
            cast = [(f"person:{who.lower().replace(' ', '-')}", "PERSON", 3)]
            cast.append((f"place:{where.lower()}", "GPE", 3))
            cast += [(f"thing:{name().lower()}", rng.choice(LABELS), 1) for _ in range(22)]
            size = min(1 + int(rng.expovariate(1 / 1.6)), 40)
            first = None
            for k in range(size):
                at = clock + (0 if k == 0 else rng.uniform(0, 18 * 3600))
                if first is not None and rng.random() < 0.125:
                    text = first["text"] + "\n\nRead more on our website."
                    title = first["title"]
                else:
                    chosen = rng.sample(told, rng.randint(5, 8)) + rng.sample(pool, 2)
                    rng.shuffle(chosen)
                    chosen[0] = (
                        f"{who} said in {where} that " + chosen[0][0].lower() + chosen[0][1:]
                    )
                    text = " ".join(chosen) + f" {where} officials confirmed the account."
                    title = f"{where}: " + rng.choice(told)[:90]
                entities = cast[:2] + rng.sample(cast[2:], rng.randint(10, 18))
                item = {"title": title, "text": text, "at": at, "event": made, "entities": entities}
                first = first or item
                heapq.heappush(pending, (at, made * 100 + k, item))
            made += 1
            clock += EVENT_SECONDS
            continue
        _at, _k, item = heapq.heappop(pending)
        emitted += 1
        yield item


def stream_row(i: int, item: dict) -> dict:
    """A synthetic item as the row the stage reads from the store (article id ``i + 1``)."""
    return {
        "id": i + 1,
        "title": item["title"],
        "text": item["text"],
        "author": None,
        "sort_at": datetime.fromtimestamp(item["at"], UTC),
        "duplicate_of": None,
        "entities": item["entities"],
    }


class Ledger:
    """What the store would hold after each change: every article's story, merges
    followed, and each story's size (the stage itself remembers only the window's)."""

    def __init__(self, n: int) -> None:
        self.story = np.zeros(n + 1, dtype=np.int64)  # article id -> story (before merges)
        self.into: dict[int, int] = {}  # merged story -> the story it went into
        self.sizes: dict[int, int] = {}
        self.last_id = 0

    def permanent_ids(self, change) -> dict[int, int]:
        """Ids for the provisional stories a change names, as the store hands them out."""
        fresh = {}
        for story in {change.story, *(m[2] for m in change.moves)}:
            if story < 0:
                self.last_id += 1
                fresh[story] = self.last_id
        return fresh

    def record(self, change, fresh: dict[int, int]) -> None:
        def real(story: int) -> int:
            return fresh.get(story, story)

        for story, into in change.merges:
            self.into[real(story)] = real(into)
            self.sizes[real(into)] = self.sizes.get(real(into), 0) + self.sizes.pop(real(story), 0)
        for article, old, new in change.moves:
            self.sizes[real(old)] = self.sizes.get(real(old), 0) - 1
            self.sizes[real(new)] = self.sizes.get(real(new), 0) + 1
            self.story[article] = real(new)
        self.sizes[real(change.story)] = self.sizes.get(real(change.story), 0) + 1
        self.story[change.article_id] = real(change.story)

    def stories(self) -> int:
        return sum(1 for size in self.sizes.values() if size > 0)

    def final(self) -> list[int]:
        """Each article's story at the end (articles 1..n)."""

        def find(story: int) -> int:
            while story in self.into:
                story = self.into[story]
            return story

        return [find(s) for s in self.story[1:].tolist()]


DENSE_THRESHOLDS = (0.085, 0.12, 0.16, 0.2, 0.25)


def dense_sweep(datasets: Path, n: int = 10_000) -> list[tuple[str, str]]:
    """The threshold on a dense stream: thousands of events at once, scored against the
    generator's events. Its reports of one event are close retellings, so this tests
    keeping events apart, not keeping an event together (ECB+ tests both)."""
    from broadsheet.config import Settings
    from broadsheet.stories.state import StoryState

    items = list(synthetic_stream(load_ecb(datasets / ECB), n))
    gold = [item["event"] for item in items]
    table = Table(
        "threshold",
        "stories",
        "B³ P",
        "B³ R",
        "B³ F1",
        title=f"Dense stream: {n:,} articles, {len(set(gold)):,} events, "
        f"a new one every {EVENT_SECONDS:.0f} s",
    )
    figures = []
    for threshold in DENSE_THRESHOLDS:
        state = StoryState(Settings(data_dir=Path(tempfile.gettempdir()), default_sources=False))
        state.clusterer.threshold = threshold
        ledger = Ledger(n)
        for i, item in enumerate(items):
            change = state.cluster(stream_row(i, item))
            fresh = ledger.permanent_ids(change)
            state.renamed(fresh)
            ledger.record(change, fresh)
        p, r, f = bcubed(ledger.final(), gold)
        shipped = " (shipped)" if threshold == cluster_mod.THRESHOLD else ""
        table.add_row(
            f"{threshold}{shipped}", f"{ledger.stories():,}", f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"
        )
        if shipped:
            figures.append((f"dense stream B-cubed F1 at {n:,} (shipped threshold)", f"{f:.3f}"))
    console.print(table)
    return figures


def scale_worker(datasets: Path, n: int, store: bool) -> dict:
    """One scale in this process: articles/s per tenth of the stream, peak memory."""
    import resource

    from broadsheet.config import Settings
    from broadsheet.stories.state import StoryState

    docs = load_ecb(datasets / ECB)
    settings = Settings(data_dir=Path(tempfile.gettempdir()), default_sources=False)
    tenths: list[float] = []
    if store:
        return store_worker(docs, n, settings)
    state = StoryState(settings)
    ledger = Ledger(n)
    events = np.zeros(n, dtype=np.int64)
    spent = mark = 0.0
    step = max(1, n // 10)
    for i, item in enumerate(synthetic_stream(docs, n)):
        row = stream_row(i, item)
        started = time.perf_counter()
        change = state.cluster(row)
        fresh = ledger.permanent_ids(change)
        state.renamed(fresh)
        spent += time.perf_counter() - started
        ledger.record(change, fresh)
        events[i] = item["event"]
        if (i + 1) % step == 0:
            tenths.append(step / (spent - mark))
            mark = spent
            progress = {"done": i + 1, "rate": tenths[-1], "live": state.index.live}
            print(json.dumps(progress), file=sys.stderr, flush=True)
    total = spent  # the stage's own time: making the synthetic text is not counted
    return {
        "n": n,
        "seconds": total,
        "rate": n / total,
        "tenths": tenths,
        "stories": ledger.stories(),
        "bcubed": bcubed(ledger.final(), events.tolist())[2],
        "window_articles": state.index.live,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def store_worker(docs: list[dict], n: int, settings) -> dict:
    """The full stage with SQLite: save_article, then cluster_stored, per article."""
    import resource

    from broadsheet.extract import content_hash
    from broadsheet.models import Article
    from broadsheet.orchestrate.stories import StoryEngine, cluster_stored, flush_stories
    from broadsheet.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(
            update={"data_dir": Path(tmp), "database_url": f"sqlite:///{tmp}/s.db"}
        )
        store = Store.open(settings)
        sources = [store.add_source(f"urn:bench:{k}", f"Outlet {k}").id for k in range(50)]
        tenths: list[float] = []
        step = max(1, n // 10)
        saving = stage = stage_mark = 0.0
        stage_tenths: list[float] = []
        t0 = mark = time.perf_counter()
        for i, item in enumerate(synthetic_stream(docs, n)):
            when = datetime.fromtimestamp(item["at"], UTC)
            article = Article(
                url=f"https://bench.example/{i}",
                canonical_url=f"https://bench.example/{i}",
                title=item["title"],
                text=item["text"],
                html="",
                published=when,
                content_hash=content_hash(item["text"]),
            )
            started = time.perf_counter()
            saved = store.save_article(sources[i % 50], article, when + timedelta(minutes=5))
            if isinstance(saved, int):  # the understanding stage's entities, as ingest stores
                found = [
                    {"start": 0, "end": 0, "label": label, "text": eid, "entity_id": eid}
                    for eid, label, mentions in item["entities"]
                    for _ in range(mentions)
                ]
                store.save_understanding(saved, {"entities": found}, {"entities": "bench"})
            middle = time.perf_counter()
            if isinstance(saved, int):
                cluster_stored(store, settings, saved, wait=False)
            saving += middle - started
            stage += time.perf_counter() - middle
            if (i + 1) % step == 0:
                now = time.perf_counter()
                tenths.append(step / (now - mark))
                stage_tenths.append(step / (stage - stage_mark))
                mark, stage_mark = now, stage
        started = time.perf_counter()
        flush_stories(store, settings)
        stage += time.perf_counter() - started
        total = time.perf_counter() - t0
        started = time.perf_counter()  # a restart: a new engine rebuilds the window
        rebuilt = StoryEngine(store, settings).catch_up()
        rebuild = time.perf_counter() - started
        result = {
            "n": n,
            "seconds": total,
            "rate": n / total,
            "tenths": tenths,
            "stories": store.count_stories(),
            "window_articles": -1,
            "save_rate": n / saving,
            "stage_rate": n / stage,
            "stage_tenths": stage_tenths,
            "rebuild_seconds": rebuild,
            "rebuilt_articles": rebuilt,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        store.close()
    return result


def scaling(datasets: Path, scales: list[int], store_scales: list[int]) -> list[tuple[str, str]]:
    table = Table(
        "articles",
        "path",
        "stories",
        "B³ F1 vs events",
        "in window",
        "articles/s",
        "stage alone /s",
        "per tenth (first → last)",
        "stage alone per tenth",
        "peak RSS MB",
        "s",
        title="Throughput and memory (synthetic streams from ECB+ text)",
    )
    figures = []
    runs = [(n, False) for n in scales] + [(n, True) for n in store_scales]
    for n, with_store in runs:
        cmd = [sys.executable, __file__, str(datasets), "--scale-worker", str(n)]
        if with_store:
            cmd.append("--with-store")
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            console.print(f"[red]scale {n} failed[/red]: {done.stderr[-2000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        path = "stage + SQLite" if with_store else "stage in memory"
        table.add_row(
            f"{n:,}",
            path,
            f"{r['stories']:,}",
            f"{r['bcubed']:.3f}" if "bcubed" in r else "—",
            f"{r['window_articles']:,}" if r["window_articles"] >= 0 else "—",
            f"{r['rate']:.0f}",
            f"{r.get('stage_rate', r['rate']):.0f}",
            " ".join(f"{t:.0f}" for t in r["tenths"]),
            " ".join(f"{t:.0f}" for t in r.get("stage_tenths", r["tenths"])),
            f"{r['peak_mb']:.0f}",
            f"{r['seconds']:.0f}",
        )
        figures.append((f"articles/s at {n:,} ({path})", f"{r['rate']:.0f}"))
        if "rebuild_seconds" in r:
            figures.append(
                (
                    f"start-up rebuild at {n:,} (SQLite)",
                    f"{r['rebuild_seconds']:.0f} s for {r['rebuilt_articles']:,} articles",
                )
            )
        console.print(table)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="?", default="../shared/datasets", type=Path)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--scales", default="10000,100000,1000000")
    parser.add_argument("--store-scales", default="10000")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument(
        "--only-lookalike", action="store_true", help="only the look-alike table (ECB+)"
    )
    parser.add_argument(
        "--only-outlets", action="store_true", help="only the one-outlet repeated-text table"
    )
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--scale-worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--with-store", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.datasets / ECB
    if not (root / "gold_clusters.tsv").exists():
        print(f"skipped: {root} not found (pass the shared datasets folder)")
        return 0
    if args.scale_worker:
        print(json.dumps(scale_worker(args.datasets, args.scale_worker, args.with_store)))
        return 0
    console.print(
        f"bench/stories.py — {datetime.now(UTC):%Y-%m-%d} — {platform.machine()}"
        f", {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    figures: list[tuple[str, str]] = []
    if args.only_lookalike:
        docs = with_entities(load_ecb(root))
        figures += lookalike(docs, [d["story"] for d in docs])
        args.skip_quality = args.skip_scale = True
    if args.only_outlets:
        figures += outlet_repeats()
        args.skip_quality = args.skip_scale = True
    if not args.skip_quality:
        figures += quality(root, args.seeds)
        figures += outlet_repeats()
        figures += fold_quality(load_ecb(root))
        figures += dense_sweep(args.datasets)
    if not args.skip_scale:
        parse = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
        figures += scaling(args.datasets, parse(args.scales), parse(args.store_scales))
    summary = Table("figure", "value", title="Summary")
    for name, value in figures:
        summary.add_row(name, value)
    console.print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
