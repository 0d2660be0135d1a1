"""RELIABILITY 16: 429 + Retry-After on sign-in, sign-up, comments, the API (and the AI)."""

from __future__ import annotations

import json

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.asgi import get
from tests.web.sample import NOW, seed

M = "tests/reliability/test_16_rate_limits.py::"
LINES = {
    "Rate limits with 429 + Retry-After on login, sign-up, comments and the API.": [
        "tests/readers/test_accounts.py::test_sign_in_is_rate_limited_with_retry_after",
        "tests/readers/test_accounts.py::test_sign_up_is_rate_limited_per_address",
        "tests/readers/test_reset.py::test_reset_requests_are_rate_limited",
        "tests/readers/test_comments.py::test_flood_limits_per_reader_answer_429_with_retry_after",
        "tests/readers/test_comments.py::test_flood_limit_per_ip_covers_many_accounts",
        "tests/web/test_ai_gate.py::test_one_anonymous_client_cannot_spend_the_daily_budget",
        "tests/web/test_ai_gate.py::test_anonymous_askers_together_have_a_share_and_readers_a_daily_budget",
        M + "test_16_the_api_answers_429_with_retry_after_in_its_error_shape",
    ],
}


def test_16_the_api_answers_429_with_retry_after_in_its_error_shape(
    settings: Settings, store: Store
) -> None:
    seed(store)
    app: FastAPI = create_app(
        settings.model_copy(update={"limit_api_ip": "5/hour"}), store, clock=lambda: NOW
    )
    answers = [get(app, "/api/v1/articles?limit=1") for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    refused = answers[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 3600  # within the limit's window
    error = json.loads(refused.text)["error"]
    assert (error["status"], error["code"]) == (429, "rate_limited")
    assert get(app, "/").status_code == 200  # the pages are not the API's limit
