"""Extraction quality and speed: Broadsheet against plain trafilatura, same pages, one run.

    python bench/extraction.py [DATASET] [--limit N] [--every K] [--json OUT]
                               [--dump PAGES.jsonl] [--worst N] [--folds 5]

DATASET is trafilatura's own evaluation set (default ../shared/datasets/trafilatura-eval;
990 pages with hand-made "must appear" / "must not appear" segments). The metric is the
one in its SOURCE.txt (trafilatura's tests/eval_common.py): whitespace-normalised
substring matching; per page TP = "with" segments found, FN = missing, FP = "without"
segments found; summed over the corpus; P = TP/(TP+FP), R = TP/(TP+FN),
F = 2TP/(2TP+FP+FN); an extractor that fails on a page misses all of it.

"trafilatura" is plain trafilatura 2.x with the settings of its own evaluation
(``bare_extraction(html, url, with_metadata=True, include_comments=False,
include_tables=True)``: standard mode, with its readability/jusText fallbacks, metadata
included so both sides do the same work). "broadsheet" is ``broadsheet.extract.extract``,
the very function ingest runs, with no feed entry and no learned furniture (every page of
this set comes from a different site, so there is nothing to learn across pages).

Metadata gold (title, author, date) is scored on the pages whose gold value is not empty:
title: equal after case/punctuation folding or >= 0.9 similar; author: the same set of
names; date: the same calendar day (YYYY-MM-DD) as the page states it.

Errors: ``--dump`` writes one JSON line per page and extractor (segments missed, "must not
appear" segments kept, the text), ``--worst N`` prints the N pages that lose the most
segments. Generalisation: ``--folds K`` splits the pages by a hash of their site (so one
site's pages are never on both sides) and prints F per fold: a rule tuned on the whole set
shows its spread over folds (a threshold is chosen per fold on the other folds).

news-html-newspaper4k (the folder next to DATASET, when it is there) adds 30 publisher
pages in many languages and scripts (Arabic, Chinese, Japanese, Thai, Burmese, Latvian,
Spanish, US news sites, pages that are only a meta refresh). Its expected texts are
newspaper4k's own outputs, not human gold, so they are scored loosely: no crash, a word-bag
F against the expected text where there is one (characters for scripts written without
spaces), the title against the expected title. Its pages count in the time ratio.

Speed is single process, both extractors interleaved page by page (alternating which goes
first), wall time per page summed; pages/s = pages / total seconds.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASET = ROOT.parent / "shared" / "datasets" / "trafilatura-eval"
NEWSPAPER4K = "news-html-newspaper4k"
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"\W+")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|/|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)


def norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# --- the dataset --------------------------------------------------------------------------
def load_items(dataset: Path, every: int = 1, limit: int | None = None) -> list[tuple[str, dict]]:
    data = json.loads((dataset / "evaldata.json").read_text(encoding="utf-8"))
    items = sorted(data.items())[::every]
    return items[:limit] if limit else items


def page_bytes(dataset: Path, filename: str) -> bytes | None:
    for sub in ("cache", "eval"):
        path = dataset / "html" / sub / f"{filename}.gz"
        if path.is_file():
            return gzip.decompress(path.read_bytes())
    return None


def page_url(key: str, filename: str) -> str:
    """The gold key is the page's URL, except for a few local files ("hard::...")."""
    return key if re.match(r"^https?://", key) else f"https://unknown.invalid/{filename}"


# --- scoring ------------------------------------------------------------------------------
@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    pages: int = 0
    failures: int = 0
    seconds: float = 0.0
    meta: dict[str, list[int]] = field(
        default_factory=lambda: {"title": [0, 0], "author": [0, 0], "date": [0, 0]}
    )
    records: list[dict[str, Any]] = field(default_factory=list)

    def add_text(self, item: dict, text: str | None, key: str = "") -> None:
        got = norm(text) if text else None
        missed = [w for w in item["with"] if got is None or norm(w) not in got]
        kept = [w for w in item["without"] if got is not None and norm(w) in got]
        tp, fp = len(item["with"]) - len(missed), len(kept)
        self.records.append({"key": key, "fold_site": site_of(key), "tp": tp, "fp": fp,
                             "fn": len(missed), "missed": missed, "kept": kept,
                             "text": text})  # fmt: skip
        self.tp += tp
        self.fp += fp
        self.fn += len(item["with"]) - tp
        self.tn += len(item["without"]) - fp
        self.pages += 1
        self.failures += text is None

    def add_meta(self, item: dict, title: Any, author: Any, day: str | None) -> None:
        for key, ok in (("title", title_match), ("author", author_match), ("date", date_match)):
            gold = _flat(item.get(key))
            if gold:
                got = {"title": title, "author": author, "date": day}[key]
                self.meta[key][0] += bool(ok(gold, _flat(got)))
                self.meta[key][1] += 1

    def merge(self, other: Scores) -> None:
        for name in ("tp", "fp", "fn", "tn", "pages", "failures", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.records += other.records
        for key, (hits, total) in other.meta.items():
            self.meta[key][0] += hits
            self.meta[key][1] += total

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denom if denom else 0.0

    def accuracy(self, key: str) -> float:
        hits, total = self.meta[key]
        return hits / total if total else 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k not in ("meta", "records")}
        out.update(
            precision=round(self.precision, 4),
            recall=round(self.recall, 4),
            f1=round(self.f1, 4),
            pages_per_second=round(self.pages_per_second, 2),
        )
        for key in self.meta:
            out[f"{key}_accuracy"] = round(self.accuracy(key), 4)
            out[f"{key}_pages"] = self.meta[key][1]
        return out


def site_of(key: str) -> str:
    """The page's site (registered-looking domain: the host's last two labels, three for a
    short second-level label such as co.uk), the unit the folds split by."""
    host = urlsplit(key).hostname or re.split(r"-|\.html", key.split("::")[-1])[0]
    host = host.removeprefix("www.")
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def fold_of(key: str, folds: int) -> int:
    digest = hashlib.blake2b(site_of(key).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % folds


def fold_f1(records: list[dict[str, Any]], folds: int) -> list[tuple[int, float]]:
    """(pages, F) per fold of the records."""
    out = []
    for k in range(folds):
        part = [r for r in records if fold_of(r["key"], folds) == k]
        tp, fp, fn = (sum(r[n] for r in part) for n in ("tp", "fp", "fn"))
        out.append((len(part), 2 * tp / (2 * tp + fp + fn) if tp else 0.0))
    return out


def worst(records: list[dict[str, Any]], n: int) -> str:
    """The n pages that lose the most segments, with what they lose."""
    lines = []
    for r in sorted(records, key=lambda r: -(r["fp"] + r["fn"]))[:n]:
        lines.append(f"{r['key']}  tp {r['tp']} fp {r['fp']} fn {r['fn']} "
                     f"chars {len(r['text'] or '')}")  # fmt: skip
        lines += [f"    missed: {w[:100]!r}" for w in r["missed"]]
        lines += [f"    kept:   {w[:100]!r}" for w in r["kept"]]
    return "\n".join(lines)


def _flat(value: Any) -> str:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return str(value).strip() if value else ""


def _fold(text: str) -> str:
    return _NOT_WORD.sub(" ", text.casefold()).strip()


def title_match(gold: str, got: str) -> bool:
    a, b = _fold(gold), _fold(got)
    return bool(b) and (a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9)


def author_match(gold: str, got: str) -> bool:
    def names(s: str) -> set[str]:
        return {_fold(n) for n in _NAME_SPLIT.split(s) if _fold(n)}

    return bool(got) and names(gold) == names(got)


def date_match(gold: str, got: str) -> bool:
    return bool(got) and gold[:10] == got[:10]


# --- the two extractors -------------------------------------------------------------------
Result = tuple[str | None, Any, Any, str | None]  # text, title, author, day


def run_trafilatura(url: str, html: bytes) -> Result:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None:
        return None, None, None, None
    return doc.text, doc.title, doc.author, (doc.date or None)


def run_broadsheet(url: str, html: bytes) -> Result:
    from broadsheet.errors import ExtractError
    from broadsheet.extract import extract

    try:
        article = extract(url, html)
    except ExtractError:
        return None, None, None, None
    day = article.published.date().isoformat() if article.published else None
    return article.text, article.title, article.author, day


EXTRACTORS: dict[str, Callable[[str, bytes], Result]] = {
    "trafilatura": run_trafilatura,
    "broadsheet": run_broadsheet,
}


def score_pages(
    dataset: Path, items: Iterable[tuple[str, dict]], names: list[str]
) -> dict[str, Scores]:
    """Run the named extractors on every page, in this process, interleaved."""
    scores = {name: Scores() for name in names}
    for i, (key, item) in enumerate(items):
        html = page_bytes(dataset, item["file"])
        url = page_url(key, item["file"])
        order = names if i % 2 == 0 else list(reversed(names))
        for name in order:
            start = time.perf_counter()
            try:
                text, title, author, day = (
                    EXTRACTORS[name](url, html) if html else (None, None, None, None)
                )
            except Exception:  # a crash counts as a full miss, like in trafilatura's eval
                text, title, author, day = None, None, None, None
            scores[name].seconds += time.perf_counter() - start
            scores[name].add_text(item, text, key)
            scores[name].add_meta(item, title, author, day)
            scores[name].records[-1]["title"] = _flat(title)
    return scores


def _score_chunk(args: tuple[str, list[tuple[str, dict]], list[str]]) -> dict[str, Scores]:
    dataset, items, names = args
    return score_pages(Path(dataset), items, names)


def score_parallel(
    dataset: Path, items: list[tuple[str, dict]], names: list[str], processes: int
) -> dict[str, Scores]:
    """The same scores with the pages split over processes (the CI gate; not for speed)."""
    if processes <= 1:
        return score_pages(dataset, items, names)
    chunks = [items[i::processes] for i in range(processes)]
    with get_context("spawn").Pool(processes) as pool:
        parts = pool.map(_score_chunk, [(str(dataset), c, names) for c in chunks])
    total = {name: Scores() for name in names}
    for part in parts:
        for name, s in part.items():
            total[name].merge(s)
    return total


# --- news-html-newspaper4k: robustness and loose agreement --------------------------------
_WORDS = re.compile(r"\w+")


def word_bag(text: str) -> list[str]:
    """Words, and single characters of a run in a script written without spaces."""
    out: list[str] = []
    for word in _WORDS.findall(text.casefold()):
        out.extend(word if len(word) > 15 and not word.isascii() else [word])
    return out


def bag_f1(expected: str, got: str) -> float:
    from collections import Counter

    a, b = Counter(word_bag(expected)), Counter(word_bag(got))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(b.values()), common / sum(a.values())
    return 2 * precision * recall / (precision + recall)


@dataclass
class Loose:
    pages: int = 0
    crashes: int = 0
    empty: int = 0
    seconds: float = 0.0
    text_f: list[float] = field(default_factory=list)
    titles: list[int] = field(default_factory=list)


def score_newspaper4k(folder: Path, names: list[str]) -> dict[str, Loose]:
    scores = {name: Loose() for name in names}
    for i, page in enumerate(sorted((folder / "html").glob("*.html.gz"))):
        stem = page.name.removesuffix(".html.gz")
        meta_path, txt_path = folder / "metadata" / f"{stem}.json", folder / "txt" / f"{stem}.txt"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
        expected = txt_path.read_text(encoding="utf-8") if txt_path.is_file() else None
        html = gzip.decompress(page.read_bytes())
        url = meta.get("url") or f"https://unknown.invalid/{stem}"
        for name in names if i % 2 == 0 else list(reversed(names)):
            start = time.perf_counter()
            crashed = False
            try:
                text, title, _author, _day = EXTRACTORS[name](url, html)
            except Exception:
                text, title, crashed = None, None, True
            s = scores[name]
            s.seconds += time.perf_counter() - start
            s.pages += 1
            s.crashes += crashed
            s.empty += not text
            if expected and expected.strip():
                s.text_f.append(bag_f1(expected, text or ""))
            if meta.get("title"):
                s.titles.append(int(title_match(meta["title"], _flat(title))))
    return scores


def loose_table(scores: dict[str, Loose]) -> str:
    head = (f"{'extractor':<12} {'pages':>5} {'crash':>5} {'empty':>5} {'textF':>6} "
            f"{'title':>6} {'pages/s':>8}")  # fmt: skip
    lines = [head, "-" * len(head)]
    for name, s in scores.items():
        mean_f = sum(s.text_f) / len(s.text_f) if s.text_f else 0.0
        title = sum(s.titles) / len(s.titles) if s.titles else 0.0
        rate = s.pages / s.seconds if s.seconds else 0.0
        lines.append(f"{name:<12} {s.pages:5d} {s.crashes:5d} {s.empty:5d} {mean_f:6.3f} "
                     f"{title:6.3f} {rate:8.2f}")  # fmt: skip
    return "\n".join(lines)


# --- the table ----------------------------------------------------------------------------
def table(scores: dict[str, Scores]) -> str:
    head = (f"{'extractor':<12} {'P':>6} {'R':>6} {'F':>6} {'title':>6} {'author':>6} "
            f"{'date':>6} {'pages/s':>8} {'fail':>5}")  # fmt: skip
    lines = [head, "-" * len(head)]
    for name, s in scores.items():
        lines.append(
            f"{name:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.4f} {s.accuracy('title'):6.3f} "
            f"{s.accuracy('author'):6.3f} {s.accuracy('date'):6.3f} {s.pages_per_second:8.2f} "
            f"{s.failures:5d}"
        )
    return "\n".join(lines)


def targets(scores: dict[str, Scores]) -> list[tuple[str, bool, str]]:
    b, t = scores["broadsheet"], scores["trafilatura"]
    ratio = (b.seconds / b.pages) / (t.seconds / t.pages) if t.seconds and b.pages else 0.0
    return [
        ("F >= trafilatura F + 0.02", b.f1 >= t.f1 + 0.02, f"{b.f1:.4f} vs {t.f1 + 0.02:.4f}"),
        ("date accuracy >= 0.90", b.accuracy("date") >= 0.90, f"{b.accuracy('date'):.3f}"),
        ("title accuracy >= 0.95", b.accuracy("title") >= 0.95, f"{b.accuracy('title'):.3f}"),
        ("time/page <= 1.3 x trafilatura", ratio <= 1.3, f"{ratio:.2f} x"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--limit", type=int, default=None, help="first N pages only")
    parser.add_argument("--every", type=int, default=1, help="every K-th page only")
    parser.add_argument("--only", choices=sorted(EXTRACTORS), default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--skip-newspaper4k", action="store_true", help="trafilatura-eval only")
    parser.add_argument("--dump", type=Path, default=None, help="per-page JSON lines here")
    parser.add_argument("--worst", type=int, default=0, help="print the N worst pages")
    parser.add_argument("--folds", type=int, default=0, help="F per fold of sites")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="split pages over processes (quality only: speed needs 1)",
    )
    args = parser.parse_args(argv)
    if not (args.dataset / "evaldata.json").is_file():
        print(f"skipped: no dataset at {args.dataset} (evaldata.json missing)")
        return 0
    items = load_items(args.dataset, args.every, args.limit)
    names = [args.only] if args.only else ["trafilatura", "broadsheet"]
    started = time.strftime("%Y-%m-%d")
    scores = score_parallel(args.dataset, items, names, args.processes)
    mode = "single process" if args.processes <= 1 else f"{args.processes} processes"
    print(f"trafilatura-eval, {len(items)} pages, {started}, {mode}")
    print(table(scores))
    loose_folder = args.dataset.parent / NEWSPAPER4K
    loose = None
    if not args.skip_newspaper4k and (loose_folder / "html").is_dir():
        loose = score_newspaper4k(loose_folder, names)
        print(f"\n{NEWSPAPER4K}, {loose[names[0]].pages} pages (expected texts: newspaper4k's)")
        print(loose_table(loose))
    if len(names) == 2:
        for label, ok, detail in targets(scores):
            print(f"  [{'x' if ok else ' '}] {label}: {detail}")
        if loose:
            b, t = scores["broadsheet"], scores["trafilatura"]
            lb, lt = loose["broadsheet"], loose["trafilatura"]
            both = ((b.seconds + lb.seconds) / (b.pages + lb.pages)) / (
                (t.seconds + lt.seconds) / (t.pages + lt.pages)
            )
            print(f"  time/page over both sets: {both:.2f} x trafilatura")
    for name, s in scores.items():
        if args.folds:
            per = fold_f1(s.records, args.folds)
            print(f"{name} F per fold of sites: "
                  + ", ".join(f"{f:.4f} ({n} pages)" for n, f in per))  # fmt: skip
        if args.worst:
            print(f"--- {name}: the {args.worst} worst pages\n{worst(s.records, args.worst)}")
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for name, s in scores.items():
                for record in s.records:
                    out.write(json.dumps({"extractor": name, **record}, ensure_ascii=False))
                    out.write("\n")
    if args.json:
        figures = {"date": started, "pages": len(items)}
        figures.update({name: s.summary() for name, s in scores.items()})
        if loose:
            figures[NEWSPAPER4K] = {name: asdict(s) for name, s in loose.items()}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
