"""The interface language: the switcher (cookie, and the account of a signed-in reader),
Accept-Language, English; right-to-left Arabic; error pages and form errors translated."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Mailbox, client, make_user, post_form, signed_in
from tests.web.sample import NOW

ORIGIN = {"origin": "http://testserver"}


def _switch(c, lang: str, next_path: str = "/latest", **kw):  # type: ignore[no-untyped-def]
    return c.post(
        "/language",
        data={"lang": lang, "next": next_path},
        headers=kw.pop("headers", ORIGIN),
        follow_redirects=False,
    )


def test_accept_language_picks_an_offered_language(app: FastAPI) -> None:
    c = client(app)
    page = c.get("/latest", headers={"accept-language": "de-DE, fr;q=0.8"}).text
    assert '<html lang="fr" dir="ltr">' in page
    assert "Dernières nouvelles" in page
    page = c.get("/latest", headers={"accept-language": "ar-EG"}).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "آخر الأخبار" in page
    page = c.get("/latest", headers={"accept-language": "de-DE"}).text
    assert '<html lang="en" dir="ltr">' in page and "Latest news" in page


def test_the_switcher_is_on_every_page_and_remembers_the_choice(app: FastAPI) -> None:
    c = client(app)
    page = c.get("/latest").text
    assert 'action="/language"' in page
    for code in ("en", "fr", "ar"):
        assert f'name="lang" value="{code}" lang="{code}"' in page
    r = _switch(c, "ar", "/search?q=port")
    assert r.status_code == 303 and r.headers["location"] == "/search?q=port"
    assert "httponly" in r.headers["set-cookie"].lower()
    page = c.get("/latest", headers={"accept-language": "fr"}).text  # the choice wins
    assert '<html lang="ar" dir="rtl">' in page
    assert 'value="ar" lang="ar" class="link-button" aria-current="true"' in page


def test_the_switcher_refuses_other_sites_and_unknown_languages(app: FastAPI) -> None:
    c = client(app)
    assert _switch(c, "fr", headers={"origin": "https://evil.example"}).status_code == 403
    for bad in ("de", "", "FR", "fr-CA", "ar\x00", "x" * 500):
        assert _switch(c, bad).status_code == 400, bad
    r = _switch(c, "fr", "//evil.example/")
    assert r.headers["location"] == "/"  # never off the site
    assert "Dernières nouvelles" in c.get("/latest").text


def test_a_signed_in_readers_choice_follows_them_to_another_device(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    uid = make_user(store, settings, "amal@example.org")
    phone = signed_in(app, "amal@example.org")
    assert _switch(phone, "ar").status_code == 303
    assert store.get_user(uid).language == "ar"  # type: ignore[union-attr]
    laptop = signed_in(app, "amal@example.org")  # no language cookie here
    page = laptop.get("/account", headers={"accept-language": "fr"}).text
    assert '<html lang="ar" dir="rtl">' in page and "حسابك" in page


def test_error_pages_and_form_errors_are_translated(app: FastAPI) -> None:
    c = client(app)
    _switch(c, "fr")
    r = c.get("/nowhere")
    assert r.status_code == 404
    assert "Page introuvable" in r.text and "Rien n’est publié à <code>/nowhere</code>" in r.text
    r = c.get("/search?q=port&from=yesterday")
    assert "La date « from » n’est pas une date (AAAA-MM-JJ) et a été ignorée." in r.text


def test_plurals_and_dates_follow_the_interface_language(app: FastAPI) -> None:
    c = client(app)
    _switch(c, "fr")
    note = re.search(r'<p class="section-note">([^<]*)</p>', c.get("/search?q=port").text)
    assert note and re.fullmatch(r"1 article · 1 résultat", note.group(1)), note
    assert "il y a" in c.get("/latest").text  # relative times in French
    _switch(c, "ar")
    assert "قبل" in c.get("/latest").text  # "… ago" in Arabic


def test_the_reset_mail_speaks_the_accounts_language(
    store: Store, settings: Settings, smtp: Mailbox
) -> None:
    mailed = settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "public_url": "http://testserver"}
    )
    app = create_app(mailed, store, clock=lambda: NOW)
    uid = make_user(store, settings, "amal@example.org")
    store.update_user(uid, language="ar")
    c = client(app)  # an English page: the account's language wins for its mail
    r = post_form(c, "/reset", "/reset", {"email": "amal@example.org"})
    assert r.status_code == 200 and "If the address exists" in r.text
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == "عيّن كلمة مرور جديدة لـBroadsheet"
    body = mail.get_payload(decode=True).decode()
    assert "افتح هذا الرابط" in body and "http://testserver/reset/" in body


def test_a_server_error_page_speaks_the_readers_language(
    settings: Settings, store: Store, ids: dict[str, int]
) -> None:
    app = create_app(settings, store, clock=lambda: NOW)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    c = client(app)
    _switch(c, "fr")
    r = c.get("/boom")
    assert r.status_code == 500
    assert "Une erreur s’est produite" in r.text and '<html lang="fr"' in r.text
