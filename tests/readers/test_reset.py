"""Password reset through a real SMTP server on 127.0.0.1: the link is read from the mail
that arrived and used like a reader would; an expired or reused link is refused."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from broadsheet.web.guard import SESSION_COOKIE
from tests.readers.conftest import Mailbox, client, csrf_of, make_user, post_form
from tests.web.sample import NOW, seed

SENT = "If the address exists, we sent a link to it."
LINK = re.compile(r"http://testserver/reset/[A-Za-z0-9_-]+")


def _app(settings: Settings, store: Store, smtp: Mailbox, clock: list) -> object:
    seed(store)
    mailed = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "public_url": "http://testserver"}
    )
    return create_app(mailed, store, clock=lambda: clock[0])


def _link(smtp: Mailbox) -> str:
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "ann@example.org" and mail["Subject"] == "Set a new Broadsheet password"
    found = LINK.search(mail.get_payload(decode=True).decode())
    assert found
    return found.group(0).removeprefix("http://testserver")


def test_reset_by_mailed_link_then_the_link_is_spent(
    settings: Settings, store: Store, smtp: Mailbox
) -> None:
    clock = [NOW]
    app = _app(settings, store, smtp, clock)
    make_user(store, settings, "ann@example.org", name="Ann")
    c = client(app)
    known = post_form(c, "/reset", "/reset", {"email": "Ann@example.org"})
    unknown = post_form(c, "/reset", "/reset", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert SENT in known.text and SENT in unknown.text
    path = _link(smtp)  # one mail: none for the unknown address

    page = c.get(path)
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    r = c.post(
        path,
        data={"csrf": csrf_of(page.text), "new_password": "a brand new secret"},
        headers={"origin": "http://testserver"},
    )
    assert r.status_code == 200 and "Your new password is set." in r.text
    assert "Ann" in c.get("/").text and c.cookies.get(SESSION_COOKIE)

    again = client(app)
    reused = again.get(path)
    assert reused.status_code == 400 and "expired or was used already" in reused.text
    r = post_form(again, "/reset", path, {"new_password": "another new secret"})
    assert r.status_code == 400 and "expired or was used already" in r.text
    ok = post_form(
        again,
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": "a brand new secret"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_an_expired_link_is_refused(settings: Settings, store: Store, smtp: Mailbox) -> None:
    clock = [NOW]
    app = _app(settings, store, smtp, clock)
    make_user(store, settings, "ann@example.org")
    c = client(app)
    post_form(c, "/reset", "/reset", {"email": "ann@example.org"})
    path = _link(smtp)
    page = c.get(path)
    clock[0] = NOW + timedelta(minutes=settings.reset_link_minutes + 1)
    r = c.post(
        path,
        data={"csrf": csrf_of(page.text), "new_password": "a brand new secret"},
        headers={"origin": "http://testserver"},
    )
    assert r.status_code == 400 and "expired or was used already" in r.text
    assert c.get(path).status_code == 400
    assert client(app).get("/reset/" + "x" * 500).status_code == 400


def test_reset_requests_are_rate_limited(settings: Settings, store: Store, smtp: Mailbox) -> None:
    app = _app(settings, store, smtp, [NOW])
    c = client(app)
    for _ in range(5):
        assert post_form(c, "/reset", "/reset", {"email": "x@example.org"}).status_code == 200
    r = post_form(c, "/reset", "/reset", {"email": "x@example.org"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_a_failing_mail_server_still_gives_the_same_answer(
    settings: Settings, store: Store, caplog: object
) -> None:
    seed(store)
    # A port nobody listens on: the mail fails after the answer, which stays the same.
    app = create_app(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9}), store)
    make_user(store, settings, "ann@example.org")
    r = post_form(client(app), "/reset", "/reset", {"email": "ann@example.org"})
    assert r.status_code == 200 and SENT in r.text
    logged = " ".join(rec.getMessage() for rec in caplog.records)  # type: ignore[attr-defined]
    assert "reset mail not sent" in logged and "/reset/" not in logged and "ann@" not in logged


def test_a_forged_host_header_does_not_change_the_mailed_link(
    settings: Settings, store: Store, smtp: Mailbox
) -> None:
    app = _app(settings, store, smtp, [NOW])
    make_user(store, settings, "ann@example.org")
    c = client(app)
    post_form(c, "/reset", "/reset", {"email": "ann@example.org"}, headers={"host": "evil.example"})
    assert "evil.example" not in smtp.messages[0].get_payload(decode=True).decode()
    assert _link(smtp).startswith("/reset/")
    # Without public_url, links point at the configured host and port, never at Host.
    plain = create_app(
        settings.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port}), store
    )
    smtp.messages.clear()
    post_form(
        client(plain),
        "/reset",
        "/reset",
        {"email": "ann@example.org"},
        headers={"host": "evil.example", "origin": "http://evil.example"},
    )
    body = smtp.messages[0].get_payload(decode=True).decode()
    assert "http://127.0.0.1:8000/reset/" in body and "evil.example" not in body


def test_passwords_and_tokens_never_reach_the_logs(
    settings: Settings, store: Store, smtp: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # every statement and value
    app = _app(settings, store, smtp, [NOW])
    c = client(app)
    post_form(
        c,
        "/signup",
        "/signup",
        {"name": "Ann", "email": "ann@example.org", "password": "first secret pass"},
    )
    post_form(
        c, "/signin", "/signin", {"email": "ann@example.org", "password": "wrong secret pass"}
    )
    post_form(c, "/reset", "/reset", {"email": "ann@example.org"})
    path = _link(smtp)
    post_form(c, path, path, {"new_password": "second secret pass"})
    # The server's loggers (the test's SMTP server and HTTP client log what they carry).
    ours = ("broadsheet", "uvicorn", "fastapi", "starlette", "sqlalchemy", "alembic")
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args}" for r in caplog.records if r.name.startswith(ours)
    )
    assert "INSERT INTO sessions" in logged  # the store's statements were seen
    token = path.rsplit("/", 1)[1]
    for secret in ("first secret pass", "wrong secret pass", "second secret pass", token):
        assert secret not in logged
    for cookie in c.cookies.jar:
        assert cookie.value not in logged
