"""Sign-up that does not tell whether an address has an account (``signup_by_mail``),
through a real SMTP server on 127.0.0.1: a new and a known address get the same page;
the new one is mailed a link that makes the account, the known one's owner is told that
someone tried (their password unchanged). Without SMTP the site still says so."""

from __future__ import annotations

import re

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from broadsheet.web.guard import SESSION_COOKIE
from tests.readers.conftest import PASSWORD, Mailbox, client, csrf_of, make_user, post_form
from tests.readers.test_reset import _app as mailed_app
from tests.web.sample import NOW, seed

LINK = re.compile(r"http://testserver/signup/[A-Za-z0-9_=-]+")
SENT = "We sent a mail to"


def _signup(c: object, email: str, password: str = "a new secret here") -> object:
    form = {"name": "Zoe", "email": email, "password": password}
    return post_form(c, "/signup", "/signup", form)  # type: ignore[arg-type]


def _body(mail: object) -> str:
    return mail.get_payload(decode=True).decode()  # type: ignore[attr-defined,no-any-return]


def test_a_new_and_a_known_address_get_the_same_answer(
    settings: Settings, store: Store, smtp: Mailbox
) -> None:
    app = mailed_app(settings.model_copy(update={"signup_by_mail": True}), store, smtp, [NOW])
    make_user(store, settings, "ann@example.org", name="Ann")
    c = client(app)
    known = _signup(c, "ann@example.org")
    new = _signup(c, "zoe@example.org")
    assert known.status_code == new.status_code == 200  # type: ignore[attr-defined]
    strip = lambda r: re.sub(r"(ann|zoe)@example.org|value=\"[^\"]+\"", "", r.text)  # noqa: E731
    assert strip(known) == strip(new) and SENT in new.text  # type: ignore[attr-defined]
    assert not c.cookies.get(SESSION_COOKIE)  # nobody is signed in by the form
    assert store.user_by_email("zoe@example.org") is None  # no account before the link
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"ann@example.org", "zoe@example.org"}
    tried = _body(by_to["ann@example.org"])
    assert "has one already" in tried and "http://testserver/reset" in tried
    assert not LINK.search(tried)
    # Ann's password is unchanged: the attempt's password does not sign in
    denied = post_form(
        client(app),
        "/signin",
        "/signin",
        {"email": "ann@example.org", "password": "a new secret here"},
    )
    assert denied.status_code != 303 and "do not match" in denied.text

    link = LINK.search(_body(by_to["zoe@example.org"]))
    assert link and "a new secret here" not in _body(by_to["zoe@example.org"])
    path = link.group(0).removeprefix("http://testserver")
    reader = client(app)
    page = reader.get(path)  # a mail scanner fetching the link makes no account
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    assert store.user_by_email("zoe@example.org") is None
    made = reader.post(
        path, data={"csrf": csrf_of(page.text)}, headers={"origin": "http://testserver"}
    )
    assert made.status_code == 200 and "Your address is confirmed." in made.text
    user = store.user_by_email("zoe@example.org")
    assert user is not None and user[0].verified and user[0].display_name == "Zoe"
    assert reader.cookies.get(SESSION_COOKIE)
    # the password chosen on the form is the account's
    again = post_form(
        client(app),
        "/signin",
        "/signin",
        {"email": "zoe@example.org", "password": "a new secret here"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    # a second press, or a forged link, makes nothing more
    second = post_form(client(app), path, path, {}, follow_redirects=False)
    assert second.status_code == 303 and second.headers["location"] == "/signin"
    forged = client(app).get(path[:-4] + "AAAA")
    assert forged.status_code == 400 and "expired or is not valid" in forged.text


def test_without_smtp_the_form_still_says_so(settings: Settings, store: Store) -> None:
    """The honest trade-off: with no mail there is no private channel to the owner."""
    seed(store)
    app = create_app(settings.model_copy(update={"signup_by_mail": True}), store)
    make_user(store, settings, "ann@example.org", name="Ann")
    known = _signup(client(app), "ann@example.org", PASSWORD + "x")
    assert known.status_code == 400 and "cannot be made with that address" in known.text
