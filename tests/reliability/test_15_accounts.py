"""RELIABILITY 15: CSRF and Origin on every state change, sessions, argon2id, no leaks."""

from __future__ import annotations

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import PASSWORD, client, post_form
from tests.web.sample import NOW

A = "tests/readers/test_accounts.py::"
M = "tests/reliability/test_15_accounts.py::"
LINES = {
    "CSRF token (plus Origin / Sec-Fetch-Site) on every state-changing request": [
        A + "test_csrf_missing_or_forged_is_refused",
        A + "test_a_post_from_another_origin_is_refused",
        A + "test_forms_of_bad_bytes_get_a_status_not_a_crash",
        "tests/readers/test_comments.py::test_comment_routes_refuse_bad_ids_and_anonymous_posts",
    ],
    "Session id rotated on login.": [
        A + "test_session_id_is_rotated_at_sign_in_and_the_old_one_stops_working",
        A + "test_change_password_checks_the_current_one_and_rotates_the_session",
        A + "test_the_session_cookie_is_httponly_lax_and_secure_over_https",
    ],
    "Argon2id password hashes.": [M + "test_15_passwords_are_stored_as_argon2id_hashes"],
    "The same response for unknown users and wrong passwords.": [
        A + "test_sign_in_messages_do_not_tell_whether_an_account_exists",
        "tests/readers/test_reset.py::test_a_failing_mail_server_still_gives_the_same_answer",
    ],
    "Secrets and passwords never logged.": [
        "tests/readers/test_reset.py::test_passwords_and_tokens_never_reach_the_logs",
    ],
}


def test_15_passwords_are_stored_as_argon2id_hashes(settings: Settings, store: Store) -> None:
    cheap = settings.model_copy(update={"argon2_memory_kib": 1024, "argon2_time_cost": 1})
    app: FastAPI = create_app(cheap, store, clock=lambda: NOW)
    c = client(app)
    form = {"email": "new@example.org", "name": "New", "password": PASSWORD}
    made = post_form(c, "/signup", "/signup", form, follow_redirects=False)
    assert made.status_code == 303, made.text
    found = store.user_by_email("new@example.org")
    assert found is not None
    _user, stored = found
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert "m=1024,t=1" in stored  # the configured cost, not a default
