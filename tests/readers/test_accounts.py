"""Accounts over HTTP through the real app: sign up, sign in, sign out, change password,
and every guard (CSRF, Origin, rate limits, rotation, enumeration, disabled readers)."""

from __future__ import annotations

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from broadsheet.web.guard import SESSION_COOKIE
from tests.readers.conftest import PASSWORD, client, csrf_of, make_user, post_form, signed_in
from tests.web.sample import NOW


def test_sign_up_signs_in_and_shows_the_reader_in_the_masthead(app: FastAPI) -> None:
    c = client(app)
    r = post_form(
        c,
        "/signup",
        "/signup",
        {"name": "Ада Lovelace", "email": " Ada@Example.org ", "password": PASSWORD},
    )
    assert r.status_code == 200
    assert "Signed in as <strong>Ада Lovelace</strong> (ada@example.org)" in r.text
    home = c.get("/")
    assert 'class="reader-menu__name"' in home.text and "Ада Lovelace" in home.text
    cookie = next(k for k in c.cookies.jar if k.name == SESSION_COOKIE)
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert not cookie.secure  # plain http here; see the https test


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = client(app, "https://testserver")
    token = csrf_of(c.get("/signin").text)
    r = c.post(
        "/signin",
        data={"csrf": token, "email": "ann@example.org", "password": PASSWORD},
        headers={"origin": "https://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    set_cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    session = next(v for v in set_cookie if v.startswith(SESSION_COOKIE + "="))
    lowered = session.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered and "secure" in lowered


def test_bad_sign_up_input_gets_a_message_and_stores_nothing(app: FastAPI, store: Store) -> None:
    c = client(app)
    cases = [
        ({"name": "", "email": "a@example.org", "password": PASSWORD}, "Give a name"),
        ({"name": "A", "email": "not-an-address", "password": PASSWORD}, "Give an email"),
        ({"name": "A", "email": "a@example.org", "password": "short"}, "at least 10"),
        ({"name": "A\u202eB", "email": "a@example.org", "password": PASSWORD}, "cannot be shown"),
        ({"name": "x" * 61, "email": "a@example.org", "password": PASSWORD}, "60 characters"),
    ]
    for data, message in cases:
        r = post_form(c, "/signup", "/signup", data)
        assert r.status_code == 400 and message in r.text, data
    assert store.count_users() == 0


def test_signup_can_be_turned_off(settings: Settings, store: Store) -> None:
    closed = create_app(settings.model_copy(update={"signup_open": False}), store)
    c = client(closed)
    assert c.get("/signup").status_code == 403
    token = csrf_of(c.get("/signin").text)
    r = c.post(
        "/signup",
        data={"csrf": token, "name": "A", "email": "a@example.org", "password": PASSWORD},
    )
    assert r.status_code == 403 and "invite-only" in r.text
    assert store.count_users() == 0


def test_sign_in_messages_do_not_tell_whether_an_account_exists(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = client(app)
    wrong = post_form(
        c, "/signin", "/signin", {"email": "ann@example.org", "password": "wrong password!"}
    )
    unknown = post_form(
        c, "/signin", "/signin", {"email": "nobody@example.org", "password": "wrong password!"}
    )
    assert wrong.status_code == unknown.status_code == 400
    message = "That email address and password do not match an account."
    assert message in wrong.text and message in unknown.text
    assert wrong.text.replace("ann@", "X@") == unknown.text.replace("nobody@", "X@").replace(
        csrf_of(unknown.text), csrf_of(wrong.text)
    )


def test_session_id_is_rotated_at_sign_in_and_the_old_one_stops_working(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org", name="Ann")
    c = signed_in(app, "ann@example.org")
    first = c.cookies[SESSION_COOKIE]
    # Signing in again (or after a planted cookie) issues a new id and ends the old one.
    r = post_form(
        c,
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    second = c.cookies[SESSION_COOKIE]
    assert second != first
    replay = client(app)
    replay.plant(SESSION_COOKIE, first)
    assert "Ann" not in replay.get("/").text and replay.get("/account").status_code == 200
    assert replay.get("/account", follow_redirects=False).status_code == 303
    planted = client(app)
    planted.plant(SESSION_COOKIE, "attacker-chosen-value")
    r = post_form(
        planted,
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert planted.cookies[SESSION_COOKIE] != "attacker-chosen-value"


def test_sign_out_ends_the_session_and_clears_site_data(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = signed_in(app, "ann@example.org")
    token = c.cookies[SESSION_COOKIE]
    r = post_form(c, "/account", "/signout", {}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["clear-site-data"] == '"cache", "storage"'
    replay = client(app)
    replay.plant(SESSION_COOKIE, token)
    assert replay.get("/account", follow_redirects=False).status_code == 303


def test_csrf_missing_or_forged_is_refused(app: FastAPI, store: Store, settings: Settings) -> None:
    make_user(store, settings, "ann@example.org")
    c = signed_in(app, "ann@example.org")
    origin = {"origin": "http://testserver"}
    assert c.post("/signout", data={}, headers=origin).status_code == 403
    forged = c.post("/signout", data={"csrf": "0" * 64}, headers=origin)
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    # An anonymous form's token is not valid for a signed-in session, nor one of another session.
    other = client(app)
    anon_token = csrf_of(other.get("/signin").text)
    assert c.post("/signout", data={"csrf": anon_token}, headers=origin).status_code == 403
    # Anonymous: a token without its cookie, or signed by someone else, is refused.
    fresh = client(app)
    r = fresh.post(
        "/signin",
        data={"csrf": anon_token, "email": "ann@example.org", "password": PASSWORD},
        headers=origin,
    )
    assert r.status_code == 403
    assert c.get("/account").status_code == 200  # still signed in: nothing happened


def test_a_post_from_another_origin_is_refused(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = signed_in(app, "ann@example.org")
    token = csrf_of(c.get("/account").text)
    for headers in (
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
    ):
        r = c.post("/signout", data={"csrf": token}, headers=headers)
        assert r.status_code == 403, headers
    ok = c.post(
        "/signout",
        data={"csrf": token},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_sign_in_is_rate_limited_with_retry_after(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = client(app)
    statuses = []
    for _ in range(7):
        r = post_form(c, "/signin", "/signin", {"email": "ann@example.org", "password": "nope"})
        statuses.append(r.status_code)
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "Too many tries" in r.text
    # The right password does not get through the limit either.
    r = post_form(c, "/signin", "/signin", {"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 429


def test_sign_up_is_rate_limited_per_address(app: FastAPI, store: Store) -> None:
    c = client(app)
    for n in range(5):
        r = post_form(
            c, "/signup", "/signup", {"name": "N", "email": f"n{n}@example.org", "password": "x"}
        )
        assert r.status_code == 400
    r = post_form(c, "/signup", "/signup", {"name": "N", "email": "z@example.org", "password": "x"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_a_disabled_readers_session_stops_working(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    uid = make_user(store, settings, "ann@example.org", name="Ann")
    c = signed_in(app, "ann@example.org")
    token = csrf_of(c.get("/account").text)
    store.disable_user(uid, NOW)
    assert c.get("/account", follow_redirects=False).status_code == 303
    assert c.post("/signout", data={"csrf": token}).status_code == 403
    # And the right password no longer signs in, with the usual message.
    r = post_form(c, "/signin", "/signin", {"email": "ann@example.org", "password": PASSWORD})
    assert r.status_code == 400 and "do not match an account" in r.text


def test_change_password_checks_the_current_one_and_rotates_the_session(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    c = signed_in(app, "ann@example.org")
    elsewhere = signed_in(app, "ann@example.org")
    before = c.cookies[SESSION_COOKIE]
    bad = post_form(
        c, "/account", "/account/password", {"password": "wrong", "new_password": "a new one here"}
    )
    assert bad.status_code == 400 and "current password is not right" in bad.text
    r = post_form(
        c, "/account", "/account/password", {"password": PASSWORD, "new_password": "a new one here"}
    )
    assert r.status_code == 200 and "Your new password is set." in r.text
    assert c.cookies[SESSION_COOKIE] != before
    assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # other devices
    again = client(app)
    r = post_form(
        again,
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": "a new one here"},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_forms_of_bad_bytes_get_a_status_not_a_crash(app: FastAPI) -> None:
    c = client(app)
    token = csrf_of(c.get("/signin").text)
    origin = {"origin": "http://testserver", "content-type": "application/x-www-form-urlencoded"}
    binary = c.post(
        "/signin", content=b"csrf=" + token.encode() + b"&email=\xff\xfe", headers=origin
    )
    assert binary.status_code == 400
    escaped = c.post("/signin", content=f"csrf={token}&email=%ff%fe".encode(), headers=origin)
    assert escaped.status_code == 400
    huge = c.post("/signin", content=b"csrf=" + b"a" * 70_000, headers=origin)
    assert huge.status_code == 413
    as_json = c.post("/signin", json={"csrf": token}, headers={"origin": "http://testserver"})
    assert as_json.status_code == 400


def test_sign_in_redirects_only_to_this_site(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org")
    for target, expected in (("/saved", "/saved"), ("//evil.example/x", "/"), ("https://e.x", "/")):
        c = client(app)
        r = post_form(
            c,
            "/signin",
            "/signin",
            {"email": "ann@example.org", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == expected


def test_the_csrf_key_is_made_once_even_when_first_requests_race(
    settings: Settings, store: Store
) -> None:
    import threading

    from broadsheet.web.readers import SECRET_META_KEY, secret

    app = create_app(settings, store)
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(secret(app))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(keys)) == 1 and store.get_meta(SECRET_META_KEY) == keys[0]
    # And forms made by one page load are accepted by the next (the key is stable).
    c = client(app)
    make_user(store, settings, "ann@example.org")
    r = post_form(
        c,
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
