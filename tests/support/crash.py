"""Crash trials (issue 16 capability 5, RELIABILITY 19 and 21): ``broadsheet worker`` as a
real process, killed with SIGKILL at a random moment of an ingest from the local sample
publisher, then checked and run again.

One trial, on a fresh store (a SQLite file, or a PostgreSQL database):

1. the sources are the publisher's outlets; ``broadsheet worker`` starts;
2. when a random number of articles (0 to all but one) is committed, the test reads the
   URLs it can see committed, then kills the worker with ``kill -9`` (its pool's processes
   exit by themselves when their parent dies);
3. the database passes its integrity check (SQLite: ``PRAGMA integrity_check`` and
   ``foreign_key_check``; PostgreSQL: amcheck's ``bt_index_check`` of every index, which
   reads every page of them) and the store's own invariants (the article counter equals
   the rows; every story placement points at a story that exists);
4. nothing the test saw committed is gone;
5. a new ``broadsheet worker`` resumes (it takes the dead worker's lease when it lapses)
   and finishes the ingest: every served article is then stored exactly once.

``bench/crash.py`` runs 20 such trials per backend and prints the table; the reliability
test runs a few. :func:`restart_trial` restarts a private PostgreSQL cluster (initdb and
pg_ctl in a temp dir, on a free port; never the shared server) in the middle of an ingest.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine, text

from broadsheet.config import Settings
from broadsheet.demo.publisher import SamplePublisher
from broadsheet.store import Store
from broadsheet.store.engine import is_sqlite, make_engine

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FINISH_WITHIN = 240.0  # s for a resumed worker to store the rest (a shared, loaded machine)


@dataclass
class Trial:
    backend: str
    target: int  # articles committed when the kill was due
    seen_before_kill: int  # committed URLs the test read just before the kill
    after_kill: int = 0
    integrity: str = ""  # "ok", or what the checks found
    lost: list[str] = field(default_factory=list)  # seen committed, gone after the kill
    twice: list[str] = field(default_factory=list)  # stored more than once at the end
    missing: list[str] = field(default_factory=list)  # served, never stored by the resume
    resumed_in: float = 0.0  # s from the second worker's start to the last article
    final_integrity: str = ""

    @property
    def ok(self) -> bool:
        return (self.integrity == self.final_integrity == "ok" and not self.lost
                and not self.twice and not self.missing)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def worker_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BROADSHEET_", "BSTEST_"))}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        BROADSHEET_DATABASE_URL=database_url,
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",
        BROADSHEET_DEFAULT_SOURCES="0",
        BROADSHEET_UNDERSTAND="0",
        BROADSHEET_PER_HOST_DELAY="0",
        BROADSHEET_EXTRACT_WORKERS="1",
        BROADSHEET_SCHEDULER_TICK="1",
        BROADSHEET_WORKER_HEARTBEAT="1",
    )
    return env


def start_worker(data_dir: Path, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "--data-dir", str(data_dir), "worker"],
            stdout=sink, stderr=subprocess.STDOUT, env=worker_env(database_url),
        )  # fmt: skip


def stop(proc: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then SIGKILL if it does not stop within a minute; the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.port}{parts.path}"


def stored_urls(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [key(r[0]) for r in conn.execute(text("SELECT url FROM articles"))]


def integrity(engine: Engine) -> str:
    """ "ok", or what is wrong: the backend's own check, then the store's invariants."""
    problems: list[str] = []
    with engine.connect() as conn:
        if is_sqlite(engine):
            found = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
            if found != ["ok"]:
                problems += found[:5]
            if conn.execute(text("PRAGMA foreign_key_check")).first() is not None:
                problems.append("foreign_key_check found orphan rows")
        else:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            conn.execute(
                text(
                    "SELECT bt_index_check(c.oid, true) FROM pg_index i"
                    " JOIN pg_class c ON c.oid = i.indexrelid"
                    " JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE a.amname = 'btree' AND n.nspname = 'public'"
                )
            ).all()  # raises on a corrupt index
            conn.commit()
        rows = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        counted = conn.execute(
            text("SELECT value FROM counters WHERE name = 'articles'")
        ).scalar_one_or_none()
        if (counted or 0) != rows:
            problems.append(f"article counter {counted} but {rows} rows")
        placed = conn.execute(
            text(
                "SELECT count(*) FROM story_articles sa"
                " LEFT JOIN stories s ON s.id = sa.story_id WHERE s.id IS NULL"
            )
        ).scalar_one()
        if placed:
            problems.append(f"{placed} articles placed in stories that do not exist")
    return "ok" if not problems else "; ".join(problems)


def wait_for(engine: Engine, count: int, proc: subprocess.Popen[bytes], within: float) -> float:
    """Wait until ``count`` articles are stored (or the worker exits, or time runs out)."""
    started = time.monotonic()
    while time.monotonic() - started < within and proc.poll() is None:
        with engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM articles")).scalar_one() >= count:
                break
        time.sleep(0.02)
    return time.monotonic() - started


class Publishers:
    """Several sample publishers, each on its own loopback address (127.0.0.2, ...), seen
    as one: the issue's 5,000 articles need more feeds than one publisher's five (a feed
    lists at most ``feeds.MAX_ENTRIES`` entries)."""

    PER_OUTLET = 250  # articles per feed at most: well inside a feed's entries

    def __init__(self, articles: int, latency: float = 0.0) -> None:
        from broadsheet.demo.content import OUTLETS

        per_address = self.PER_OUTLET * len(OUTLETS)
        addresses = max(1, -(-articles // per_address))
        per_outlet = max(1, -(-articles // (addresses * len(OUTLETS))))
        self.members = [
            SamplePublisher(
                articles_per_outlet=per_outlet, latency=latency, seed=i + 1, host=f"127.0.0.{i + 2}"
            )  # fmt: skip
            for i in range(addresses)
        ]

    def __enter__(self) -> Publishers:
        for member in self.members:
            member.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for member in self.members:
            member.stop()

    @property
    def outlets(self) -> list:  # noqa: ANN401 (the members' ServedOutlet)
        return [o for member in self.members for o in member.outlets]

    @property
    def article_count(self) -> int:
        return sum(member.article_count for member in self.members)

    def article_urls(self) -> list[str]:
        return [u for member in self.members for u in member.article_urls()]


_OPENING = threading.Lock()  # Alembic's migration context is global: one store opened at a time


def prepare(data_dir: Path, database_url: str, publisher: SamplePublisher | Publishers) -> None:
    with _OPENING:  # trials may run at once, in threads (test_19)
        store = Store.open(Settings(data_dir=data_dir, database_url=database_url,
                                    default_sources=False))  # fmt: skip
    try:
        for outlet in publisher.outlets:
            store.add_source(outlet.feed_url, name=outlet.name)
    finally:
        store.close()


def kill_trial(
    backend: str, database_url: str, data_dir: Path, publisher: SamplePublisher, rng: random.Random
) -> Trial:
    """One kill -9 trial on a fresh store at ``database_url`` (see the module's steps)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    prepare(data_dir, database_url, publisher)
    served = sorted(key(u) for u in publisher.article_urls())
    log = data_dir / "worker.log"
    engine = make_engine(database_url)
    try:
        trial = Trial(backend, target=rng.randrange(publisher.article_count), seen_before_kill=0)
        first = start_worker(data_dir, database_url, log)
        try:
            wait_for(engine, trial.target, first, FINISH_WITHIN)
            seen = stored_urls(engine)
        finally:
            first.kill()  # kill -9, wherever it is
            first.wait()
        trial.seen_before_kill = len(seen)
        trial.integrity = integrity(engine)
        after = set(stored_urls(engine))
        trial.after_kill = len(after)
        trial.lost = sorted(set(seen) - after)

        second = start_worker(data_dir, database_url, log)
        try:
            trial.resumed_in = wait_for(engine, len(served), second, FINISH_WITHIN)
            time.sleep(1.0)  # a worker that fetched anything twice would store it now
        finally:
            stop(second)
        final = Counter(stored_urls(engine))
        trial.twice = sorted(u for u, n in final.items() if n > 1)
        trial.missing = sorted(set(served) - set(final))
        trial.final_integrity = integrity(engine)
        return trial
    finally:
        engine.dispose()


# --- a private PostgreSQL cluster ---------------------------------------------------------
def pg_available() -> bool:
    return (PG_BIN / "initdb").exists() and (os.geteuid() != 0 or shutil.which("runuser"))


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/broadsheet"

    def ctl(self, *args: str) -> None:
        """pg_ctl on this cluster, waiting up to two minutes; when it fails, the error says
        what pg_ctl printed and how the server's log ends (the directory is removed after)."""
        done = subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"),
                          "-l", str(self.directory / "server.log"), "-w", "-t", "120", *args]),
            capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode:
            log = self.directory / "server.log"
            tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
            raise RuntimeError(
                f"pg_ctl {' '.join(args)} exited {done.returncode}: "
                f"{(done.stdout + done.stderr).strip()}\n--- server.log ends ---\n{tail}"
            )

    def start(self) -> None:
        """Started without fsync: the trials stop the server (fast or immediate), never the
        machine, so the page cache keeps every write and no trial waits on a slow disk's
        flush (a shutdown checkpoint's fsyncs are what a loaded CI disk makes slow)."""
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory}"
                   " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")  # fmt: skip
        self.ctl("-o", options, "start")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A PostgreSQL 15 cluster of its own in a new temp dir (one the ``postgres`` user can
    reach) on a free port, database ``broadsheet``; stopped (immediately) and removed
    afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="broadsheet-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    subprocess.run(
        _as_postgres([str(PG_BIN / "initdb"), "-D", str(directory / "data"), "-U", "postgres",
                      "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    cluster = Cluster(directory, free_port())
    cluster.start()
    try:
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE broadsheet")
        yield cluster
    finally:
        try:
            cluster.ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Restart:
    restarted_at: int  # articles stored when the server went down
    finished: bool  # the same worker stored every article afterwards
    worker_alive: bool  # it did not exit (it reconnected)
    twice: list[str]
    missing: list[str]
    integrity: str
    seconds: float
    unplaced: int = 0  # articles in no story at the end (several queue workers)
    stuck: int = 0  # poll/stories jobs still waiting when the wait ended
    leased: list[int] = field(default_factory=list)  # sources still leased when it ended
    jobs: dict[str, int] = field(default_factory=dict)  # "task status": count, at the end


def restart_trial(
    cluster: Cluster,
    data_dir: Path,
    publisher: SamplePublisher,
    down_for: float = 2.0,
    workers: int = 1,
) -> Restart:
    """Start ``workers`` workers against ``cluster``, stop the server when a third of the
    articles are in, start it again ``down_for`` seconds later, and wait for the same
    workers to finish the ingest (and, with several, to place every article)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    prepare(data_dir, cluster.url, publisher)
    served = sorted(key(u) for u in publisher.article_urls())
    engine = make_engine(cluster.url)
    procs = [start_worker(data_dir, cluster.url, data_dir / f"worker{i or ''}.log")
             for i in range(workers)]  # fmt: skip
    state: dict[str, int] = {}
    try:
        wait_for(engine, max(1, len(served) // 3), procs[0], FINISH_WITHIN)
        with engine.connect() as conn:
            at = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        engine.dispose()
        cluster.ctl("-m", "fast", "stop")
        time.sleep(down_for)
        cluster.start()
        started = time.monotonic()
        wait_for(engine, len(served), procs[0], FINISH_WITHIN)
        while workers > 1 and time.monotonic() - started < FINISH_WITHIN:
            state = queue_state(engine)
            if not state["unplaced"] and not state["stuck"]:
                break
            time.sleep(0.25)
        seconds = time.monotonic() - started
        alive = all(p.poll() is None for p in procs)
        leased = leased_sources(engine)  # while the workers live (a stop releases them)
        time.sleep(1.0)
    finally:
        for proc in procs:
            stop(proc)
    try:
        final = Counter(stored_urls(engine))
        return Restart(
            restarted_at=at,
            finished=set(final) >= set(served),
            worker_alive=alive,
            twice=sorted(u for u, n in final.items() if n > 1),
            missing=sorted(set(served) - set(final)),
            integrity=integrity(engine),
            seconds=seconds,
            unplaced=queue_state(engine)["unplaced"] if workers > 1 else 0,
            stuck=state.get("stuck", 0),
            leased=leased,
            jobs=job_counts(engine),
        )
    finally:
        engine.dispose()


def leased_sources(engine: Engine) -> list[int]:
    """The sources whose poll lease is held now."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT id FROM sources WHERE lease_until > now() ORDER BY id"
        ))]  # fmt: skip


def job_counts(engine: Engine) -> dict[str, int]:
    """Procrastinate's jobs by task and status ({} without its tables)."""
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return {}
        rows = conn.execute(text(
            "SELECT task_name || ' ' || status, count(*) FROM procrastinate_jobs"
            " GROUP BY 1 ORDER BY 1"
        ))  # fmt: skip
        return {name: int(n) for name, n in rows}


RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[,.]\d+ ")
RAISED = re.compile(r"^[\w.]*(Error|Exception|Violation|Unavailable|Exit|Interrupt)\b")


def log_digest(log: Path, records: int = 60) -> str:
    """The workers' log for a failure message: one line per record (its first line, and
    the exception that ends its traceback), a run of the same message once with its count,
    the last ``records`` of them. The log's tail alone is a few tracebacks."""
    if not log.exists():
        return f"({log.name}: no log)"
    runs: list[tuple[str, str, int]] = []  # (first line, its message, how many in a row)
    for record in _records(log.read_text(errors="replace")):
        head = record[0][:300]
        raised = [line.strip() for line in record[1:] if RAISED.match(line)]
        detail = [line.strip() for line in record[1:] if line.startswith("DETAIL:")]
        if raised:  # a traceback: the exception it ends with (and the database's detail)
            head += f"  [{' '.join([raised[-1][:200], *detail[-1:]])}]"
        message = RECORD.sub("", head)
        if runs and runs[-1][1] == message:
            runs[-1] = (runs[-1][0], message, runs[-1][2] + 1)
        else:
            runs.append((head, message, 1))
    lines = [head if n == 1 else f"{head}  (x{n})" for head, _message, n in runs]
    return "\n".join(lines[-records:])


def _records(body: str) -> list[list[str]]:
    found: list[list[str]] = []
    for line in body.splitlines():
        if RECORD.match(line) or not found:
            found.append([line])
        else:
            found[-1].append(line)
    return found


# --- Procrastinate workers on PostgreSQL (issue 14's chaos proof) --------------------------
QUEUE_WORKERS = 2


@dataclass
class QueueTrial:
    """Two ``broadsheet worker`` processes (Procrastinate) ingesting; one killed with
    SIGKILL at a random count, a fresh one started in its place."""

    target: int  # articles committed when the kill was due
    seen_before_kill: int
    lost: list[str] = field(default_factory=list)
    twice: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unplaced: int = 0  # articles in no story at the end
    in_dead_story: int = 0  # articles placed in a merged-away or missing story
    doing_dead: int = 0  # jobs left `doing` for a worker that is gone
    stuck: int = 0  # poll/stories jobs still todo or doing at the end (nothing to do left)
    failed: int = 0  # jobs failed after their retries
    stalled_retried: int = 0  # jobs the tick retried as stalled (from the workers' log)
    finished_in: float = 0.0  # s from the kill to every article stored and placed
    integrity: str = ""

    @property
    def ok(self) -> bool:
        return (self.integrity == "ok" and not self.lost and not self.twice
                and not self.missing and not self.unplaced and not self.in_dead_story
                and not self.doing_dead and not self.stuck and not self.failed)  # fmt: skip


def queue_state(engine: Engine) -> dict[str, int]:
    """Placement and job counts: unplaced articles, articles in a dead story, jobs left
    ``doing`` for a worker gone (no heartbeat for 30 s, or its row pruned), poll/stories
    jobs not finished, failed jobs."""
    with engine.connect() as conn:
        one = lambda sql: int(conn.execute(text(sql)).scalar_one())  # noqa: E731
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return {"unplaced": 0, "in_dead_story": 0, "doing_dead": 0, "stuck": 1,
                    "failed": 0}  # no worker has applied the queue's schema yet  # fmt: skip
        return {
            "unplaced": one(
                "SELECT count(*) FROM articles a WHERE NOT EXISTS"
                " (SELECT 1 FROM story_articles sa WHERE sa.article_id = a.id)"
            ),
            "in_dead_story": one(
                "SELECT count(*) FROM story_articles sa LEFT JOIN stories s"
                " ON s.id = sa.story_id WHERE s.id IS NULL OR s.merged_into IS NOT NULL"
            ),
            "doing_dead": one(
                "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w"
                " ON w.id = j.worker_id WHERE j.status = 'doing' AND (w.id IS NULL"
                " OR w.last_heartbeat < now() - interval '30 seconds')"
            ),
            "stuck": one(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                " AND task_name IN ('broadsheet.poll', 'broadsheet.stories')"
                " AND (scheduled_at IS NULL OR scheduled_at <= now())"
            ),
            "failed": one("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"),
        }


def queue_kill_trial(
    database_url: str,
    data_dir: Path,
    publisher: SamplePublisher | Publishers,
    rng: random.Random,
    within: float = FINISH_WITHIN,
) -> QueueTrial:
    """Two Procrastinate workers on a fresh PostgreSQL store at ``database_url``; one is
    killed with SIGKILL when a random number of articles is committed and a fresh worker
    started; then every article must be stored once and in exactly one live story, and no
    job left ``doing`` for the dead worker or waiting."""
    data_dir.mkdir(parents=True, exist_ok=True)
    prepare(data_dir, database_url, publisher)
    served = sorted(key(u) for u in publisher.article_urls())
    engine = make_engine(database_url)
    logs = [data_dir / f"worker{i}.log" for i in range(QUEUE_WORKERS + 1)]
    workers = [start_worker(data_dir, database_url, logs[i]) for i in range(QUEUE_WORKERS)]
    trial = QueueTrial(target=rng.randrange(publisher.article_count), seen_before_kill=0)
    victim = rng.randrange(QUEUE_WORKERS)
    try:
        wait_for(engine, trial.target, workers[victim], within)
        seen = stored_urls(engine)
        workers[victim].kill()
        workers[victim].wait()
        killed_at = time.monotonic()
        trial.seen_before_kill = len(seen)
        trial.lost = sorted(set(seen) - set(stored_urls(engine)))
        workers.append(start_worker(data_dir, database_url, logs[-1]))
        live = workers[-1]
        deadline = killed_at + within
        state = queue_state(engine)
        while time.monotonic() < deadline and live.poll() is None:
            state = queue_state(engine)
            done = len(set(stored_urls(engine))) >= len(served)
            if done and not state["unplaced"] and not state["doing_dead"] and not state["stuck"]:
                break
            time.sleep(0.25)
        trial.finished_in = time.monotonic() - killed_at
        time.sleep(1.0)  # a job that fetched anything twice would store it now
    finally:
        for proc in workers:
            stop(proc)
    try:
        final = Counter(stored_urls(engine))
        trial.twice = sorted(u for u, n in final.items() if n > 1)
        trial.missing = sorted(set(served) - set(final))
        state = queue_state(engine)
        for name in ("unplaced", "in_dead_story", "failed"):
            setattr(trial, name, state[name])
        trial.doing_dead, trial.stuck = state["doing_dead"], state["stuck"]
        own_log = data_dir / "broadsheet.log"  # the workers' log (they share the data dir)
        if own_log.exists():
            trial.stalled_retried = own_log.read_text(errors="replace").count("its worker stopped")
        trial.integrity = integrity(engine)
        return trial
    finally:
        engine.dispose()
