"""API tokens on /api/v1: ``Authorization: Bearer`` names the reader (their follows, saved
articles, history); wrong, revoked and expired tokens get the API's one error shape with
401; calls are limited per token and refusals per address (429 + Retry-After)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Client, post_form
from tests.sync.conftest import NOW, make_credential
from tests.web.asgi import get


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def error_of(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = json.loads(response.text)  # type: ignore[attr-defined]
    assert set(body) == {"error"} and body["error"]["status"] == status
    return body["error"]  # type: ignore[no-any-return]


def test_a_token_reads_as_its_reader(
    app: FastAPI, browser: Client, store: Store, reader_id: int, news: dict[str, int]
) -> None:
    token = make_credential(browser, "api_token", "script")
    store.set_follow(reader_id, "topic", "economy", False, NOW)
    store.save_for_later(reader_id, news["chile1"], NOW, keep=True)
    store.mark_read(reader_id, news["japan0"], NOW)
    me = get(app, "/api/v1/me", **bearer(token))
    assert me.status_code == 200, me.text
    body = json.loads(me.text)
    assert body["name"] == "Ada" and body["role"] == "reader"
    assert body["follows"] == [{"kind": "topic", "key": "economy", "muted": False}]
    saved = json.loads(get(app, "/api/v1/me/saved", **bearer(token)).text)
    assert [a["article"] for a in saved] == [news["chile1"]]
    history = json.loads(get(app, "/api/v1/me/history", **bearer(token)).text)
    assert [a["article"] for a in history] == [news["japan0"]]
    # the public endpoints answer a token holder as anyone
    assert get(app, "/api/v1/articles?limit=2", **bearer(token)).status_code == 200
    listed = store.credentials_of(reader_id)[0]
    assert listed["last_used_at"] == NOW


def test_without_or_with_a_bad_token(app: FastAPI, browser: Client, reader_id: int) -> None:
    error = error_of(get(app, "/api/v1/me"), 401)
    assert error["code"] == "unauthorized" and "Bearer" in str(error["message"])
    for header in (
        "Bearer nope",
        "Bearer ",
        "Basic YWRhOnB3",
        "bsk_" + "x" * 43,
        "Bearer " + "x" * 300,
    ):
        response = get(app, "/api/v1/articles", authorization=header)
        assert error_of(response, 401)["code"] == "unauthorized"
        assert "www-authenticate" in response.headers
    token = make_credential(browser, "api_token")
    assert get(app, "/api/v1/me", **bearer(token + "x")).status_code == 401
    # an app password is not an API token
    password = make_credential(browser)
    assert get(app, "/api/v1/me", **bearer(password)).status_code == 401


def test_revoked_and_expired_tokens(
    app: FastAPI, browser: Client, store: Store, settings: Settings, reader_id: int
) -> None:
    token = make_credential(browser, "api_token", expires="30")
    assert get(app, "/api/v1/me", **bearer(token)).status_code == 200
    later = create_app(settings, store, clock=lambda: NOW + timedelta(days=31))
    error_of(get(later, "/api/v1/me", **bearer(token)), 401)
    kept = make_credential(browser, "api_token", "kept")
    cred = next(c for c in store.credentials_of(reader_id) if c["label"] == "kept")
    post_form(browser, "/account", f"/account/credentials/{cred['id']}/revoke", {})
    error_of(get(app, "/api/v1/me", **bearer(kept)), 401)
    store.disable_user(reader_id, NOW)
    error_of(get(app, "/api/v1/me", **bearer(token)), 401)


def test_rate_limits_per_token_and_per_address(
    settings: Settings, store: Store, news: dict[str, int], reader_id: int
) -> None:
    settings.limit_api_token = "3/minute"
    settings.limit_sync_login = "4/minute"
    app = create_app(settings, store, clock=lambda: NOW)
    from tests.readers.conftest import signed_in
    from tests.sync.conftest import EMAIL

    token = make_credential(signed_in(app, EMAIL), "api_token")
    for _ in range(3):
        assert get(app, "/api/v1/topics", **bearer(token)).status_code == 200
    limited = get(app, "/api/v1/topics", **bearer(token))
    assert error_of(limited, 429)["code"] == "rate_limited"
    assert int(limited.headers["retry-after"]) >= 1
    # wrong tokens: refused four times, then the address waits (even with a good token)
    for _ in range(4):
        assert get(app, "/api/v1/me", **bearer("bsk_wrong")).status_code == 401
    assert error_of(get(app, "/api/v1/me", **bearer("bsk_wrong")), 429)
    # anonymous calls count per address
    settings.limit_api_ip = "2/minute"
    anon = create_app(settings, store, clock=lambda: NOW)
    assert [get(anon, "/api/v1/topics").status_code for _ in range(3)] == [200, 200, 429]


def test_openapi_documents_the_readers_endpoints(app: FastAPI) -> None:
    doc = json.loads(get(app, "/openapi.json").text)
    assert "/api/v1/me" in doc["paths"] and "/api/v1/me/saved" in doc["paths"]
    assert "401" in doc["paths"]["/api/v1/me"]["get"]["responses"]
    assert not any(p.startswith(("/reader", "/fever", "/accounts")) for p in doc["paths"])
    docs = get(app, "/api/docs").text
    assert "Authorization: Bearer &lt;token&gt;" in docs and "/api/v1/me/saved" in docs


def _beyond(case: object) -> list[object]:
    """A write's body can be schema-valid and still break the site's rules (a blank or
    binary comment, a reply to a comment that is gone, muting a place): its documented
    answer is then 422 or 400, which schemathesis's "valid data is accepted" check would
    call a rejection. Reads keep every check."""
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    method = case.operation.method.lower()  # type: ignore[attr-defined]
    return [] if method == "get" else [positive_data_acceptance]


def fuzz(app: FastAPI, token: str, keep: Any = lambda op: True) -> dict[str, set[int]]:
    """schemathesis over the operations of /openapi.json that ``keep`` keeps, each call
    carrying ``token`` (6 derandomized cases each): the statuses seen per path."""
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: dict[str, set[int]] = {}
    for operation in filter(keep, operations):

        @given(case=operation.as_strategy())
        @hsettings(
            max_examples=6,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(
                headers={"authorization": f"Bearer {token}"}, excluded_checks=_beyond(case)
            )
            statuses.setdefault(case.operation.path, set()).add(response.status_code)

        check()
    return statuses


def test_the_api_fuzzed_as_a_token_holder(
    app: FastAPI, browser: Client, store: Store, reader_id: int, news: dict[str, int]
) -> None:
    """schemathesis over every operation of /openapi.json, each call carrying a reader's
    token: no 5xx, every answer matches the schema (the /me ones answer 200 here)."""
    token = make_credential(browser, "api_token", "fuzz")
    store.save_for_later(reader_id, news["chile0"], NOW, keep=True)
    statuses = fuzz(app, token)
    assert 200 in statuses["/api/v1/me"] and 401 not in statuses["/api/v1/me"]
    assert 200 in statuses["/api/v1/me/saved"]
    # the writes were driven too, as this reader (a reader is no admin: sources are 403)
    for path in (
        "/api/v1/articles/{article_id}/comments",
        "/api/v1/comments/{comment_id}",
        "/api/v1/me/follows",
        "/api/v1/me/saved/{article_id}",
    ):
        assert statuses[path] and max(statuses[path]) < 500, path
    assert statuses["/api/v1/sources"] == {403}


def test_the_admin_endpoints_fuzzed_as_an_admin(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    """schemathesis over the sources operations with an admin's token (adding one is left
    out: it would fetch whatever address was generated; tests/sync/test_api_writes.py
    adds one from a server on 127.0.0.1)."""
    from tests.readers.conftest import make_user, signed_in

    make_user(store, settings, "root@example.org", "Root", role="admin")
    token = make_credential(signed_in(app, "root@example.org"), "api_token", "fuzz")
    statuses = fuzz(
        app,
        token,
        lambda op: (
            op.path.startswith("/api/v1/sources")
            and not (op.path == "/api/v1/sources" and op.method == "post")
        ),
    )
    assert set(statuses) == {
        "/api/v1/sources",
        "/api/v1/sources/{source_id}/pause",
        "/api/v1/sources/{source_id}/resume",
        "/api/v1/sources/{source_id}",
    }
    seen = set().union(*statuses.values())
    assert 200 in seen and max(seen) < 500
