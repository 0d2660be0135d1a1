"""App passwords and API tokens on the account page: made with a plain form, shown once,
kept only as digests, listed with label and times, revoked; someone else's stay theirs."""

from __future__ import annotations

import hashlib

from fastapi import FastAPI
from sqlalchemy import select

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.store.schema import app_credentials
from tests.readers.conftest import Client, csrf_of, make_user, post_form, signed_in
from tests.sync.conftest import make_credential


def test_an_app_password_is_shown_once_and_kept_as_a_digest(browser: Client, store: Store) -> None:
    secret = make_credential(browser, label="Reeder on my phone")
    assert len(secret) == 35 and secret.count("-") == 5
    page = browser.get("/account").text
    assert "Reeder on my phone" in page and "App password" in page
    assert secret not in page  # never shown again
    with store.reader() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(app_credentials))]
    assert len(rows) == 1
    assert rows[0]["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(v) for v in rows[0].values())
    assert rows[0]["fever_hash"] and rows[0]["expires_at"] is None


def test_a_token_with_an_expiry_and_its_page_is_not_cached(browser: Client) -> None:
    token = post_form(
        browser,
        "/account",
        "/account/credentials",
        {"kind": "api_token", "label": "my script", "expires": "30"},
    )
    assert token.status_code == 200
    assert token.headers["cache-control"] == "no-store"
    assert "Authorization: Bearer bsk_" in token.text
    assert "in 30 days" in token.text  # the form is there to make another
    assert "Jun 15, 2024" in browser.get("/account").text  # expiry listed: NOW + 30 days


def test_bad_choices_are_refused_with_a_message(browser: Client, store: Store) -> None:
    long_label = post_form(
        browser, "/account", "/account/credentials", {"kind": "api_token", "label": "x" * 101}
    )
    assert long_label.status_code == 400 and "100 characters" in long_label.text
    kind = post_form(browser, "/account", "/account/credentials", {"kind": "root"})
    assert kind.status_code == 400 and "Choose an app password or a token" in kind.text
    expiry = post_form(
        browser, "/account", "/account/credentials", {"kind": "api_token", "expires": "1000"}
    )
    assert expiry.status_code == 400 and "Choose when it expires" in expiry.text
    assert store.credentials_of(1) == []


def test_at_most_so_many_per_reader(app: FastAPI, settings: Settings, browser: Client) -> None:
    settings.credentials_max = 2
    make_credential(browser)
    make_credential(browser, "api_token")
    third = post_form(browser, "/account", "/account/credentials", {"kind": "api_token"})
    assert third.status_code == 400 and "revoke one" in third.text


def test_revoke_own_only(
    app: FastAPI, browser: Client, store: Store, settings: Settings, reader_id: int
) -> None:
    make_credential(browser, label="old laptop")
    (mine,) = store.credentials_of(reader_id)
    make_user(store, settings, "eve@example.org", "Eve")
    eve = signed_in(app, "eve@example.org")
    theirs = post_form(eve, "/account", f"/account/credentials/{mine['id']}/revoke", {})
    assert theirs.status_code == 404 and len(store.credentials_of(reader_id)) == 1
    bogus = post_form(browser, "/account", "/account/credentials/abc/revoke", {})
    assert bogus.status_code == 404
    done = post_form(browser, "/account", f"/account/credentials/{mine['id']}/revoke", {})
    assert done.status_code == 200 and "Revoked" in done.text
    assert "old laptop" not in done.text and store.credentials_of(reader_id) == []


def test_forms_need_the_csrf_token_and_a_session(app: FastAPI, browser: Client) -> None:
    origin = {"origin": "http://testserver"}
    forged = browser.post(
        "/account/credentials", data={"kind": "api_token", "csrf": "x"}, headers=origin
    )
    assert forged.status_code == 403
    other_site = browser.post(
        "/account/credentials",
        data={"kind": "api_token", "csrf": csrf_of(browser.get("/account").text)},
        headers={"origin": "https://evil.example"},
    )
    assert other_site.status_code == 403
    anonymous = Client(app, "http://testserver")
    r = post_form(anonymous, "/signin", "/account/credentials", {"kind": "api_token"})
    assert r.status_code == 200 and "/signin" in str(r.url)  # sent to sign in first
