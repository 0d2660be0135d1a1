"""RELIABILITY 4: Retry-After, conditional requests, 410, and failing feeds flagged."""

from __future__ import annotations

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import make_user, signed_in
from tests.web.sample import NOW

F = "tests/ingest/test_fetch.py::"
S = "tests/jobs/test_schedule.py::"
M = "tests/reliability/test_04_backoff.py::"
LINES = {
    "429/503 with Retry-After": [
        F + "test_429_retry_after_seconds",
        F + "test_503_retry_after_http_date",
        F + "test_absurd_retry_after_is_clamped",
        F + "test_garbage_retry_after_is_none",
        F + "test_parse_retry_after_never_raises",
        S + "test_retry_after_is_honoured_when_longer",
    ],
    "304 honoured via ETag / Last-Modified": [
        F + "test_304_via_etag",
        F + "test_304_via_last_modified",
        "tests/test_pipeline.py::test_conditional_get_304",
    ],
    "410 disables the feed": [
        S + "test_gone_disables_the_source",
        "tests/test_pipeline.py::test_gone_feed_is_disabled",
    ],
    "a feed failing N times in a row backs off and is flagged in the admin page.": [
        S + "test_failures_back_off_exponentially_up_to_the_cap",
        "tests/test_pipeline.py::test_feed_failures_are_data_on_the_source",
        M + "test_04_a_feed_failing_n_times_in_a_row_is_flagged_in_the_admin_page",
    ],
}


def test_04_a_feed_failing_n_times_in_a_row_is_flagged_in_the_admin_page(
    settings: Settings, store: Store
) -> None:
    cheap = settings.model_copy(update={"argon2_memory_kib": 1024, "argon2_time_cost": 1})
    flag_after = cheap.failing_after
    make_user(store, cheap, "admin@example.org", role="admin")
    make_user(store, cheap, "mod@example.org", role="moderator")
    good = store.add_source("https://good.example/feed.xml", name="Good Feed")
    bad = store.add_source("https://bad.example/feed.xml", name="Bad <b>Feed</b>")
    once = store.add_source("https://once.example/feed.xml", name="Once Feed")
    store.update_source(bad.id, error_count=flag_after, last_error="HTTP 500 <script>")
    store.update_source(once.id, error_count=flag_after - 1, last_error="timeout")
    app: FastAPI = create_app(cheap, store, clock=lambda: NOW)
    page = signed_in(app, "admin@example.org").get("/admin/sources")
    assert page.status_code == 200
    rows = page.text.split("<tr")[2:]  # after the header row
    flagged = [r for r in rows if "source--failing" in r]
    assert len(flagged) == 1 and "Bad &lt;b&gt;Feed&lt;/b&gt;" in flagged[0]
    assert f"failing ×{flag_after}" in flagged[0]
    assert (
        "HTTP 500 &lt;script&gt;" in flagged[0] and "<script>" not in page.text.split("<main")[-1]
    )
    assert page.text.index("Bad &lt;b&gt;") < page.text.index("Once Feed")  # failing first
    assert "Good Feed" in page.text and good.id
    assert signed_in(app, "mod@example.org").get("/admin/sources").status_code == 403
