"""Issue 14's chaos proof for the Procrastinate workers on PostgreSQL: two real
``broadsheet worker`` processes ingest from the local sample publisher, one is killed with
SIGKILL at a random moment and a fresh one started (tests/support/crash.py). Afterwards
every served article is stored exactly once and placed in exactly one live story, no job
is left ``doing`` for the dead worker (the tick retried it as stalled), no poll or
placement job is waiting and none failed. ``bench/crash.py --queue`` runs 20 such trials.

PostgreSQL only (BROADSHEET_TEST_DATABASE=postgresql): on SQLite the worker is the
in-process one, whose kill trials are tests/reliability/test_19_killed_workers.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from broadsheet.demo.publisher import SamplePublisher
from tests.support.crash import queue_kill_trial
from tests.support.postgres import private_database, wanted


def test_a_killed_procrastinate_worker_loses_nothing_and_leaves_no_job_stuck(
    tmp_path: Path,
) -> None:
    if not wanted():
        pytest.skip("the job queue is PostgreSQL's (BROADSHEET_TEST_DATABASE=postgresql)")
    rng = random.Random(14)
    with SamplePublisher(articles_per_outlet=5, latency=0.02) as publisher:
        with private_database("bschaos") as url:
            trial = queue_kill_trial(url, tmp_path, publisher, rng)
        logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in tmp_path.glob("*.log"))
        assert trial.lost == [], trial  # committed before the kill, gone after it
        assert trial.missing == [], (trial, logs)  # the fresh worker finished the ingest
        assert trial.twice == [], trial
        assert trial.unplaced == 0, (trial, logs)  # every article in a story...
        assert trial.in_dead_story == 0, trial  # ...a live one (one row per article: its key)
        assert trial.doing_dead == 0, (trial, logs)  # the dead worker's jobs were retried
        assert trial.stuck == 0, (trial, logs)
        assert trial.failed == 0, (trial, logs)
        assert trial.integrity == "ok", trial
        assert trial.seen_before_kill <= publisher.article_count
