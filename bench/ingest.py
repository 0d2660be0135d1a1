"""Benchmark a full ingest through the real HTTP path, against local sample publishers.

    .venv/bin/python bench/ingest.py [--mode serve|once] [--hosts 30] [--articles 180]
                                     [--latency 0.05] [--workers N] [--no-understand]
                                     [--no-politeness]

Sample publishers serve the demo outlets over real HTTP, spread over several loopback
addresses (127.0.0.2, 127.0.0.3, ...; five outlets per address, each on its own port),
so ``--hosts`` origins are polled, each with ``--latency`` seconds added to every
response. The politeness is Broadsheet's default (1 s between two requests to one origin,
2 in flight per origin) unless ``--no-politeness``: the rate then depends on how many
hosts are due, as it does on the real web.

``--mode serve`` (default) measures the site as it runs: ``broadsheet serve`` as a child
process, with its in-process worker, on a fresh SQLite store that already lists the
sources. It reports the peak RSS of serve's whole process tree (serve plus its worker
pool, sampled every 50 ms), the articles per second, how late the worker's event loop
woke (its heartbeat's lag p50 / p99 / max: the time something blocked the loop), and how
fast the home page answered during the ingest. ``--mode once`` runs ``ingest_once`` in
this process (the figures of the README's earlier rows; peak RSS then includes the
publishers' threads). The load average is printed: on a shared machine the figures are
a floor. Exits non-zero when nothing was ingested.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil
from rich.console import Console
from rich.table import Table

from broadsheet.config import Settings
from broadsheet.demo.content import OUTLETS
from broadsheet.demo.publisher import SamplePublisher

ROOT = Path(__file__).resolve().parents[1]


class PeakMemory:
    """Samples the RSS of a process and all its children in a thread."""

    def __init__(self, pid: int | None = None, interval: float = 0.05) -> None:
        self.pid = pid or os.getpid()
        self.interval = interval
        self.peak = 0
        self.by_pid: dict[int, int] = {}  # peak RSS of each process seen
        self.cpu: dict[int, float] = {}  # CPU seconds (user + system) of each process seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    def sample(self) -> int:
        try:
            root = psutil.Process(self.pid)
            total = root.memory_info().rss
            children = root.children(recursive=True)
        except psutil.NoSuchProcess:
            return 0
        self.by_pid[root.pid] = max(self.by_pid.get(root.pid, 0), total)
        self._cpu(root)
        for child in children:
            try:
                rss = child.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue  # a worker that just exited
            total += rss
            self.by_pid[child.pid] = max(self.by_pid.get(child.pid, 0), rss)
            self._cpu(child)
        return total

    def _cpu(self, process: psutil.Process) -> None:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return
        self.cpu[process.pid] = max(self.cpu.get(process.pid, 0.0), times.user + times.system)

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run_serve(settings: Settings, args: argparse.Namespace, expected: int) -> dict[str, object]:
    """``broadsheet serve`` as a child process until ``expected`` articles are stored."""
    from broadsheet.store import Store

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",
        BROADSHEET_DEFAULT_SOURCES="0",
        BROADSHEET_SCHEDULER_TICK="1",
        BROADSHEET_WORKER_HEARTBEAT="2",
        BROADSHEET_UNDERSTAND="1" if settings.understand else "0",
        BROADSHEET_EXTRACT_WORKERS=str(settings.extract_workers),
        BROADSHEET_UNDERSTAND_WORKERS=str(settings.understand_workers),
        BROADSHEET_PER_HOST_DELAY=str(settings.per_host_delay),
        BROADSHEET_PER_HOST_CONCURRENCY=str(settings.per_host_concurrency),
        BROADSHEET_MAX_NEW_PER_POLL=str(settings.max_new_per_poll),
    )
    store = Store.open(settings)
    page_times: list[float] = []
    log = Path(settings.data_dir) / "serve.log"
    with log.open("w") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "--data-dir", str(settings.data_dir)]
            + ["serve", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )
    first_at = last_at = None
    count = last_count = 0
    try:
        with PeakMemory(proc.pid) as memory, httpx.Client(timeout=30) as client:
            idle_since = time.perf_counter()
            while count < expected and proc.poll() is None:
                time.sleep(0.5)
                count = store.count_articles()
                now = time.perf_counter()
                if count and first_at is None:
                    first_at = now
                if count != last_count:
                    last_at, last_count, idle_since = now, count, now
                elif now - idle_since > args.idle_timeout:
                    break
                try:
                    t0 = time.perf_counter()
                    if client.get(f"http://127.0.0.1:{port}/").status_code == 200:
                        page_times.append(time.perf_counter() - t0)
                except httpx.HTTPError:
                    pass
            time.sleep(2.5)  # one more heartbeat with the lag of the whole ingest
            beat = json.loads(store.get_meta("worker") or "{}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        failing = sum(s.error_count > 0 for s in store.list_sources())
        store.close()
    if proc.returncode not in (0, None):
        print(log.read_text()[-3000:], file=sys.stderr)
    if args.log:
        args.log.write_text(log.read_text())
    end = last_at or time.perf_counter()
    lag = beat.get("loop_lag_ms") or {}
    return {
        "new": count,
        "wall": end - started,
        "ingest_wall": (end - first_at) if first_at else 0.0,
        "peak": memory.peak,
        "by_pid": memory.by_pid,
        "cpu": memory.cpu,
        "failures": beat.get("failures", "?"),
        "failing sources": failing,
        "pool restarts": beat.get("pool_restarts", "?"),
        "lag": lag,
        "pages": page_times,
        "exit": proc.returncode,
    }


def run_once(settings: Settings) -> dict[str, object]:
    from broadsheet.pipeline import ingest_once
    from broadsheet.store import Store

    store = Store.open(settings)
    try:
        with PeakMemory() as memory:
            started = time.perf_counter()
            report = asyncio.run(ingest_once(settings, store))
            wall = time.perf_counter() - started
    finally:
        store.close()
    return {
        "new": report.new_articles,
        "wall": wall,
        "peak": memory.peak,
        "failures": len(report.failures),
        "stages": dict(report.stage_seconds),
        "failure list": report.failures,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("serve", "once"), default="serve")
    parser.add_argument("--hosts", type=int, default=30, help="origins polled (default 30)")
    parser.add_argument("--articles", type=int, default=180, help="articles in total (default 180)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds added to every response (0.05)"
    )
    parser.add_argument("--workers", type=int, default=None, help="extraction processes")
    parser.add_argument("--no-understand", action="store_true", help="understanding off")
    parser.add_argument(
        "--understand-workers", type=int, default=1, help="processes holding spaCy (1)"
    )
    parser.add_argument(
        "--no-politeness",
        action="store_true",
        help="no delay between requests to a host, 8 in flight per host (not the default)",
    )
    parser.add_argument("--log", type=Path, help="keep serve's output in this file")
    parser.add_argument(
        "--idle-timeout", type=float, default=120.0, help="stop after this long without news"
    )
    args = parser.parse_args(argv)

    from broadsheet.store import Store

    addresses = max(1, math.ceil(args.hosts / len(OUTLETS)))
    per_outlet = max(1, math.ceil(args.articles / (addresses * len(OUTLETS))))
    console = Console()
    load_before = os.getloadavg()
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="broadsheet-bench-"))
        publishers = [
            stack.enter_context(
                SamplePublisher(
                    per_outlet, latency=args.latency, seed=n + 1, host=f"127.0.0.{n + 2}"
                )
            )
            for n in range(addresses)
        ]
        politeness = (
            {"per_host_delay": 0.0, "per_host_concurrency": 8} if args.no_politeness else {}
        )
        extra = {"extract_workers": args.workers} if args.workers else {}
        settings = Settings(
            data_dir=Path(tmp),
            allow_private_networks=True,
            default_sources=False,
            understand=not args.no_understand,
            understand_workers=args.understand_workers,
            **politeness,
            **extra,
        )
        store = Store.open(settings)
        for publisher in publishers:
            for outlet in publisher.outlets:
                store.add_source(outlet.feed_url, name=outlet.name)
        store.close()
        served = sum(p.article_count for p in publishers)
        result = run_serve(settings, args, served) if args.mode == "serve" else run_once(settings)
        requests = sum(p.request_count for p in publishers)
    load_after = os.getloadavg()

    new, wall = int(result["new"]), float(result["wall"])  # type: ignore[arg-type]
    table = Table(title=f"Ingest benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    table.add_column("measure")
    table.add_column("value", justify="right")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    polite = (
        "none (0 s gap, 8 per host)"
        if args.no_politeness
        else f"default ({settings.per_host_delay:g} s gap, "
        f"{settings.per_host_concurrency} per host)"
    )
    rows = [
        ("machine", machine),
        ("load average 1 min, before / after", f"{load_before[0]:.2f} / {load_after[0]:.2f}"),
        ("mode", "broadsheet serve + its worker" if args.mode == "serve" else "ingest_once"),
        ("understanding", "off" if args.no_understand else "on"),
        ("extract workers", str(settings.extract_workers)),
        ("understanding processes", str(settings.understand_workers)),
        ("hosts (origins)", f"{addresses * len(OUTLETS)} on {addresses} loopback addresses"),
        ("politeness", polite),
        ("articles served", str(served)),
        ("latency per response", f"{args.latency:.3f} s"),
        ("new articles", str(new)),
        ("failures", str(result["failures"])),
        ("HTTP requests served", str(requests)),
        ("wall time", f"{wall:.2f} s"),
        ("articles / second", f"{new / wall:.1f}" if wall else "-"),
        ("peak RSS, process tree", f"{int(result['peak']) / 2**20:.0f} MB"),  # type: ignore[call-overload]
    ]
    by_pid: dict[int, int] = result.get("by_pid") or {}  # type: ignore[assignment]
    if by_pid:
        each = " + ".join(f"{rss / 2**20:.0f}" for rss in by_pid.values())
        rows.append(("peak RSS of each process (first: serve)", f"{each} MB"))
    cpu: dict[int, float] = result.get("cpu") or {}  # type: ignore[assignment]
    if cpu and new:
        each = " + ".join(f"{seconds:.0f}" for seconds in cpu.values())
        rows.append(("CPU seconds of each process (first: serve)", f"{each} s"))
        per = sum(cpu.values()) / new * 1000
        rows.append(("CPU per article, whole tree (start-up included)", f"{per:.0f} ms"))
    if args.mode == "serve":
        ingest_wall = float(result["ingest_wall"])  # type: ignore[arg-type]
        lag = result["lag"]
        pages: list[float] = result["pages"]  # type: ignore[assignment]
        rows += [
            (
                "articles / second after the first",
                f"{new / ingest_wall:.1f}" if ingest_wall else "-",
            ),
            (
                "event-loop lag p50 / p99 / max",
                "{p50} / {p99} / {max} ms".format(**lag) if lag else "-",
            ),  # type: ignore[str-format]
            (
                "home page during ingest: n, median, max",
                f"{len(pages)}, {statistics.median(pages) * 1000:.0f} ms, "
                f"{max(pages) * 1000:.0f} ms"
                if pages
                else "-",
            ),
            ("pool restarts", str(result["pool restarts"])),
            ("serve exit code after SIGTERM", str(result["exit"])),
        ]
    for name, value in rows:
        table.add_row(name, value)
    for stage, seconds in sorted(dict(result.get("stages") or {}).items()):  # type: ignore[call-overload]
        table.add_row(f"stage: {stage} (summed)", f"{seconds:.2f} s")
    console.print(table)
    for where, reason in list(result.get("failure list") or [])[:10]:  # type: ignore[call-overload]
        console.print(f"[red]failed[/red] {where}: {reason}")
    if new == 0:
        console.print("[red]nothing was ingested[/red]")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
