"""RELIABILITY 20: a job that always crashes is retried a bounded number of times, then failed."""

from __future__ import annotations

LINES = {
    "A job that always crashes is retried a bounded number of times": [
        "tests/jobs/test_pool.py::test_a_task_that_always_kills_its_worker_gives_up",
        "tests/jobs/test_failures_as_data.py::test_an_entry_is_retried_then_given_up",
        "tests/jobs/test_failures_as_data.py::test_failing_entries_back_off_and_do_not_starve_the_feed",
        "tests/test_pipeline.py::test_feed_failures_are_data_on_the_source",
        "tests/reliability/test_04_backoff.py::test_04_a_feed_failing_n_times_in_a_row_is_flagged_in_the_admin_page",
    ],
}
