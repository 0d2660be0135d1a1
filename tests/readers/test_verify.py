"""Optional email verification (BROADSHEET_VERIFY_EMAIL): a new account gets a signed
link through a real SMTP server (aiosmtpd) and cannot comment until it opens it."""

from __future__ import annotations

import re
import time

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import PASSWORD, Mailbox, client, make_user, post_form
from tests.web.sample import NOW

LINK = re.compile(r"http://testserver(/verify/[A-Za-z0-9_.-]+)")


def _app(settings: Settings, store: Store, smtp: Mailbox, **more: object) -> FastAPI:
    mailed = settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "public_url": "http://testserver",
            "verify_email": True,
            **more,
        }
    )
    return create_app(mailed, store, clock=lambda: NOW)


def _sign_up(app: FastAPI, email: str = "new@example.org") -> object:
    c = client(app)
    data = {"name": "Newcomer", "email": email, "password": PASSWORD}
    r = post_form(c, "/signup", "/signup", data)
    assert r.status_code == 200 and "We sent a link to your address" in r.text
    return c


def _links(smtp: Mailbox) -> list[str]:
    out = []
    for mail in smtp.messages:
        assert mail["Subject"] == "Confirm your Broadsheet address"
        found = LINK.search(mail.get_payload(decode=True).decode())
        assert found
        out.append(found.group(1))
    return out


def test_a_new_account_confirms_its_address_before_commenting(
    settings: Settings, store: Store, smtp: Mailbox, ids: dict[str, int]
) -> None:
    app = _app(settings, store, smtp)
    c = _sign_up(app)
    article = ids["port-strike-ends"]
    account = c.get("/account")  # type: ignore[attr-defined]
    assert "Your address is not confirmed yet" in account.text
    page = c.get(f"/articles/{article}")  # type: ignore[attr-defined]
    assert "Confirm your address to comment" in page.text and "comment-body" not in page.text
    r = post_form(c, f"/articles/{article}", f"/articles/{article}/comments", {"body": "Hi"})
    assert r.status_code == 403 and "Confirm your address first" in r.text
    assert store.article_comments(article, None, True, None, 10)[2] == 0
    [link] = _links(smtp)
    assert smtp.messages[0]["To"] == "new@example.org"
    opened = client(app).get(link)  # another browser: no sign-in needed
    assert opened.status_code == 200 and "Your address is confirmed" in opened.text
    assert opened.headers["referrer-policy"] == "no-referrer"
    found = store.user_by_email("new@example.org")
    assert found is not None and found[0].verified
    r = post_form(c, f"/articles/{article}", f"/articles/{article}/comments", {"body": "Hi"})
    assert r.status_code == 200  # posted (held: a new reader's first comment)
    assert "not confirmed" not in c.get("/account").text  # type: ignore[attr-defined]


def test_bad_links_and_sending_again(
    settings: Settings, store: Store, smtp: Mailbox, ids: dict[str, int]
) -> None:
    app = _app(settings, store, smtp)
    c = _sign_up(app)
    r = post_form(c, "/account", "/account/verify", {})
    assert r.status_code == 200 and "We sent a new link" in r.text
    first, second = _links(smtp)
    for bad in ("/verify/forged", first[:-3] + "abc", "/verify/" + "x" * 400):
        r = client(app).get(bad)
        assert r.status_code == 400 and "expired or is not valid" in r.text, bad
    user = store.user_by_email("new@example.org")[0]  # type: ignore[index]
    store.update_user(user.id, email="other@example.org")  # the address changed since
    assert client(app).get(second).status_code == 400
    assert not store.get_user(user.id).verified  # type: ignore[union-attr]
    store.update_user(user.id, email="new@example.org")
    assert client(app).get(second).status_code == 200
    assert store.get_user(user.id).verified  # type: ignore[union-attr]


def test_an_expired_link_is_refused(
    settings: Settings, store: Store, smtp: Mailbox, ids: dict[str, int]
) -> None:
    app = _app(settings, store, smtp, verify_link_hours=0.0001)  # 0.36 s
    _sign_up(app)
    [link] = _links(smtp)
    time.sleep(2.1)  # itsdangerous counts whole seconds
    r = client(app).get(link)
    assert r.status_code == 400 and "expired" in r.text


def test_off_by_default_and_operator_accounts_are_verified(
    app: FastAPI, settings: Settings, store: Store, smtp: Mailbox, ids: dict[str, int]
) -> None:
    c = client(app)
    data = {"name": "Plain", "email": "plain@example.org", "password": PASSWORD}
    post_form(c, "/signup", "/signup", data)
    assert store.user_by_email("plain@example.org")[0].verified  # type: ignore[index]
    uid = make_user(store, settings, "op@example.org")
    assert store.get_user(uid).verified  # type: ignore[union-attr]
    assert smtp.messages == []
