"""RELIABILITY 19: a worker killed mid-job: retried, nothing lost, nothing stored twice.

The process pool's workers are killed with SIGKILL mid-task in tests/jobs/test_pool.py
and the understanding left by a killed ingest is repaired in tests/understand; the 20
kill -9 trials of the whole ingest process at random points, on SQLite and PostgreSQL,
are issue 14's work.
"""

from __future__ import annotations

LINES = {
    "`kill -9` of a worker mid-job": [
        "tests/jobs/test_pool.py::test_a_killed_worker_is_replaced_and_its_task_retried",
        "tests/jobs/test_pool.py::test_workers_killed_from_outside_mid_task",
        "tests/jobs/test_pool.py::test_workers_exit_when_their_parent_dies",
        "tests/understand/test_repair.py::test_next_ingest_understands_and_places_what_a_killed_one_left",
        "tests/store/test_store.py::test_same_url_is_stored_once_with_a_reason",
        "tests/test_pipeline.py::test_feed_to_stored_articles_and_nothing_twice",
    ],
}
