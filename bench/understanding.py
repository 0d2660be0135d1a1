"""Benchmark the understanding stage: entities, summaries, topics, throughput, memory.

    .venv/bin/python bench/understanding.py [DATASETS_DIR] [--only ner,fr,summary,topics,speed]

DATASETS_DIR defaults to ../shared/datasets (relative to the repository root). It reads
ner-conll2003/ (CoNLL-2003 English dev set) and summarization-cnndm/ (125 CNN/Daily Mail
stories); a missing folder skips its part. Nothing is copied or written.

- NER: every CoNLL document goes through the code behind ``broadsheet entities``
  (language detection, case repair, spaCy, clean-up); exact-span micro F1 after mapping
  spaCy's labels (PERSON→PER, ORG→ORG, GPE/LOC/FAC→LOC, NORP/EVENT/PRODUCT/WORK_OF_ART/
  LAW/LANGUAGE→MISC; other labels are not names and are dropped).
- Summaries: ROUGE-1/2/Lsum F1 (rouge-score, stemming on) of ``summarize`` and of Lead-3,
  both over the same sentence splitter, in the same run.
- Topics: agreement with the section in each CNN/DM story's URL (/sport/, /politics/…),
  where the section maps onto the taxonomy.
- French (``--only fr``): no French NER gold is in the shared data sets, so this is a
  smoke check, not a score: twelve sentences written for this benchmark (invented news,
  people / places / organisations marked by hand) through the whole stage, plus the
  resident memory of one process after English articles and again after its first French
  article (the French pipeline loads only then).
- Speed: the whole understanding stage over CNN/DM stories cut to 600 words, in one
  process and in two, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from broadsheet.config import Settings
from broadsheet.understand.annotate import entity_records
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.sentences import split_sentences
from broadsheet.understand.summary import summarize

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"
LABELS = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
SECTIONS = {  # URL section -> taxonomy topic
    "sport": "sport", "football": "sport", "tennis": "sport", "golf": "sport",
    "politics": "politics", "health": "health", "sciencetech": "science",
    "science": "science", "tech": "technology", "travel": "culture",
    "tvshowbiz": "culture", "showbiz": "culture", "entertainment": "culture",
    "money": "business", "business": "business",
}  # fmt: skip
console = Console()


# --- NER -------------------------------------------------------------------------------------
def conll_documents(path: Path) -> list[tuple[str, set[tuple[int, int, str]]]]:
    docs: list[tuple[str, set[tuple[int, int, str]]]] = []
    lines: list[str] = []
    gold: set[tuple[int, int, str]] = set()
    sentence: list[tuple[str, str]] = []
    pos = 0

    def flush_sentence() -> None:
        nonlocal pos, sentence
        if not sentence:
            return
        if lines:
            pos += 1  # the newline between sentences
        offsets = []
        for i, (token, _) in enumerate(sentence):
            if i:
                pos += 1
            offsets.append((pos, pos + len(token)))
            pos += len(token)
        lines.append(" ".join(t for t, _ in sentence))
        start = None
        for i, (_, tag) in enumerate([*sentence, ("", "O")]):
            if start is not None and not tag.startswith("I-"):
                gold.add((offsets[start][0], offsets[i - 1][1], sentence[start][1][2:]))
                start = None
            if tag.startswith("B-"):
                start = i
        sentence = []

    def flush_doc() -> None:
        nonlocal lines, gold, pos
        flush_sentence()
        if lines:
            docs.append(("\n".join(lines), gold))
        lines, gold, pos = [], set(), 0

    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("-DOCSTART-"):
            flush_doc()
        elif not raw.strip():
            flush_sentence()
        else:
            parts = raw.split()
            sentence.append((parts[0], parts[-1]))
    flush_doc()
    return docs


def bench_ner(root: Path, pipelines: Pipelines, table: Table) -> None:
    path = root / "ner-conll2003" / "conll2003_eng_dev.txt"
    if not path.is_file():
        console.print(f"{path} not found: NER skipped")
        return
    docs = conll_documents(path)
    started = time.perf_counter()
    results = entity_records(pipelines, ({"id": i, "text": t} for i, (t, _) in enumerate(docs)))
    elapsed = time.perf_counter() - started
    tp = fp = fn = 0
    per_label: Counter[str] = Counter()
    for (_text, gold), result in zip(docs, results, strict=True):
        predicted = {
            (e["start"], e["end"], LABELS[e["label"]])  # type: ignore[index]
            for e in result["entities"]  # type: ignore[attr-defined]
            if e["label"] in LABELS
        }
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
        for _, _, label in predicted & gold:
            per_label[label] += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    table.add_row(
        "NER, CoNLL-2003 dev (exact span, micro)",
        f"{len(docs)} docs",
        f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}",
        "target F1 ≥ 0.75 (issue 15)",
        f"{elapsed:.1f} s",
    )


# --- French -------------------------------------------------------------------------------
# Written for this benchmark (not from any data set): (sentence, [(name, PER/ORG/LOC)]).
FRENCH = [
    ("Emmanuel Macron a reçu Olaf Scholz à l'Élysée mardi soir.",
     [("Emmanuel Macron", "PER"), ("Olaf Scholz", "PER"), ("Élysée", "LOC")]),
    ("La SNCF annonce des grèves à Lyon et à Marseille la semaine prochaine.",
     [("SNCF", "ORG"), ("Lyon", "LOC"), ("Marseille", "LOC")]),
    ("Selon l'Insee, le chômage a reculé en Bretagne au troisième trimestre.",
     [("Insee", "ORG"), ("Bretagne", "LOC")]),
    ("Anne Hidalgo, maire de Paris, a inauguré un nouveau pont sur la Seine.",
     [("Anne Hidalgo", "PER"), ("Paris", "LOC"), ("Seine", "LOC")]),
    ("Le groupe Renault va supprimer deux mille postes en Espagne.",
     [("Renault", "ORG"), ("Espagne", "LOC")]),
    ("Kylian Mbappé a marqué deux buts contre le Portugal samedi.",
     [("Kylian Mbappé", "PER"), ("Portugal", "LOC")]),
    ("Le tribunal de Bordeaux a condamné l'ancien directeur de la banque Crédit Agricole.",
     [("Bordeaux", "LOC"), ("Crédit Agricole", "ORG")]),
    ("L'Organisation mondiale de la santé s'inquiète d'une épidémie au Sénégal.",
     [("Organisation mondiale de la santé", "ORG"), ("Sénégal", "LOC")]),
    ("Marine Le Pen et Jordan Bardella ont tenu un meeting à Perpignan.",
     [("Marine Le Pen", "PER"), ("Jordan Bardella", "PER"), ("Perpignan", "LOC")]),
    ("Airbus a livré cent appareils depuis son usine de Toulouse.",
     [("Airbus", "ORG"), ("Toulouse", "LOC")]),
    ("Le Premier ministre belge a rencontré les syndicats à Bruxelles.",
     [("Bruxelles", "LOC")]),
    ("Christine Lagarde, présidente de la Banque centrale européenne, a parlé à Francfort.",
     [("Christine Lagarde", "PER"), ("Banque centrale européenne", "ORG"), ("Francfort", "LOC")]),
]  # fmt: skip
FR_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def bench_french(stories: list[dict[str, str]], table: Table) -> None:
    """Memory in a fresh process: English articles first, then French ones."""
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        english = _articles(stories)[:40] if stories else []
        out = pool.apply(_french_worker, (english,))
    tp, fp, fn, rss_en, rss_fr, seconds, misses = out
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    table.add_row(
        "French smoke check (12 sentences written for this bench)",
        f"{tp + fn} names",
        f"P {p:.2f}  R {r:.2f}  F1 {f:.2f}",
        "a smoke check, not a score",
        f"{seconds:.1f} s",
    )
    table.add_row(
        "RSS: after English articles → after the first French one",
        "",
        f"{rss_en:.0f} MiB → {rss_fr:.0f} MiB (×{rss_fr / rss_en:.2f})",
        "< ×2",
        "",
    )
    if misses:
        console.print("French misses/extras: " + "; ".join(misses))


def _french_worker(english: list[tuple[str, str]]) -> tuple:
    from broadsheet.understand.stage import understand_texts

    pipelines = Pipelines(Settings().spacy_models)
    if english:
        understand_texts(pipelines, english)
    rss_en = _rss_mib()
    started = time.perf_counter()
    results = understand_texts(pipelines, [("", s) for s, _ in FRENCH])
    seconds = time.perf_counter() - started
    rss_fr = _rss_mib()
    tp = fp = fn = 0
    misses: list[str] = []
    for (_sentence, gold), result in zip(FRENCH, results, strict=True):
        found = {(m.text, FR_LABELS[m.label]) for m in result.entities if m.label in FR_LABELS}
        want = set(gold)
        tp += len(found & want)
        fp += len(found - want)
        fn += len(want - found)
        misses += [f"-{t}/{lab}" for t, lab in want - found]
        misses += [f"+{t}/{lab}" for t, lab in found - want]
    return tp, fp, fn, rss_en, rss_fr, seconds, misses


# --- summaries -------------------------------------------------------------------------------
def cnndm(root: Path) -> list[dict[str, str]]:
    path = root / "summarization-cnndm" / "cnndm_dev_125.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def bench_summaries(stories: list[dict[str, str]], table: Table) -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals: dict[str, Counter[str]] = {"summarize": Counter(), "Lead-3": Counter()}
    for story in stories:
        reference = "\n".join(s.strip() for s in story["reference"].split(" . ") if s.strip())
        sentences = split_sentences(story["article"])
        ours = summarize("", story["article"])
        candidates = {
            "summarize": "\n".join(sentences[i].text for i in ours.summary_sentences),
            "Lead-3": "\n".join(s.text for s in sentences[:3]),
        }
        for name, candidate in candidates.items():
            for metric, score in scorer.score(reference, candidate).items():
                totals[name][metric] += score.fmeasure
    n = len(stories)
    for name, total in totals.items():
        figures = " / ".join(f"{100 * total[m] / n:.2f}" for m in ("rouge1", "rouge2", "rougeLsum"))
        goal = "beat Lead-3 on R-1 and R-2" if name == "summarize" else "baseline"
        table.add_row(f"summary: {name} (ROUGE-1/2/Lsum F1)", f"{n} stories", figures, goal, "")


# --- topics ----------------------------------------------------------------------------------
def bench_topics(stories: list[dict[str, str]], table: Table) -> None:
    from broadsheet.understand.topics import classify

    hits = total = 0
    for story in stories:
        parts = story.get("url", "").lower().split("/")
        expected = next((SECTIONS[p] for p in parts if p in SECTIONS), None)
        if expected is None:
            continue
        total += 1
        found = classify("", story["article"], [])
        hits += bool(found) and found[0].topic == expected
    share = hits / total if total else 0.0
    table.add_row(
        "topics: top topic = URL section", f"{total} stories", f"{share:.1%}", "measured", ""
    )


# --- speed -----------------------------------------------------------------------------------
def _articles(stories: list[dict[str, str]], words: int = 600) -> list[tuple[str, str]]:
    out = []
    for story in stories:
        text = story["article"].split()
        while len(text) < words:
            text = text + text
        out.append(("", " ".join(text[:words])))
    return out


def _run_stage(batch: list[tuple[str, str]]) -> int:
    from broadsheet.understand.stage import understand_texts

    settings = Settings()
    return len(understand_texts(Pipelines(settings.spacy_models), batch))


def bench_speed(stories: list[dict[str, str]], table: Table, rounds: int = 3) -> None:
    articles = _articles(stories) * rounds  # several seconds per process: a steady rate
    _run_stage(articles[:4])  # load everything once
    started = time.perf_counter()
    _run_stage(articles)
    one = len(articles) / (time.perf_counter() - started)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2, initializer=_run_stage, initargs=(articles[:2],)) as pool:
        pool.map(_run_stage, [articles[:2], articles[:2]], chunksize=1)
        started = time.perf_counter()
        halves = [articles[0::2], articles[1::2]]
        pool.map(_run_stage, halves, chunksize=1)
        two = len(articles) / (time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.add_row(
        "throughput, whole stage, 600-word articles",
        f"{len(articles)} articles",
        f"1 process {one:.1f}/s · 2 processes {two:.1f}/s",
        "≥ 15 /s on 2 cores",
        "",
    )
    table.add_row("peak memory (one process)", "", f"{peak:.0f} MiB", "", "")


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("datasets", nargs="?", type=Path, default=DEFAULT)
    args.add_argument("--only", default="ner,fr,summary,topics,speed")
    opts = args.parse_args(argv)
    parts = set(opts.only.split(","))
    if not opts.datasets.is_dir():
        console.print(f"datasets {opts.datasets} not found: nothing to benchmark (skipped)")
        return 0
    table = Table("what", "data", "result", "goal", "time")
    table.title = f"Understanding benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    table.caption = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    pipelines = Pipelines(Settings().spacy_models)
    if "ner" in parts:
        bench_ner(opts.datasets, pipelines, table)
    stories = cnndm(opts.datasets)
    if "fr" in parts:
        bench_french(stories, table)
    if not stories and parts & {"summary", "topics", "speed"}:
        console.print("summarization-cnndm not found: summaries, topics and speed skipped")
    elif stories:
        if "summary" in parts:
            bench_summaries(stories, table)
        if "topics" in parts:
            bench_topics(stories, table)
        if "speed" in parts:
            bench_speed(stories, table)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
