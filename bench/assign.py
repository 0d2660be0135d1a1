"""Story assignment on a large store: the cost of placing one new article (issue 14's
target: at most 20 ms per article at a million articles), on SQLite or PostgreSQL.

    PYTHONPATH=src:bench .venv/bin/python bench/assign.py --data-dir DIR [--database-url URL]
                                                           [--new 300] [DATASETS]

DIR is a store filled by bench/web.py (its manifest gives the synthetic plan: size, seed,
the date it ended at). The same plan is made again and ``--new`` articles made from it (new
reports of the events last reported in the store, dated just after its newest article)
are added as ingest adds them: ``save_article`` and ``save_understanding`` (the entities the plan
gives), then placed by the stories stage (``StoryEngine.process``, one write per article,
as when an article arrives alone). Reported: the engine's start (reading the story window
from the store), the to-do check (``StoryEngine.unplaced``, what each placement job and the
housekeeping run first), and per new article the save and the placement, p50/p95/mean.

It WRITES to the store (``--new`` articles, kept, with their stories): run it after the
page measurements, and never on a store you need unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
console = Console(width=140)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "datasets", nargs="?", type=Path, default=HERE.parent.parent / "shared" / "datasets"
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--new", type=int, default=300, help="articles to add and place")
    args = parser.parse_args()

    import webcorpus
    from sqlalchemy import select
    from websynth import Synth

    from broadsheet.config import Settings
    from broadsheet.orchestrate import stories as stage
    from broadsheet.orchestrate.stories import StoryEngine
    from broadsheet.store import Store
    from broadsheet.store.schema import articles

    manifest = json.loads((args.data_dir / "bench-web.json").read_text(encoding="utf-8"))
    if not args.datasets.is_dir():
        console.print(f"{args.datasets} not found: nothing to make articles from; skipping.")
        return
    settings = Settings(
        data_dir=args.data_dir, database_url=args.database_url, default_sources=False
    )
    store = Store.open(settings)
    load = os.getloadavg()[0]
    corpus = webcorpus.load(args.datasets)
    planned = manifest.get("planned", manifest["articles"])
    if "plan_now" in manifest:
        now = datetime.fromisoformat(manifest["plan_now"])
    elif manifest["articles"] == planned:  # a whole plan ends at its "now"
        now = datetime.fromisoformat(manifest["newest_article"])
    else:  # a fill stopped early, before plan_now was recorded: about when it began
        began = manifest["fill_seconds"] + manifest["setup_seconds"]
        now = datetime.fromisoformat(manifest["filled_at"]) - timedelta(seconds=began)
    synth = Synth(corpus, planned, seed=manifest["seed"], now=now)
    by_url = {s.url: s.id for s in store.list_sources()}
    for outlet, row in zip(synth.outlets, synth.source_rows(), strict=True):
        outlet.id = by_url[row["url"]]
    stored = store.count_articles()
    lo = manifest["articles"]
    # new reports of the events most recently reported in the store, dated just after its
    # newest article (a report index past the event's size: a text and URL of their own)
    recent = synth.order_event[max(0, lo - args.new) : lo].tolist()
    last_s = float(synth.order_when[lo - 1])
    batch = [
        synth.article(int(e), int(synth.sizes[e]) + 1 + i, last_s + i) for i, e in enumerate(recent)
    ]
    with store.reader() as conn:
        top_before = int(conn.execute(select(articles.c.id).order_by(articles.c.id.desc()))
                         .scalars().first() or 0)  # fmt: skip

    engine = StoryEngine(store, settings)
    t0, c0 = time.perf_counter(), time.process_time()
    engine.catch_up(top_before)  # the window, as a worker's first placement reads it
    start_s, start_cpu = time.perf_counter() - t0, time.process_time() - c0
    window = engine.state.index.live
    t0 = time.perf_counter()
    StoryEngine(store, settings).unplaced()
    cold_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    store.first_unplaced_article()  # the check as it was: from the first article
    whole_ms = (time.perf_counter() - t0) * 1000

    def checks() -> list[float]:
        spent = []
        for _ in range(5):
            t0 = time.perf_counter()
            engine.unplaced()
            spent.append((time.perf_counter() - t0) * 1000)
        return spent

    early = checks()  # within SETTLE_SECONDS of the start: from the window's first article
    stage.SETTLE_SECONDS = 0.0  # as after a minute: the floor at the placed articles
    settled = checks()

    saves, places, place_cpu = [], [], []
    try:
        for item in batch:
            t0 = time.perf_counter()
            saved = store.save_article(item.source_id, item.article, item.fetched_at)
            if not isinstance(saved, int):
                continue
            store.save_understanding(saved, item.features, item.versions)
            t1, c1 = time.perf_counter(), time.process_time()
            engine.process(saved)
            t2, c2 = time.perf_counter(), time.process_time()
            saves.append((t1 - t0) * 1000)
            places.append((t2 - t1) * 1000)
            place_cpu.append((c2 - c1) * 1000)
    finally:
        store.close()

    console.print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average {load:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at end; {os.cpu_count()} cores"
    )
    console.print(
        f"store: {store.engine.dialect.name}, {stored:,} articles (plan of {planned:,}); "
        f"{len(places)} new articles added (kept) and placed one at a time"
    )
    table = Table(title="Story assignment on a large store (ms)")
    for col in ("step", "count", "p50", "p95", "mean"):
        table.add_column(col, justify="left" if col == "step" else "right")
    table.add_row("engine start: read the window", "1", f"{start_s * 1000:,.0f}", "", "")
    table.add_row("engine start, this process's CPU", "1", f"{start_cpu * 1000:,.0f}", "", "")
    table.add_row("to-do check from the first article (before)", "1", f"{whole_ms:.1f}", "", "")
    table.add_row("to-do check, engine not built (window)", "1", f"{cold_ms:.1f}", "", "")
    for name, spent in (("to-do check, first minute (window)", early),
                        ("to-do check, after (past the floor)", settled)):  # fmt: skip
        table.add_row(
            name, str(len(spent)), f"{statistics.median(spent):.1f}", f"{max(spent):.1f}", ""
        )
    for name, values in (
        ("save + understanding", saves),
        ("placement (one article)", places),
        ("placement, this process's CPU", place_cpu),
    ):
        if values:
            table.add_row(
                name, str(len(values)), f"{statistics.median(values):.1f}",
                f"{pct(values, 0.95):.1f}", f"{statistics.fmean(values):.1f}",
            )  # fmt: skip
    console.print(table)
    console.print(f"articles in the engine's window: {window:,}")


if __name__ == "__main__":
    main()
