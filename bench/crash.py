"""Crash safety of the worker (issue 16 capability 5; issue 14's chaos): kill -9 trials on
SQLite and on PostgreSQL, and a PostgreSQL restart in the middle of an ingest.

    PYTHONPATH=src:. .venv/bin/python bench/crash.py [--trials 20] [--articles-per-outlet 12]
                                                     [--backends sqlite,postgresql]
                                                     [--latency 0.02] [--no-restart]
    PYTHONPATH=src:. .venv/bin/python bench/crash.py --queue [--trials 20]
                                                     [--articles-per-outlet 8]
                                                     [--articles 5000] [--no-restart]

Each trial (tests/support/crash.py) starts ``broadsheet worker`` as a real process on a
fresh store whose sources are the local sample publisher's five outlets, kills it with
SIGKILL when a random number of articles is committed, checks the database (SQLite:
``PRAGMA integrity_check`` and ``foreign_key_check``; PostgreSQL: amcheck's
``bt_index_check`` of every index) and that nothing it had seen committed is gone, then
starts a second worker and checks that it finishes the ingest with every article stored
exactly once. PostgreSQL trials use a database of their own on the local server
(``BROADSHEET_TEST_POSTGRES_URL``, default 127.0.0.1:5432); the restart uses a private
cluster (initdb + pg_ctl in a temp dir, on a free port), never the shared server.
Prints one row per trial and a summary per backend; exits 1 if any check failed.

``--queue`` (issue 14's chaos proof): the Procrastinate workers on PostgreSQL instead.
Two ``broadsheet worker`` processes ingest; one, chosen at random, is killed with SIGKILL
at a random count and a fresh worker started; afterwards every article must be stored
once and in exactly one live story, no job left ``doing`` for the dead worker (the tick
retries stalled jobs), no poll or placement job waiting, none failed. With the restart,
two Procrastinate workers on a private cluster whose server is restarted mid-ingest.
``--articles N`` (the issue's 5,000): N articles from publishers on several loopback
addresses (at most 250 per feed, five feeds per address) instead of one publisher's
``--articles-per-outlet``; each trial then gets N/2 s (at least 240 s) to reach its kill
count and as long again to finish after the kill.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from broadsheet.demo.publisher import SamplePublisher
from tests.support.crash import (
    FINISH_WITHIN,
    Publishers,
    QueueTrial,
    kill_trial,
    pg_available,
    private_cluster,
    queue_kill_trial,
    restart_trial,
)
from tests.support.postgres import private_database


def _row(n: int, t: object) -> str:
    from tests.support.crash import Trial

    assert isinstance(t, Trial)
    return (f"| {t.backend} | {n} | {t.target} | {t.seen_before_kill} | {t.after_kill} | "
            f"{t.integrity} | {len(t.lost)} | {len(t.twice)} | {len(t.missing)} | "
            f"{t.resumed_in:.1f} | {'yes' if t.ok else 'NO'} |")  # fmt: skip


def _queue_row(n: int, t: QueueTrial) -> str:
    return (f"| {n} | {t.target} | {t.seen_before_kill} | {len(t.lost)} | {len(t.twice)} | "
            f"{len(t.missing)} | {t.unplaced} | {t.in_dead_story} | {t.doing_dead} | "
            f"{t.stuck} | {t.failed} | {t.stalled_retried} | {t.integrity} | "
            f"{t.finished_in:.1f} | {'yes' if t.ok else 'NO'} |")  # fmt: skip


def queue_trials(args: argparse.Namespace, rng: random.Random) -> int:
    failed = 0
    pub: SamplePublisher | Publishers = (
        Publishers(args.articles, latency=args.latency) if args.articles
        else SamplePublisher(articles_per_outlet=args.articles_per_outlet, latency=args.latency)
    )  # fmt: skip
    within = max(FINISH_WITHIN, (args.articles or 0) / 2)
    with pub, tempfile.TemporaryDirectory(prefix="broadsheet-chaos-") as tmp:
        print(
            f"{pub.article_count} articles from {len(pub.outlets)} local outlets; "
            f"{args.trials} trials; two Procrastinate workers, one killed with SIGKILL at "
            f"a random count, a fresh one started ({within:.0f} s allowed each way)"
        )
        started = time.monotonic()
        print()
        print(
            "| trial | kill at | seen committed | lost | stored twice | missing | unplaced |"
            " in a dead story | doing for a dead worker | poll/stories jobs left |"
            " failed jobs | stalled jobs retried | integrity | s from kill to done | ok |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        oks = []
        for n in range(1, args.trials + 1):
            with private_database("bschaos") as url:
                trial = queue_kill_trial(url, Path(tmp) / f"q{n}", pub, rng, within)
            print(_queue_row(n, trial), flush=True)
            oks.append(trial.ok)
        failed += oks.count(False)
        print()
        print(f"Procrastinate workers: {sum(oks)}/{len(oks)} trials passed every check "
              f"({time.monotonic() - started:.0f} s)")  # fmt: skip
        if not args.no_restart and isinstance(pub, SamplePublisher):
            failed += not restart(pub, Path(tmp) / "restart", workers=2)
    return 1 if failed else 0


def restart(pub: SamplePublisher, where: Path, workers: int) -> bool:
    """A PostgreSQL restart mid-ingest on a private cluster; prints its table; True if ok."""
    if not pg_available():
        print("PostgreSQL restart: skipped (no /usr/lib/postgresql/15/bin/initdb)")
        return False
    started = time.monotonic()
    with private_cluster() as cluster:
        r = restart_trial(cluster, where, pub, workers=workers)
    ok = (r.finished and r.worker_alive and not r.twice and r.integrity == "ok"
          and not r.unplaced and not r.stuck)  # fmt: skip
    print()
    print(f"| PostgreSQL restarted mid-ingest, {workers} worker(s) | value |")
    print("|---|---|")
    print(f"| articles stored when the server stopped | {r.restarted_at} |")
    print(f"| the same worker process(es) stayed up and finished | "
          f"{'yes' if r.worker_alive and r.finished else 'NO'} |")  # fmt: skip
    print(f"| stored twice / missing | {len(r.twice)} / {len(r.missing)} |")
    if workers > 1:
        print(f"| articles in no story / poll or placement jobs left | {r.unplaced} / {r.stuck} |")
    print(f"| integrity | {r.integrity} |")
    print(f"| s from restart to the last article{' placed' if workers > 1 else ''} | "
          f"{r.seconds:.1f} |")  # fmt: skip
    print(f"| whole restart trial, s (with initdb) | {time.monotonic() - started:.1f} |")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--articles-per-outlet", type=int, default=12)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--latency", type=float, default=0.02, help="s added to each response")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-restart", action="store_true", help="skip the PostgreSQL restart")
    parser.add_argument("--queue", action="store_true", help="the Procrastinate workers")
    parser.add_argument(
        "--articles", type=int, default=0, help="--queue: articles in all (several publishers)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.queue:
        return queue_trials(args, rng)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    failed = 0
    with (
        SamplePublisher(articles_per_outlet=args.articles_per_outlet, latency=args.latency) as pub,
        tempfile.TemporaryDirectory(prefix="broadsheet-crash-") as tmp,
    ):
        print(f"{pub.article_count} articles from 5 local outlets; {args.trials} trials per "
              f"backend; kill -9 of `broadsheet worker` at a random count")  # fmt: skip
        print()
        print("| backend | trial | kill at | seen committed | after kill | integrity | lost |"
              " stored twice | missing after resume | resume s | ok |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        summary: dict[str, list[bool]] = {}
        for backend in backends:
            for n in range(1, args.trials + 1):
                where = Path(tmp) / f"{backend}{n}"
                if backend == "sqlite":
                    url = f"sqlite:///{where / 'broadsheet.db'}"
                    trial = kill_trial(backend, url, where, pub, rng)
                else:
                    with private_database("bscrash") as url:
                        trial = kill_trial(backend, url, where, pub, rng)
                print(_row(n, trial), flush=True)
                summary.setdefault(backend, []).append(trial.ok)
                failed += not trial.ok
        print()
        for backend, oks in summary.items():
            print(f"{backend}: {sum(oks)}/{len(oks)} trials passed every check")
        if "postgresql" in backends and not args.no_restart:
            failed += not restart(pub, Path(tmp) / "restart", workers=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
