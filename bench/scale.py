"""Throughput against Procrastinate workers on one PostgreSQL (issue 14).

    .venv/bin/python bench/scale.py [--workers 1,2,4] [--hosts 20] [--articles 300]
                                    [--concurrency 4] [--understand] [--pg URL]

For each worker count: a fresh database on the PostgreSQL server (``--pg``, default the
local one), migrated, listing ``--hosts`` sources served by local sample publishers (five
outlets per loopback address, 127.0.0.2, 127.0.0.3, ..., each on its own port: ``--hosts``
origins). Politeness is switched off (``per_host_delay`` 0, 4 requests in flight per
origin), so the figures are the workers', not the publishers' pacing. Then N real
`broadsheet worker --concurrency C` processes run until every article is stored and in
a story. Reported per run: articles/s from the workers' start (start-up included) and
over the middle 80 % of the articles (steady state), CPU seconds per article of all the
workers' processes (their extraction pools included), and per task (Procrastinate's
events: started -> succeeded): jobs, mean seconds and the sum. Story placement runs one
task at a time for all workers (a Procrastinate lock): its seconds per article are the
ceiling of the whole system, printed as a projection with the measured CPU per article.
Language models are off unless ``--understand`` (spaCy per worker process).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
import psycopg
from rich.console import Console
from rich.table import Table

from broadsheet.config import Settings
from broadsheet.demo.content import OUTLETS
from broadsheet.demo.publisher import SamplePublisher
from broadsheet.store import Store

ROOT = Path(__file__).resolve().parents[1]
EVENTS = """
SELECT j.task_name, count(*), avg(extract(epoch FROM d.at - s.at)), sum(extract(epoch FROM d.at - s.at))
FROM procrastinate_jobs j
JOIN procrastinate_events s ON s.job_id = j.id AND s.type = 'started'
JOIN procrastinate_events d ON d.job_id = j.id AND d.type IN ('succeeded', 'failed')
GROUP BY j.task_name ORDER BY j.task_name
"""  # noqa: E501


def _env(url: str, understand: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        BROADSHEET_DATABASE_URL=url,
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",
        BROADSHEET_DEFAULT_SOURCES="0",
        BROADSHEET_UNDERSTAND="1" if understand else "0",
        BROADSHEET_EXTRACT_WORKERS="1",
        BROADSHEET_PER_HOST_DELAY="0",
        BROADSHEET_PER_HOST_CONCURRENCY="4",
        BROADSHEET_SCHEDULER_TICK="1",
        BROADSHEET_WORKER_HEARTBEAT="2",
    )
    return env


def _database(server: str, name: str) -> str:
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def _drop(server: str, name: str) -> None:
    with psycopg.connect(server.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
            for child in proc.children(recursive=True):
                t = child.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            continue
    return total


def run(
    args: argparse.Namespace, workers: int, publishers: list[SamplePublisher], data: Path
) -> dict[str, object]:
    name = f"bench_scale_{secrets.token_hex(3)}_{workers}"
    url = _database(args.pg, name)
    env = _env(url, args.understand)
    try:
        subprocess.run([sys.executable, "-m", "broadsheet", "--data-dir", str(data), "migrate"],
                       env=env, check=True, capture_output=True)  # fmt: skip
        settings = Settings(data_dir=data, database_url=url, default_sources=False)
        store = Store.open(settings)
        for pub in publishers:
            for outlet in pub.outlets:
                store.add_source(outlet.feed_url, name=outlet.name)
        expected = sum(p.article_count for p in publishers)
        log = (data / f"workers{workers}.log").open("w")
        start = time.monotonic()
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "broadsheet",
                    "--data-dir",
                    str(data),
                    "worker",
                    "--concurrency",
                    str(args.concurrency),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
            for _ in range(workers)
        ]
        watched = [psutil.Process(p.pid) for p in procs]
        marks: dict[float, float] = {}  # fraction of the articles -> seconds since start
        cpu = 0.0
        try:
            while True:
                count = store.count_articles()
                for frac in (0.1, 0.9):
                    if count >= frac * expected and frac not in marks:
                        marks[frac] = time.monotonic() - start
                if count >= expected and store.first_unplaced_article() is None:
                    break
                if any(p.poll() is not None for p in procs):
                    raise SystemExit(f"a worker exited; see {data}/workers{workers}.log")
                if time.monotonic() - start > args.timeout:
                    raise SystemExit(f"{count}/{expected} articles after {args.timeout} s")
                cpu = _cpu(watched)
                time.sleep(0.1)
            elapsed = time.monotonic() - start
            cpu = max(cpu, _cpu(watched))
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            for proc in procs:
                proc.wait(60)
            log.close()
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            tasks = conn.execute(EVENTS).fetchall()
        store.close()
    finally:
        _drop(args.pg, name)
    steady = (0.8 * expected) / max(1e-9, marks[0.9] - marks[0.1])
    return {
        "workers": workers,
        "articles": expected,
        "seconds": elapsed,
        "rate": expected / elapsed,
        "steady": steady,
        "cpu_per_article": cpu / expected,
        "tasks": {t[0]: (int(t[1]), float(t[2] or 0), float(t[3] or 0)) for t in tasks},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--hosts", type=int, default=20, help="origins (5 per address)")
    parser.add_argument("--articles", type=int, default=300, help="articles in all")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs at once per worker")
    parser.add_argument("--understand", action="store_true", help="spaCy on (slow)")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    addresses = max(1, args.hosts // len(OUTLETS))
    per_outlet = max(1, args.articles // (addresses * len(OUTLETS)))
    console = Console()
    results = []
    with ExitStack() as stack:
        publishers = [
            stack.enter_context(
                SamplePublisher(articles_per_outlet=per_outlet, seed=i + 1, host=f"127.0.0.{i + 2}")
            )
            for i in range(addresses)
        ]
        for n in (int(x) for x in args.workers.split(",")):
            data = Path(stack.enter_context(_tempdir()))
            results.append(run(args, n, publishers, data))
            console.print(f"{n} worker(s): {results[-1]['rate']:.1f} articles/s")
    _report(console, args, results)


def _tempdir():  # type: ignore[no-untyped-def]
    import tempfile

    return tempfile.TemporaryDirectory(prefix="bench-scale-")


def _report(console: Console, args: argparse.Namespace, results: list[dict[str, object]]) -> None:
    load = os.getloadavg()[0]
    table = Table(title=f"Procrastinate workers on one PostgreSQL ({os.cpu_count()} cores, "
                        f"load {load:.1f}, --concurrency {args.concurrency}, "
                        f"understanding {'on' if args.understand else 'off'})")  # fmt: skip
    for col in ("workers", "articles", "s", "articles/s", "steady articles/s", "CPU s/article"):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(str(r["workers"]), str(r["articles"]), f"{r['seconds']:.1f}",
                      f"{r['rate']:.1f}", f"{r['steady']:.1f}",
                      f"{r['cpu_per_article']:.3f}")  # fmt: skip
    console.print(table)
    costs = Table(title="Per task (Procrastinate events, started -> finished)")
    for col in ("workers", "task", "jobs", "mean s", "sum s", "s per article"):
        costs.add_column(col, justify="right")
    for r in results:
        for task, (jobs, mean, total) in r["tasks"].items():  # type: ignore[attr-defined]
            costs.add_row(str(r["workers"]), task, str(jobs), f"{mean:.3f}", f"{total:.1f}",
                          f"{total / int(r['articles']):.4f}")  # fmt: skip
    console.print(costs)
    # the CPU per article of the least contended run (on a shared machine more processes
    # mostly add contention); placement's worst seconds per article (the ceiling)
    cpu = min(float(r["cpu_per_article"]) for r in results)  # type: ignore[arg-type]
    placing = max(
        r["tasks"].get("broadsheet.stories", (0, 0.0, 0.0))[2] / int(r["articles"])  # type: ignore[attr-defined]
        for r in results
    )
    ceiling = 1 / max(placing, 1e-9)
    console.print(
        f"Projection: one worker core does {1 / cpu:.0f} articles/s of polling, fetching, "
        f"extraction and writing (CPU {cpu * 1000:.0f} ms/article); story placement, serial "
        f"across all workers, took at most {placing * 1000:.1f} ms/article: a ceiling of "
        f"{ceiling:.0f} articles/s whatever the number of machines, reached with about "
        f"{ceiling * cpu:.0f} worker cores (PostgreSQL's own CPU not counted: it shares "
        "this machine)."
    )


if __name__ == "__main__":
    main()
