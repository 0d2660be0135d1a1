"""The worker pool survives its workers dying, and its workers do not survive its death."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from broadsheet.config import Settings
from broadsheet.errors import WorkerLost
from broadsheet.jobs.pool import RETRIES, WorkerPool
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from tests.jobs import crashers
from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss

ROOT = Path(__file__).resolve().parents[2]


def test_a_killed_worker_is_replaced_and_its_task_retried(tmp_path: Path) -> None:
    async def scenario() -> tuple[int, int, int]:
        with WorkerPool(2) as pool:
            first = await pool.run(60, crashers.die_once, str(tmp_path / "marker"), 21)
            restarts = pool.restarts
            later = await asyncio.gather(*(pool.run(60, crashers.slow, 0, n) for n in range(4)))
            return first, restarts, sum(later)

    first, restarts, later = asyncio.run(scenario())
    assert first == 42  # the task ran again on a fresh worker
    assert restarts == 1
    assert later == 0 + 1 + 2 + 3  # and ingestion goes on: later tasks run


def test_workers_killed_from_outside_mid_task(tmp_path: Path) -> None:
    """The OOM killer takes every worker while a task runs: the task still completes."""

    marker = tmp_path / "started"

    async def scenario() -> tuple[int, int]:
        with WorkerPool(2) as pool:
            await pool.run(60, crashers.pid)  # the workers are up
            task = asyncio.ensure_future(pool.run(120, crashers.hang_once, str(marker), 7))
            deadline = time.monotonic() + 120  # a bound for failure, not a measure of speed
            while not marker.exists():  # the task is under way in a worker
                assert time.monotonic() < deadline and not task.done()
                await asyncio.sleep(0.05)
            for pid in pool.pids():
                os.kill(pid, signal.SIGKILL)
            return await task, pool.restarts

    value, restarts = asyncio.run(scenario())
    assert value == 7 and restarts >= 1


def test_a_task_that_always_kills_its_worker_gives_up() -> None:
    async def scenario() -> int:
        with WorkerPool(2) as pool:
            with pytest.raises(WorkerLost, match="died"):
                await pool.run(60, crashers.always_die)
            assert pool.restarts == RETRIES + 1
            return await pool.run(60, crashers.slow, 0, 5)

    assert asyncio.run(scenario()) == 5


ORPHAN_SCRIPT = """
import asyncio, sys, time
from broadsheet.jobs.pool import WorkerPool
from tests.jobs import crashers

async def main():
    with WorkerPool(2) as pool:
        await asyncio.gather(*(pool.run(60, crashers.slow, 0.2, n) for n in range(4)))
        print(" ".join(map(str, pool.pids())), flush=True)
        await asyncio.sleep(600)

asyncio.run(main())
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_their_parent_dies(sig: signal.Signals) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    parent = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert parent.stdout is not None
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2
        parent.send_signal(sig)
        parent.wait(timeout=120)
        deadline = time.monotonic() + 120
        alive = pids
        while alive and time.monotonic() < deadline:
            alive = [p for p in alive if _alive(p)]
            time.sleep(0.1)
        assert alive == []
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_extraction_processes_load_no_stories_or_language_models(
    server: TestServer, settings: Settings, store: Store
) -> None:
    """A process pool imports the module of the function it runs. The orchestrator's
    extraction task must not bring the stories stage (scikit-learn, SciPy) or spaCy into
    each extraction process: that was ~130 MB per process, measured in bench/ingest.py."""
    server.route("/feed.xml", rss(server.base, [("Pier story 1", "/news/1", "s")]),
                 headers={"content-type": "application/rss+xml"})  # fmt: skip
    server.route("/news/1", page("Pier story 1", 1))
    source = store.add_source(server.url("/feed.xml"))
    settings = settings.model_copy(update={"understand": False})

    async def scenario() -> tuple[int, list[list[str]]]:
        with WorkerPool(2) as pool:
            report = await ingest_once(settings, store, sources=[source], pool=pool)
            maps = [Path(f"/proc/{pid}/maps").read_text() for pid in pool.pids()]
        heavy = ("/sklearn/", "/scipy/", "/spacy/", "/thinc/")
        return report.new_articles, [[lib for lib in heavy if lib in m] for m in maps]

    new, loaded = asyncio.run(scenario())
    assert new == 1  # the page went through an extraction process
    assert len(loaded) == 2 and loaded == [[], []]
