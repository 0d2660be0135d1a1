"""Seed-layout site: stored bodies against the true text, before and after site learning.

    python bench/seedsite.py [DATASETS] [--pages 10,20] [--wording seed|invented|both]

Builds a site of one outlet laid out like issue 15's seed page (``tests/support/
seedsite.py``: headline twice, the credited outlet and the date glued on one line, a promo
box in or after the article, comments, "Related Articles" with another article's headline,
outlet, "26 minutes ago" and a long extract, an app box; all plain paragraphs of the
article's container), serves it with a feed on 127.0.0.1 (the test HTTP server), and
ingests it through the real path (``ingest_once``: fetch, extract in the worker pool,
store in a temp-dir SQLite, furniture learning, re-cleaning) twice:

* **before**: ``site_learning=False``, furniture learning as issue 3 left it;
* **after**: the outlet's boundaries, teasers and date order learned (the default).

Bodies: CNN / Daily Mail stories from ``DATASETS/summarization-cnndm`` when present
(recombined at run time: the headline from the first highlight, the text split into
paragraphs of two or three sentences; nothing is written to disk), else the demo's
invented text. The seed's wording runs on an outlet that prints the day first behind an
en-US page (the locale guesses month first), the invented wording on a month-first outlet
with an "en" page (the locale guesses day first). Per run: mean and lowest word F1 of
the stored bodies against the true text, leaked furniture lines (stored paragraphs that
are the page's furniture, the glued line, a teaser's label, a reader's comment or name,
the headline), leaked sentences of other articles, dates right, and the extract and
furniture stages' seconds per page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support: the site generator and the HTTP server

from broadsheet.config import Settings  # noqa: E402
from broadsheet.pipeline import ingest_once  # noqa: E402
from broadsheet.store import Store  # noqa: E402
from tests.support.httpserver import TestServer  # noqa: E402
from tests.support.seedsite import (  # noqa: E402
    EXTERNAL,
    INVENTED_WORDING,
    SEED_WORDING,
    build_site,
    score,
    serve,
)

DEFAULT_DATASETS = ROOT.parent / "shared" / "datasets"
_SENTENCE = re.compile(r"(?<=[.!?])['\"’”]?\s+(?=[A-Z‘“'\"])")
MAX_PARAGRAPHS = 12


def cnndm_bodies(path: Path, n: int, seed: int = 15) -> list[tuple[str, list[str]]] | None:
    """``n`` (headline, paragraphs) from the CNN/DM sample, or None when it is absent."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else []
    if not files:
        return None
    rows = [json.loads(line) for f in files for line in f.open(encoding="utf-8") if line.strip()]
    random.Random(seed).shuffle(rows)
    out: list[tuple[str, list[str]]] = []
    for row in rows:
        sentences = [s.strip() for s in _SENTENCE.split(row.get("article", "")) if s.strip()]
        highlight = (row.get("reference") or "").split(" . ")[0].strip(" .")
        if len(sentences) < 8 or not highlight:
            continue
        title = highlight[:1].upper() + highlight[1:100]
        rng = random.Random(row.get("id", ""))
        paragraphs, i = [], 0
        while i < len(sentences) and len(paragraphs) < MAX_PARAGRAPHS:
            k = rng.choice((2, 3))
            paragraphs.append(" ".join(sentences[i : i + k]))
            i += k
        out.append((title, paragraphs))
        if len(out) == n:
            return out
    return None


def settings_for(tmp: Path, learning: bool) -> Settings:
    extra = {"site_learning": learning} if "site_learning" in Settings.model_fields else {}
    return Settings(
        data_dir=tmp, allow_private_networks=True, per_host_delay=0.0, per_host_concurrency=4,
        fetch_timeout=120.0, default_sources=False, understand=False, **extra,
    )  # fmt: skip


def run(
    pages: int, learning: bool, wording_name: str, datasets: Path, unknown: bool = False
) -> dict[str, object]:
    wording = SEED_WORDING if wording_name == "seed" else INVENTED_WORDING
    bodies = cnndm_bodies(datasets / "summarization-cnndm", pages + EXTERNAL)
    # the seed's wording on an outlet that writes the day first behind an en-US page
    # (read month first by the page's locale), the invented one on a month-first outlet
    site = build_site(
        pages, wording=wording, bodies=bodies, external_every=1 if unknown else 4,
        day_first=wording_name == "seed", lang="en-US" if wording_name == "seed" else "en",
    )  # fmt: skip
    server = TestServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = settings_for(Path(tmp), learning)
            store = Store.open(settings)
            try:
                store.add_source(serve(server, site), name=wording.brand)
                report = asyncio.run(ingest_once(settings, store))
                stored = {urlsplit(a.url).path: a for a in store.iter_articles()}
            finally:
                store.close()
    finally:
        server.stop()
    scores = [score(site, p, stored[p.story.path].text) for p in site.pages
              if p.story.path in stored]  # fmt: skip
    dates = sum(
        1 for p in site.pages if p.story.path in stored
        and (d := stored[p.story.path].published) is not None and d.date() == p.story.day
    )  # fmt: skip
    n = max(1, len(scores))
    return {
        "pages": pages,
        "mode": "after" if learning else "before",
        "wording": wording_name,
        "text": "cnndm" if bodies else "invented",
        "teasers": "unknown" if unknown else "mixed",
        "stored": len(scores),
        "f1": sum(s.f1 for s in scores) / n,
        "min_f1": min((s.f1 for s in scores), default=0.0),
        "furniture_lines": sum(len(s.furniture) for s in scores),
        "other_sentences": sum(len(s.others) for s in scores),
        "dates_right": dates,
        "extract_s_per_page": report.stage_seconds.get("extract", 0.0) / n,
        "furniture_s_per_page": report.stage_seconds.get("furniture", 0.0) / n,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="?", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--pages", default="10,20", help="site sizes, comma-separated")
    parser.add_argument("--wording", choices=("seed", "invented", "both"), default="both")
    parser.add_argument(
        "--unknown-teasers",
        action="store_true",
        help="every teaser shows an article the site never serves (nothing can know it)",
    )
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    wordings = ("seed", "invented") if args.wording == "both" else (args.wording,)
    rows = []
    print(f"{'pages':>5} {'wording':8} {'text':8} {'mode':6} {'F1':>6} {'min F1':>6} "
          f"{'furn.':>5} {'other':>5} {'dates':>5} {'extr s/p':>8} {'furn s/p':>8}")  # fmt: skip
    for pages in (int(p) for p in args.pages.split(",")):
        for wording in wordings:
            for learning in (False, True):
                row = run(pages, learning, wording, args.datasets, args.unknown_teasers)
                rows.append(row)
                print(f"{row['pages']:>5} {row['wording']:8} {row['text']:8} {row['mode']:6} "
                      f"{row['f1']:6.3f} {row['min_f1']:6.3f} {row['furniture_lines']:>5} "
                      f"{row['other_sentences']:>5} {row['dates_right']:>2}/{row['stored']:<2} "
                      f"{row['extract_s_per_page']:8.3f} {row['furniture_s_per_page']:8.3f}",
                      flush=True)  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["stored"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
