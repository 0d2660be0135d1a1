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
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
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
    """The trials run at once, each on a store of its own (a SQLite file, or a PostgreSQL
    database) against the one publisher: most of a trial is waiting for the dead worker's
    lease, or its stalled jobs, to lapse, and the waits overlap. Each kill is still due at
    a count of committed articles drawn from the same seeded sequence as one after the
    other, whatever the order the trials reach it in."""
    backend = "postgresql" if wanted() else "sqlite"
    rng = random.Random(19)
    with SamplePublisher(articles_per_outlet=4, latency=0.02) as publisher, ExitStack() as dbs:
        draws = []  # each trial's generator, at the state it had when run one after another
        for _ in range(TRIALS):
            draws.append(random.Random())
            draws[-1].setstate(rng.getstate())
            rng.randrange(publisher.article_count)  # the one draw kill_trial makes
        wheres = [tmp_path / f"trial{n}" for n in range(TRIALS)]
        urls = [dbs.enter_context(_database(where)) for where in wheres]  # created one by one
        with ThreadPoolExecutor(TRIALS) as pool:
            trials = list(pool.map(
                lambda n: kill_trial(backend, urls[n], wheres[n], publisher, draws[n]),
                range(TRIALS),
            ))  # fmt: skip
    for where, trial in zip(wheres, trials, strict=True):
        log = (where / "worker.log").read_text(errors="replace")[-2000:]
        assert trial.integrity == "ok", (trial, log)
        assert trial.lost == [], trial  # committed before the kill, gone after it
        assert trial.after_kill >= trial.seen_before_kill
        assert trial.missing == [], (trial, log)  # the next worker finished the ingest
        assert trial.twice == [], trial
        assert trial.final_integrity == "ok", trial
