"""RELIABILITY 19: a worker killed mid-job: retried, nothing lost, nothing stored twice.

The process pool's workers are killed with SIGKILL mid-task in tests/jobs/test_pool.py
and the understanding left by a killed ingest is repaired in tests/understand. Here the
whole ``broadsheet worker`` process is killed with ``kill -9`` at random points of an ingest
from the local sample publisher (tests/support/crash.py), on the suite's backend: the
database passes its integrity check, nothing committed is lost, and the next worker resumes
and stores every article exactly once. ``bench/crash.py`` runs 20 such trials on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from broadsheet.demo.publisher import SamplePublisher
from tests.support.crash import kill_trial
from tests.support.postgres import private_database, wanted

M = "tests/reliability/test_19_killed_workers.py::"
LINES = {
    "`kill -9` of a worker mid-job": [
        M + "test_19_kill_9_of_the_worker_mid_ingest_loses_nothing_and_stores_nothing_twice",
        "tests/jobs/test_pool.py::test_a_killed_worker_is_replaced_and_its_task_retried",
        "tests/jobs/test_pool.py::test_workers_killed_from_outside_mid_task",
        "tests/jobs/test_pool.py::test_workers_exit_when_their_parent_dies",
        "tests/understand/test_repair.py::test_next_ingest_understands_and_places_what_a_killed_one_left",
        "tests/store/test_store.py::test_same_url_is_stored_once_with_a_reason",
        "tests/test_pipeline.py::test_feed_to_stored_articles_and_nothing_twice",
    ],
}
TRIALS = 3


@contextmanager
def _database(where: Path) -> Iterator[str]:
    """A fresh store's URL on the suite's backend."""
    if wanted():
        with private_database("bskill") as url:
            yield url
    else:
        yield f"sqlite:///{where / 'broadsheet.db'}"


def test_19_kill_9_of_the_worker_mid_ingest_loses_nothing_and_stores_nothing_twice(
    tmp_path: Path,
) -> None:
    backend = "postgresql" if wanted() else "sqlite"
    rng = random.Random(19)
    with SamplePublisher(articles_per_outlet=4, latency=0.02) as publisher:
        for n in range(TRIALS):
            where = tmp_path / f"trial{n}"
            with _database(where) as url:
                trial = kill_trial(backend, url, where, publisher, rng)
            log = (where / "worker.log").read_text(errors="replace")[-2000:]
            assert trial.integrity == "ok", (trial, log)
            assert trial.lost == [], trial  # committed before the kill, gone after it
            assert trial.after_kill >= trial.seen_before_kill
            assert trial.missing == [], (trial, log)  # the next worker finished the ingest
            assert trial.twice == [], trial
            assert trial.final_integrity == "ok", trial
