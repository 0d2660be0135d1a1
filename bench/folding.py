"""Benchmark wire-copy folding on shortened copies and hard negatives.

    .venv/bin/python bench/folding.py [DATASETS] [--seed 11]

DATASETS defaults to ../shared/datasets (ECB+ and CNN/DM texts); without them the script
says so and exits 0. Nothing is written anywhere: the copies are made in memory.

Each source document is cut into paragraphs of one to three sentences. Half of the
documents are run as wire originals with one or two copies each, cut the way
republishers cut them: a third to two thirds of the paragraphs kept, always the lead;
the rest dropped from the end, from the middle, or here and there; a new headline;
sometimes an agency dateline, a local paragraph (real sentences of an unrelated
document), the outlet's sign-off line, or a word edited. One group in five has a copy
stored *before* its original (feeds are polled out of order). Hard negatives, which must
not fold: original reporting (another document of the same ECB+ topic, so the same
vocabulary) quoting one or two paragraphs of an original, inside its own text; and
articles of one agency ending in the same boilerplate paragraph (three to six different
documents each). Every other document is a distinct article. ECB+'s own copies of one
AP text are one gold group (``bench/stories.py``'s ``natural_copies``).

Scores are pairwise precision and recall of "same text" over the whole stream, per
containment threshold, and the number of hard negatives folded. The threshold is chosen
by two-fold cross-validation over source documents: the documents are split in two
halves (by a hash of their id), each half generates and streams its own set, the
threshold with the best F1 on one half is scored on the other.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stories import ECB, SENTENCE, load_ecb, natural_copies  # noqa: E402

from broadsheet.stories import fold as fold_mod  # noqa: E402
from broadsheet.stories.fold import WireFolder  # noqa: E402

console = Console(width=150)
CNNDM = "summarization-cnndm/cnndm_dev_125.jsonl"
THRESHOLDS = (0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8)
DATELINES = ["PARIS (AFP) —", "LONDON (Reuters) -", "NEW YORK (AP) —", "BERLIN (dpa) -"]
SIGN_OFFS = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "This story was published from a wire agency feed without modifications to the text.",
    "Follow us on social media for the latest updates on this and other stories.",
]
# "about the agency" and standing background paragraphs, as agencies append them
BOILERPLATE = [
    "The Associated Press is an independent global news organization dedicated to factual "
    "reporting. Founded in 1846, it remains the most trusted source of fast, accurate, "
    "unbiased news in all formats and the essential provider of the technology and services "
    "vital to the news business.",
    "This article was produced by the agency's international desk. It may be republished "
    "by subscribers under the terms of their licence; reproduction by others, in print or "
    "online, in whole or in part, is forbidden without the written consent of the agency.",
    "The agency's coverage of the region is supported by its network of correspondents in "
    "more than forty countries. Readers with information about this story can contact the "
    "desk in confidence through the secure form on the agency's website.",
]


def paragraphs(text: str, rng: random.Random) -> list[str]:
    """Sentences grouped one to three to a paragraph (the data sets carry no breaks)."""
    sentences = [s for s in SENTENCE.split(text.strip()) if s]
    out: list[str] = []
    while sentences:
        k = rng.choice((1, 2, 2, 3))
        out.append(" ".join(sentences[:k]))
        sentences = sentences[k:]
    return out


def load_sources(datasets: Path) -> list[dict]:
    """ECB+ documents (minus the partial overlaps ``natural_copies`` leaves out) and CNN/DM."""
    docs = load_ecb(datasets / ECB)
    groups, dropped = natural_copies(docs)
    out = [
        {"id": d["id"], "text": d["text"], "topic": d["topic"], "group": groups[d["id"]]}
        for d in docs
        if d["id"] not in dropped
    ]
    path = datasets / CNNDM
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            out.append({"id": d["id"], "text": d["article"], "topic": "cnndm", "group": d["id"]})
    return out


def shorten(paras: list[str], rng: random.Random, filler: list[str]) -> tuple[str, str]:
    """A republisher's cut: the lead kept, a third to two thirds of the paragraphs."""
    n = len(paras)
    keep = max(2, round(n * rng.uniform(1 / 3, 2 / 3)))
    mode = rng.choice(("end", "middle", "scattered"))
    if mode == "end":
        kept = list(range(keep))
    elif mode == "middle":
        head = max(1, keep // 2 + rng.randint(0, keep // 2))
        kept = list(range(head)) + list(range(n - (keep - head), n))
    else:
        kept = [0] + sorted(rng.sample(range(1, n), keep - 1))
    body = [paras[i] for i in sorted(set(kept))]
    if rng.random() < 0.4:  # a local paragraph, anywhere after the lead
        body.insert(rng.randint(1, len(body)), " ".join(rng.sample(filler, rng.randint(1, 2))))
    if rng.random() < 0.3:
        body[0] = rng.choice(DATELINES) + " " + body[0]
    if rng.random() < 0.3:
        body.append(rng.choice(SIGN_OFFS))
    words = "\n\n".join(body).split(" ")
    for _ in range(rng.randint(0, 2)):  # a word edited
        i = rng.randrange(len(words))
        words[i] = words[i].upper() if rng.random() < 0.5 else ""
    return mode, " ".join(w for w in words if w)


def make_set(sources: list[dict], seed: int) -> list[dict]:
    """The stream: originals, copies, hard negatives and distinct articles, in order.

    Each item: text, group (gold: same text), kind (original, copy, quote, boilerplate,
    article) and the order it is stored in."""
    rng = random.Random(seed)
    filler = [s for d in sources for s in SENTENCE.split(d["text"]) if 8 <= len(s.split()) <= 30]
    by_topic: dict[str, list[int]] = {}
    for i, d in enumerate(sources):
        by_topic.setdefault(d["topic"], []).append(i)
    role: dict[int, str] = {}
    size = Counter(d["group"] for d in sources)  # ECB+'s own copies of one text: a group
    paras = [paragraphs(d["text"], rng) for d in sources]
    words = [len(d["text"].split()) for d in sources]
    for i in rng.sample(range(len(sources)), len(sources)):
        if len(paras[i]) >= 4 and words[i] >= 120 and rng.random() < 0.5:
            role[i] = "original"
    # original reporting on the same topic quoting one or two paragraphs of an original
    # (the quoting article stands in for that document: its plain text is not run)
    quoting: dict[int, int] = {}
    for i in [i for i in range(len(sources)) if role.get(i) == "original"]:
        mates = [
            j
            for j in by_topic[sources[i]["topic"]]
            if j not in role and words[j] >= 150 and size[sources[j]["group"]] == 1
        ]
        if mates and rng.random() < 0.5:
            j = rng.choice(mates)
            role[j] = "quote"
            quoting[j] = i
    # one agency's different articles, each ending in the same boilerplate paragraph
    boiler: dict[int, str] = {}
    for line in BOILERPLATE * 4:
        hosts = [i for i in range(len(sources)) if i not in role and words[i] >= 120]
        for i in rng.sample(hosts, rng.randint(3, 6)):
            role[i] = "boilerplate"
            boiler[i] = line
    items: list[tuple[float, dict]] = []
    for i, d in enumerate(sources):
        kind = role.get(i, "article")
        text = d["text"]
        if kind == "quote":
            own, source = paras[i], paras[quoting[i]]
            k = rng.choice((1, 1, 2))
            start = rng.randrange(0, len(source) - k + 1)  # the lead may be quoted too
            while k > 1 and 2 * sum(map(len, source[start : start + k])) > len(d["text"]):
                k -= 1  # quoted: at most half as much as the article's own text
            at = rng.randint(1, max(1, len(own)))
            text = "\n\n".join(own[:at] + source[start : start + k] + own[at:])
        elif kind == "boilerplate":
            text = text + "\n\n" + boiler[i]
        at = rng.random()
        items.append((at, {"text": text, "group": d["group"], "kind": kind}))
        if kind != "original":
            continue
        early = rng.random() < 0.2  # the first copy is stored before its original
        for _ in range(rng.randint(1, 2)):
            mode, text = shorten(paras[i], rng, filler)
            when = at - rng.uniform(0.0, 0.02) if early else at + rng.uniform(0.0, 0.2)
            items.append((when, {"text": text, "group": d["group"], "kind": f"copy/{mode}"}))
            early = False
    items.sort(key=lambda x: x[0])
    return [item for _at, item in items]


def stream(items: list[dict], threshold: float, **rule: float) -> tuple[list[int], float]:
    """Each item through a folder in order; the root each one is filed under, and the
    folder.s own CPU time (check + add). ``rule``: the folder's other settings, if it has
    them (the ablations)."""
    folder = WireFolder(min_containment=threshold, **rule)
    root_of: list[int] = []
    spent = 0.0
    for n, item in enumerate(items):
        started = time.process_time()
        fold, mh, size = folder.check(item["text"], source=n)
        root = fold.original if fold else n
        folder.add(n, mh, size, root=root, source=n)
        spent += time.process_time() - started
        root_of.append(root)
    return root_of, spent


def score(items: list[dict], root_of: list[int]) -> dict:
    def pairs(c: Counter) -> int:
        return sum(v * (v - 1) // 2 for v in c.values())

    gold = pairs(Counter(i["group"] for i in items))
    pred = pairs(Counter(root_of))
    tp = pairs(Counter(zip(root_of, (i["group"] for i in items), strict=True)))
    p = tp / pred if pred else 1.0
    r = tp / gold if gold else 1.0
    size = Counter(root_of)
    groups_of: dict[int, set[str]] = {}
    for n, i in enumerate(items):
        groups_of.setdefault(root_of[n], set()).add(i["group"])
    # a negative folded: filed with an article of another text
    folded = Counter(i["kind"] for n, i in enumerate(items) if len(groups_of[root_of[n]]) > 1)
    missed = Counter(
        i["kind"]
        for n, i in enumerate(items)
        if i["kind"].startswith("copy") and root_of[n] == n and size[n] == 1
    )
    return {
        "p": p,
        "r": r,
        "f": 2 * p * r / (p + r) if p + r else 0.0,
        "false_quote": folded["quote"],
        "false_boiler": folded["boilerplate"],
        "missed": missed,
    }


def half_of(doc_id: str) -> int:
    return hashlib.sha1(doc_id.encode()).digest()[0] & 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="?", default="../shared/datasets", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if not (args.datasets / ECB / "gold_clusters.tsv").exists():
        print(f"skipped: {args.datasets / ECB} not found (pass the shared datasets folder)")
        return 0
    sources = load_sources(args.datasets)
    halves = [[d for d in sources if half_of(d["id"]) == h] for h in (0, 1)]
    sets = {"all": make_set(sources, args.seed)}
    sets |= {f"half {'AB'[h]}": make_set(halves[h], args.seed + 1 + h) for h in (0, 1)}
    results: dict[str, dict[float, dict]] = {}
    for name, items in sets.items():
        kinds = Counter(i["kind"].split("/")[0] for i in items)
        table = Table(
            "min containment",
            "precision",
            "recall",
            "F1",
            "quotes folded",
            "boilerplate folded",
            "copies missed (by cut)",
            "folder s",
            title=f"Shortened wire copies, {name}: {len(items)} articles "
            + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
        )
        results[name] = {}
        for th in THRESHOLDS:
            root_of, secs = stream(items, th)
            s = score(items, root_of)
            s["secs"] = secs
            results[name][th] = s
            mark = " (shipped)" if abs(th - fold_mod.MIN_CONTAINMENT) < 1e-9 else ""
            table.add_row(
                f"{th:.2f}{mark}",
                f"{s['p']:.3f}",
                f"{s['r']:.3f}",
                f"{s['f']:.3f}",
                str(s["false_quote"]),
                str(s["false_boiler"]),
                " ".join(f"{k[5:]} {v}" for k, v in sorted(s["missed"].items())) or "—",
                f"{secs:.2f}",
            )
        console.print(table)
    if hasattr(fold_mod, "MIN_LEAD"):  # ablations of the containment rule, whole set
        table = Table("rule at the shipped threshold", "precision", "recall", "F1")
        for name, rule in (
            ("shipped", {}),
            ("without the lead test", {"min_lead": 0.0}),
            ("without the reverse direction (original after its copy)", {"min_share": 2.0}),
        ):
            s = score(sets["all"], stream(sets["all"], fold_mod.MIN_CONTAINMENT, **rule)[0])
            table.add_row(name, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}")
        console.print(table)
    a, b = results["half A"], results["half B"]
    pick_a = max(THRESHOLDS, key=lambda t: (a[t]["f"], -abs(t - 0.5)))
    pick_b = max(THRESHOLDS, key=lambda t: (b[t]["f"], -abs(t - 0.5)))
    held_p = (b[pick_a]["p"] + a[pick_b]["p"]) / 2
    held_r = (b[pick_a]["r"] + a[pick_b]["r"]) / 2
    shipped = results["all"][fold_mod.MIN_CONTAINMENT]
    n = len(sets["all"])
    console.print(
        f"chosen on A: {pick_a:.2f} (on B: P {b[pick_a]['p']:.3f} R {b[pick_a]['r']:.3f}); "
        f"chosen on B: {pick_b:.2f} (on A: P {a[pick_b]['p']:.3f} R {a[pick_b]['r']:.3f}); "
        f"cross-validated P {held_p:.3f} R {held_r:.3f}; shipped "
        f"{fold_mod.MIN_CONTAINMENT:.2f} on the whole set: P {shipped['p']:.3f} "
        f"R {shipped['r']:.3f}; folder {n / shipped['secs']:.0f} articles/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
