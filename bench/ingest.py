"""Benchmark one full ingest through the real HTTP path, against the local sample publisher.

    .venv/bin/python bench/ingest.py [--articles 1200] [--latency 0.05] [--workers N]

A SamplePublisher serves the demo outlets on 127.0.0.1 (one origin each, ``--latency``
seconds added to every response), a temporary data dir holds a fresh SQLite store, and
``ingest_once`` polls every feed and fetches, extracts and stores every article. The table
shows throughput, the peak memory of the whole process tree (sampled every 50 ms: this
process, which also runs the publisher's threads, plus its children, the extraction
pool) and the seconds spent in each stage. Stage seconds are the work done in each stage
(time on the wire for fetches, time inside a worker for extraction; waiting for a slot
excluded), summed over concurrent tasks, so they can add up to more than the wall time.
Exits non-zero when nothing was ingested.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table

from broadsheet.config import Settings
from broadsheet.demo.content import OUTLETS
from broadsheet.demo.publisher import SamplePublisher


class PeakMemory:
    """Samples the RSS of this process and all its children in a thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass  # a worker that just exited
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--articles",
        type=int,
        default=1200,
        help="articles in total, spread across the outlets (default 1200)",
    )
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds added to every response (default 0.05)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="extraction processes (default: Settings' default)",
    )
    args = parser.parse_args(argv)

    from broadsheet.pipeline import ingest_once  # the pipeline and store under test
    from broadsheet.store import Store

    per_outlet = max(1, math.ceil(args.articles / len(OUTLETS)))
    console = Console()
    with (
        tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as tmp,
        SamplePublisher(per_outlet, latency=args.latency) as publisher,
    ):
        extra = {"extract_workers": args.workers} if args.workers else {}
        settings = Settings(
            data_dir=Path(tmp),
            allow_private_networks=True,
            per_host_delay=0.0,
            per_host_concurrency=8,
            default_sources=False,
            max_new_per_poll=per_outlet + 50,
            **extra,
        )
        store = Store.open(settings)
        try:
            for outlet in publisher.outlets:
                store.add_source(outlet.feed_url, name=outlet.name)
            with PeakMemory() as memory:
                started = time.perf_counter()
                report = asyncio.run(ingest_once(settings, store))
                wall = time.perf_counter() - started
        finally:
            store.close()
        served, requests = publisher.article_count, publisher.request_count

    table = Table(title=f"Ingest benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    table.add_column("measure")
    table.add_column("value", justify="right")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    rows = [
        ("machine", machine),
        ("extract workers", str(settings.extract_workers)),
        ("outlets (feeds)", str(len(OUTLETS))),
        ("articles served", str(served)),
        ("latency per response", f"{args.latency:.3f} s"),
        ("sources polled", str(report.sources_polled)),
        ("new articles", str(report.new_articles)),
        ("duplicates", str(report.duplicates)),
        ("failures", str(len(report.failures))),
        ("HTTP requests served", str(requests)),
        ("wall time", f"{wall:.2f} s"),
        ("articles / second", f"{report.new_articles / wall:.1f}" if wall else "-"),
        ("peak RSS, process tree", f"{memory.peak / 2**20:.0f} MB"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    for stage, seconds in sorted(report.stage_seconds.items()):
        table.add_row(f"stage: {stage} (summed)", f"{seconds:.2f} s")
    console.print(table)
    for where, reason in report.failures[:10]:
        console.print(f"[red]failed[/red] {where}: {reason}")
    if len(report.failures) > 10:
        console.print(f"… and {len(report.failures) - 10} more failures")
    if report.new_articles == 0:
        console.print("[red]nothing was ingested[/red]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
