"""bench/web.py end to end at a tiny scale, on an invented corpus (no data sets needed):
it fills a store, serves it from a separate web process, loads every page type it finds
from a separate load-generator process, and prints its table."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from tests.support.postgres import pythonpath

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Royal Society", "London Council"]
WORDS = {
    "en": "the minister said on monday that the election police court market team match "
    "government economy weather storm players bank company shares vote parliament".split(),
    "de": "die regierung sagte am montag dass die wahl polizei gericht markt mannschaft "
    "spiel wirtschaft wetter sturm spieler bank firma aktien abstimmung".split(),
}
CORE_PAGES = {"home", "article", "story", "entity", "place", "topic"}


def _corpus(path: Path) -> None:
    """Made-up documents: sentences of common words around a few capitalised names."""
    rng = random.Random(7)
    lines = []
    for lang, words in WORDS.items():
        for d in range(20):
            sentences = [
                " ".join([rng.choice(NAMES), *rng.sample(words, 9)]).capitalize() + "."
                for _ in range(12)
            ]
            title = f"{rng.choice(NAMES)} {' '.join(rng.sample(words, 5))} {d}"
            lines.append(json.dumps({"lang": lang, "title": title, "sentences": sentences}))
    path.write_text("\n".join(lines), encoding="utf-8")


def test_web_bench_runs_end_to_end_on_a_tiny_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    results = tmp_path / "results.json"
    env = dict(os.environ, PYTHONPATH=pythonpath(ROOT / "src"))
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), str(tmp_path / "no-datasets"),
            "--articles", "300", "--corpus", str(corpus), "--data-dir", str(tmp_path / "store"),
            "--clients", "1,3", "--seconds", "0.4", "--warmup", "2", "--sample", "50",
            "--settle", "0.2", "--json", str(results),
        ],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Web pages: latency (ms), throughput" in done.stdout
    found = json.loads(results.read_text(encoding="utf-8"))
    served = {page for page, choice in found["pages"].items() if choice["template"]}
    assert CORE_PAGES <= served
    for clients in ("1", "3"):
        for page in served:
            measured = found["results"][clients][page]
            assert measured["requests"] > 0
            assert set(measured["statuses"]) == {"200"}, (page, measured["statuses"])
    assert found["manifest"]["articles"] == 300 and found["manifest"]["stories"] > 1
    assert "neither spaCy nor scikit-learn" in found["facts"]["web process"]

    # the filled store is kept: a second run serves it without filling again
    again = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), "--articles", "300",
            "--data-dir", str(tmp_path / "store"), "--reuse", "--fill-only",
        ],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reusing the store" in again.stdout and "filled 300" not in again.stdout

    # a directory the bench did not fill is never emptied, even when asked to refill
    real = tmp_path / "real-data-dir"
    real.mkdir()
    (real / "broadsheet.db").write_bytes(b"someone's articles")
    refused = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), "--articles", "300",
            "--corpus", str(corpus), "--data-dir", str(real), "--fresh", "--fill-only",
        ],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert refused.returncode != 0 and "not a web-bench store" in refused.stderr
    assert (real / "broadsheet.db").read_bytes() == b"someone's articles"
