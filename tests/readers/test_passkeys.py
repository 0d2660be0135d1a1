"""Passkeys over HTTP (the browser test registers and signs in for real): the routes'
guards and bad input — CSRF, missing / forged / replayed challenges, broken credentials,
other readers' passkeys — each a clear status and message, nothing stored."""

from __future__ import annotations

import json

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.readers.conftest import client, csrf_of, make_user, post_form, signed_in
from tests.web.sample import NOW


def test_guards_and_bad_input(app: FastAPI, store: Store, settings: Settings) -> None:
    uid = make_user(store, settings, "ada@example.org", "Ada")
    other = make_user(store, settings, "bob@example.org", "Bob")
    theirs = store.add_passkey(other, "Y3JlZA", b"\xa5", 0, "Bob's key", NOW)
    assert theirs is not None
    c = signed_in(app, "ada@example.org")

    # no CSRF token, or another site's form: 403
    assert c.post("/account/passkeys/options", data={}).status_code == 403
    forged = c.post(
        "/account/passkeys/options",
        data={"csrf": csrf_of(c.get("/account").text)},
        headers={"origin": "https://evil.example"},
    )
    assert forged.status_code == 403

    # options: the site is the relying party, the reader's existing keys are excluded
    r = post_form(c, "/account", "/account/passkeys/options", {})
    options = r.json()["publicKey"]
    assert options["rp"] == {"id": "testserver", "name": "Broadsheet"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert (
        "bs_webauthn" in r.headers["set-cookie"]
        and "samesite=strict" in r.headers["set-cookie"].lower()
    )

    # a broken credential: refused, nothing stored; the challenge is then spent
    broken = {"credential": json.dumps({"id": "x", "response": {}}), "name": "Mine"}
    r = post_form(c, "/account", "/account/passkeys", broken)
    assert (
        r.status_code == 400 and r.json()["error"] == "The passkey could not be added. Try again."
    )
    r = post_form(c, "/account", "/account/passkeys", broken)
    assert r.status_code == 400 and "too old" in r.json()["error"]
    assert store.passkeys_of(uid) == []

    # a forged challenge cookie
    c.plant("bs_webauthn", "forged.value.here")
    r = post_form(c, "/account", "/account/passkeys", broken)
    assert r.status_code == 400 and "too old" in r.json()["error"]

    # another reader's passkey cannot be removed by guessing its id
    r = post_form(c, "/account", f"/account/passkeys/{theirs}/remove", {})
    assert r.status_code == 404 and len(store.passkeys_of(other)) == 1
    assert post_form(c, "/account", "/account/passkeys/abc/remove", {}).status_code == 404

    # anonymous: registering needs an account
    anon = client(app)
    r = post_form(anon, "/signin", "/account/passkeys/options", {})
    assert r.status_code == 401


def test_signing_in_with_a_bad_or_unknown_passkey(app: FastAPI, store: Store) -> None:
    anon = client(app)
    r = post_form(anon, "/signin", "/signin/passkey/options", {})
    assert r.status_code == 200 and r.json()["publicKey"]["rpId"] == "testserver"
    for credential in ("", "not json", json.dumps({"id": "unknown"}), json.dumps([1, 2])):
        post_form(anon, "/signin", "/signin/passkey/options", {})
        r = post_form(anon, "/signin", "/signin/passkey", {"credential": credential})
        assert r.status_code == 400, credential
        assert r.json()["error"].startswith("That passkey did not work here")
        assert "bs_session" not in r.headers.get("set-cookie", "")
    # without asking for options first (no challenge)
    fresh = client(app)
    r = post_form(fresh, "/signin", "/signin/passkey", {"credential": "{}"})
    assert r.status_code == 400 and "too old" in r.json()["error"]
