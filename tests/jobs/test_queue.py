"""The job queue on PostgreSQL (issue 14): two real `broadsheet worker` processes ingest
the same events from the local sample publisher; every article is stored once and the
stories are those of a single worker. And `broadsheet jobs` lists, retries and purges.

PostgreSQL only (BROADSHEET_TEST_DATABASE=postgresql): on SQLite the worker is the
in-process one, tested in test_worker.py and test_processes.py.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, text

from broadsheet.config import Settings
from broadsheet.demo.publisher import SamplePublisher
from broadsheet.store import Store
from broadsheet.store.schema import articles, story_articles
from broadsheet.web.app import create_app
from tests.readers.conftest import make_user, signed_in
from tests.support.processes import broadsheet_env


def _settings(data: Path) -> Settings:
    return Settings(data_dir=data, default_sources=False, allow_private_networks=True)


def _postgres_store(data: Path) -> Store:
    store = Store.open(_settings(data))
    if store.engine.dialect.name != "postgresql":
        store.close()
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    return store


def _env() -> dict[str, str]:
    return broadsheet_env(EXTRACT_WORKERS="1")


def _cli(data: Path, *args: str, code: int = 0) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "broadsheet", "--data-dir", str(data), *args],
        env=_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


def _key(url: str) -> str:
    """An article's URL without the publisher's port (each run serves the same pages)."""
    parts = urlsplit(url)
    return f"{parts.port}{parts.path}"


def _ingest(
    store: Store, data: Path, publisher: SamplePublisher, workers: int, logs: Path
) -> Store:
    """Ingest the publisher into ``store`` (that of ``data``) with ``workers`` worker
    processes until every article is in a story; stopped with SIGTERM (exit 0)."""
    for outlet in publisher.outlets:
        store.add_source(outlet.feed_url, name=outlet.name)
    procs = []
    for i in range(workers):
        with (logs / f"worker{workers}-{i}.log").open("w") as sink:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "broadsheet", "--data-dir", str(data),
                 "worker", "--concurrency", "3"],
                env=_env(), stdout=sink, stderr=subprocess.STDOUT,
            ))  # fmt: skip
    text = lambda: "\n".join(f.read_text() for f in sorted(logs.glob("*.log")))  # noqa: E731
    try:
        deadline = time.monotonic() + 240
        while not (
            store.count_articles() >= publisher.article_count
            and store.first_unplaced_article() is None
        ):
            assert time.monotonic() < deadline, text()
            assert all(p.poll() is None for p in procs), text()
            time.sleep(0.3)
        time.sleep(2)  # a worker that fetched anything twice would store it now
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=60) for proc in procs]
    assert codes == [0] * workers, text()
    return store


def _stories(store: Store) -> set[frozenset[str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(story_articles.c.story_id, articles.c.url).join(
                articles, articles.c.id == story_articles.c.article_id
            )
        ).all()
    grouped: dict[int, set[str]] = {}
    for story, url in rows:
        grouped.setdefault(story, set()).add(_key(url))
    return {frozenset(g) for g in grouped.values()}


def _placed_by_one_process(store: Store, data: Path) -> set[frozenset[str]]:
    """The stories one process makes of ``store``'s articles, given in id order (the order
    they were stored and placed in): `broadsheet export`'s lines into `broadsheet import`."""
    from broadsheet.cli import write_jsonl

    lines = data.parent / f"{data.name}.jsonl"
    with lines.open("w", encoding="utf-8") as f:
        write_jsonl(store, f)
    records = sorted(
        lines.read_text(encoding="utf-8").splitlines(), key=lambda r: json.loads(r)["id"]
    )
    lines.write_text("\n".join(records) + "\n", encoding="utf-8")
    _cli(data, "import", "--format", "jsonl", "--no-understand", str(lines))
    replayed = _postgres_store(data)
    try:
        return _stories(replayed)
    finally:
        replayed.close()


# Each run of a job: a start and the first end after it. A job retried after a failure
# (a fetch timing out on a loaded machine) starts twice and succeeds once; pairing every
# start with every end would make its two runs look as if they overlapped.
RUNS = """
SELECT j.lock, s.id, d.id FROM procrastinate_jobs j
JOIN procrastinate_events s ON s.job_id = j.id AND s.type = 'started'
JOIN LATERAL (
    SELECT e.id FROM procrastinate_events e
    WHERE e.job_id = j.id AND e.id > s.id
      AND e.type IN ('succeeded', 'failed', 'deferred_for_retry', 'aborted', 'cancelled')
    ORDER BY e.id LIMIT 1
) d ON true
WHERE j.task_name = :task ORDER BY s.id
"""


def _runs(store: Store, task: str) -> dict[str, list[tuple[int, int]]]:
    """lock -> the (started, finished) events of the task's jobs with that lock, as event
    ids. Ids, not the events' times: an event's time is its transaction's start (now()),
    so a job fetched the moment the one before it finished can carry a start time a
    fraction of a millisecond before that finish. The ids come from one sequence, drawn
    as each event is written, so a job that really started while another with its lock
    was running has a started id below that one's finished id."""
    with store.engine.connect() as conn:
        rows = conn.execute(text(RUNS), {"task": task}).all()
    by_lock: dict[str, list[tuple[int, int]]] = {}
    for lock, started, finished in rows:
        by_lock.setdefault(lock, []).append((started, finished))
    return by_lock


def _one_at_a_time(runs: list[tuple[int, int]]) -> bool:
    return all(a[1] < b[0] for a, b in zip(runs, runs[1:], strict=False))


def test_two_workers_store_each_article_once_and_make_the_stories_of_one(
    tmp_path: Path,
) -> None:
    with SamplePublisher(articles_per_outlet=5) as publisher, ThreadPoolExecutor(2) as pool:
        served = {_key(u) for u in publisher.article_urls()}
        # the one-worker and the two-worker ingests at once, each into a database of its
        # own (they share nothing but the publisher): their waits overlap. The stores are
        # opened here, one after the other (Alembic's migration context is global)
        one, two = _postgres_store(tmp_path / "one"), _postgres_store(tmp_path / "two")
        alone = pool.submit(_ingest, one, tmp_path / "one", publisher, 1, tmp_path)
        _ingest(two, tmp_path / "two", publisher, 2, tmp_path)
        alone.result()
    for store in (one, two):
        keys = [_key(a.url) for a in store.iter_articles()]
        assert sorted(keys) == sorted(served)  # every article, exactly once
    alone, together = _stories(one), _stories(two)
    assert sum(len(s) for s in together) == len(served)  # every article in one story
    assert any(len(s) > 1 for s in alone)  # the outlets do cover the same events
    # Placement is streaming: a story depends on the order articles come in, and the
    # order in which two workers store them differs from run to run (so does one
    # worker's, under load). The single-process run to compare with is therefore one
    # process placing the same articles in the order the racing workers stored them.
    assert together == _placed_by_one_process(two, tmp_path / "replay")
    placing = _runs(two, "broadsheet.stories")
    assert list(placing) == ["stories"] and _one_at_a_time(placing["stories"])
    polls = _runs(two, "broadsheet.poll")
    assert len(polls) == len(publisher.outlets)  # a lock per source: source:<id>
    overlapping = {
        k: r for k, r in polls.items() if not k.startswith("source:") or not _one_at_a_time(r)
    }
    assert overlapping == {}, overlapping
    status = _cli(tmp_path / "two", "jobs", "list")
    assert "broadsheet.poll" in status and "broadsheet.stories" in status
    one.close()
    two.close()


def test_jobs_list_retry_and_purge_failed_jobs(tmp_path: Path) -> None:
    from procrastinate.jobs import Status

    from broadsheet.jobs.queue import Work, apply_schema

    data = tmp_path / "data"
    store = _postgres_store(data)
    sources = [store.add_source(f"http://127.0.0.1:9/{n}.xml", name=n) for n in "ab"]
    work = Work(_settings(data), store)

    async def fail_both() -> list[int]:
        async with work.app.open_async():
            await apply_schema(work.app)
            manager = work.app.job_manager
            worker = await manager.register_worker()
            failed = []
            for source in sources:
                assert await work.defer_poll(source.id)
                assert not await work.defer_poll(source.id)  # queueing lock: one waits
                job = await manager.fetch_job(queues=None, worker_id=worker)
                assert job is not None and job.id is not None
                await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                failed.append(job.id)
            return failed

    retried, purged = asyncio.run(fail_both())
    settings = _settings(data)
    make_user(store, settings, "root@example.org", "Root", role="admin")
    admin = signed_in(create_app(settings, store), "root@example.org")
    shown = admin.get("/admin/sources").text
    assert "2 jobs failed after their retries: see broadsheet jobs list --status failed" in shown
    listed = _cli(data, "jobs", "list", "--status", "failed")
    assert all(f"{i}  failed" in listed for i in (retried, purged)), listed
    assert f"source_id={sources[0].id}" in listed and "broadsheet.poll" in listed
    assert f"job {retried} (failed) queued again" in _cli(data, "jobs", "retry", str(retried))
    assert f"{retried}  todo" in _cli(data, "jobs", "list", "--status", "todo")
    assert "1 failed jobs deleted" in _cli(data, "jobs", "purge", "--status", "failed")
    assert "no failed jobs" in _cli(data, "jobs", "list", "--status", "failed")
    assert "no job 999999" in _cli(data, "jobs", "retry", "999999", code=1)
    assert 'id="failed-jobs"' not in admin.get("/admin/sources").text
    store.close()


def test_jobs_on_sqlite_say_there_is_no_queue(tmp_path: Path) -> None:
    store = Store.open(_settings(tmp_path / "data"))
    on_sqlite = store.engine.dialect.name == "sqlite"
    store.close()
    if not on_sqlite:
        pytest.skip("the SQLite message")
    assert "no job queue on SQLite" in _cli(tmp_path / "data", "jobs", "list")
