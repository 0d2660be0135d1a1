"""Accounts in the browser: sign up, sign in, sign out, change password, reset password
by an emailed link. The guards (sessions, CSRF, Origin, rate limits) are in guard.py.

Messages never tell whether an address has an account: a wrong password and an unknown
address get the same words and the same argon2 work; a reset request always gets
"if the address exists, we sent a link". Sign-up says an address cannot be used unless
``signup_by_mail`` is on with SMTP (web/signup_mail.py: the same answer for every address,
the owner is mailed). Passwords and tokens are never logged.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet import accounts, mail
from broadsheet.config import Settings
from broadsheet.errors import MailError
from broadsheet.models import User
from broadsheet.web import guard, i18n
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _
from broadsheet.web.pages import render

log = logging.getLogger(__name__)
router = APIRouter()

SIGNIN_FAILED = N_("That email address and password do not match an account.")
RESET_SENT = N_(
    "If the address exists, we sent a link to it. The link works once, for %(minutes)s minutes."
)
NOTICES = {
    "password": N_("Your new password is set."),
    "digest-on": N_("You will get the Daily 8 by mail each day."),
    "digest-off": N_("You will not get the Daily 8 by mail."),
    "verified": N_("Your address is confirmed."),
    "verify-sent": N_("We sent a new link to your address."),
    "verify-new": N_(
        "Welcome. We sent a link to your address: open it to confirm it, then you can comment."
    ),
    "passkey-added": N_("Your passkey is added: you can sign in with it."),
    "passkey-removed": N_("The passkey is removed."),
    "revoked": N_("Revoked: programs that used it are signed out."),
}
LINK_BAD = N_("This link has expired or was used already. Ask for a new one.")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with forms: rendered, then the anonymous CSRF cookie set if it was made."""
    response = render(request, template, status, **context)
    response.headers["cache-control"] = "no-store"
    guard.anon_cookie(request, response)
    return response


def sign_in_first(request: Request) -> RedirectResponse:
    """To the sign-in page, coming back here after (for a form: to the page it was on)."""
    path = request.url.path
    if request.method != "GET":
        referer = urlsplit(request.headers.get("referer", ""))
        path = referer.path if referer.netloc == request.url.netloc else "/"
    target = quote(guard.local_path(path), safe="/")
    return RedirectResponse(f"/signin?next={target}", status_code=303)


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _signed_in(request: Request, user: User, target: str) -> RedirectResponse:
    response = RedirectResponse(guard.local_path(target), status_code=303)
    guard.start_session(request, response, user)
    return response


# --- sign in / out ----------------------------------------------------------------------


@router.get("/signin", response_class=HTMLResponse)
def signin_form(request: Request, next: str = Query(default="/", max_length=500)) -> Response:
    first = request.app.state.store.count_users() == 0
    return page(
        request, "auth_signin.html", next=guard.local_path(next), error="", email="", first=first
    )


@router.post("/signin", response_class=HTMLResponse)
def signin(request: Request, sent: PostedForm) -> Response:
    state = request.app.state
    email = accounts.normalize_email(sent.get("email")) or ""
    state.limits.hit("signin", guard.client_ip(request))
    state.limits.hit("signin_account", email or "-")
    found = state.store.user_by_email(email) if email else None
    user, stored = found if found else (None, None)
    password = sent.get("password")
    ok = state.passwords.verify(stored, password[: accounts.MAX_PASSWORD_CHARS])
    if not ok or user is None or user.disabled:
        return page(
            request,
            "auth_signin.html",
            400,
            next=guard.local_path(sent.get("next")),
            error=_(SIGNIN_FAILED),
            email=email,
        )
    if stored and state.passwords.needs_rehash(stored):
        state.store.update_user(user.id, password_hash=state.passwords.hash(password))
    return _signed_in(request, user, sent.get("next"))


@router.post("/signout")
def signout(request: Request, sent: PostedForm) -> Response:
    response = RedirectResponse("/", status_code=303)
    guard.end_session(request, response)
    # A shared computer keeps nothing of the reader: caches, the offline copies too.
    response.headers["clear-site-data"] = '"cache", "storage"'
    return response


# --- sign up ----------------------------------------------------------------------------


@router.get("/signup", response_class=HTMLResponse)
def signup_form(request: Request) -> Response:
    if not _settings(request).signup_open:
        return page(request, "auth_closed.html", 403)
    return page(request, "auth_signup.html", error="", name="", email="")


@router.post("/signup", response_class=HTMLResponse)
def signup(request: Request, background: BackgroundTasks, sent: PostedForm) -> Response:
    settings = _settings(request)
    state = request.app.state
    if not settings.signup_open:
        return page(request, "auth_closed.html", 403)
    state.limits.hit("signup", guard.client_ip(request))
    name, problem = accounts.display_name(sent.get("name"), _)
    email = accounts.normalize_email(sent.get("email"))
    password = sent.get("password")
    if email is None:
        problem = problem or _("Give an email address like name@example.org.")
    problem = problem or accounts.password_problem(password, settings.password_min_chars, _)
    if problem or name is None or email is None:
        return page(
            request,
            "auth_signup.html",
            400,
            error=problem,
            name=sent.get("name")[:60],
            email=sent.get("email")[:254],
        )
    from broadsheet.web import signup_mail

    if signup_mail.enabled(settings):  # the same answer for a new and a known address
        return signup_mail.answer(request, background, email, name, state.passwords.hash(password))
    verify = settings.verify_email
    user_id = state.store.create_user(
        email, name, state.passwords.hash(password), "reader", state.clock(), not verify
    )
    if user_id is None:
        return page(
            request,
            "auth_signup.html",
            400,
            error=_(
                "An account cannot be made with that address. If it is yours, sign in "
                "or reset your password."
            ),
            name=name,
            email="",
        )
    user = state.store.get_user(user_id)
    assert user is not None
    if verify:
        from broadsheet.web.verify import send_link

        send_link(request, background, user)
        return _signed_in(request, user, "/account?done=verify-new")
    return _signed_in(request, user, "/account")


# --- the account page and a new password ------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, done: str = Query(default="", max_length=20)) -> Response:
    user = guard.current_reader(request)
    if user is None:
        return sign_in_first(request)
    notice = _(NOTICES[done]) if done in NOTICES else ""
    return page(request, "auth_account.html", user=user, error="", notice=notice)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, sent: PostedForm) -> Response:
    user = sent.reader
    if user is None:
        return sign_in_first(request)
    state = request.app.state
    state.limits.hit("signin_account", user.email)
    found = state.store.user_by_email(user.email)
    new = sent.get("new_password")
    problem = accounts.password_problem(new, _settings(request).password_min_chars, _)
    if found is None or not state.passwords.verify(found[1], sent.get("password")):
        problem = _("The current password is not right.")
    if problem:
        return page(request, "auth_account.html", 400, user=user, error=problem, notice="")
    state.store.set_password(user.id, state.passwords.hash(new))  # ends every session
    return _signed_in(request, user, "/account?done=password")


# --- reset by mail ----------------------------------------------------------------------


@router.get("/reset", response_class=HTMLResponse)
def reset_form(request: Request) -> Response:
    return page(request, "auth_reset.html", notice="", error="")


@router.post("/reset", response_class=HTMLResponse)
def reset_request(request: Request, background: BackgroundTasks, sent: PostedForm) -> Response:
    settings = _settings(request)
    state = request.app.state
    state.limits.hit("reset", guard.client_ip(request))
    email = accounts.normalize_email(sent.get("email"))
    if email is None:
        return page(
            request, "auth_reset.html", 400, notice="", error=_("Give the address of your account.")
        )
    found = state.store.user_by_email(email)
    if found is not None and not found[0].disabled:
        token = accounts.new_token()
        now = state.clock()
        minutes = timedelta(minutes=settings.reset_link_minutes)
        state.store.create_reset(accounts.digest(token), found[0].id, now, now + minutes)
        # Never from the request's Host header: a forged Host would mail a link to
        # someone else's server (reset poisoning). Operators set public_url.
        origin = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
        # Sent after the response: the reply takes as long for unknown addresses.
        # In the account's language, else the one this page is in.
        lang = i18n.offered(found[0].language) or i18n.current_language()
        background.add_task(_send_reset, settings, email, f"{origin}/reset/{token}", lang)
    notice = _(RESET_SENT) % {"minutes": int(settings.reset_link_minutes)}
    return page(request, "auth_reset.html", notice=notice, error="")


def _send_reset(settings: Settings, email: str, link: str, lang: str = "en") -> None:
    with i18n.language(lang):
        body = _(
            "Someone (we hope you) asked to set a new password for your Broadsheet account.\n"
            "\n"
            "Open this link to choose one:\n"
            "\n"
            "%(link)s\n"
            "\n"
            "It works once, for %(minutes)s minutes. If you did not ask, ignore this mail: "
            "your password stays as it is.\n"
        ) % {"link": link, "minutes": int(settings.reset_link_minutes)}
        subject = _("Set a new Broadsheet password")
    try:
        mail.send(settings, email, subject, body)
    except MailError as exc:
        log.warning("reset mail not sent: %s", exc)  # no address, no link


def _reset_page(request: Request, status: int, **context: Any) -> Response:
    response = page(request, "auth_reset_new.html", status, **context)
    response.headers["referrer-policy"] = "no-referrer"  # the token is in the address
    return response


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_link(request: Request, token: str) -> Response:
    state = request.app.state
    valid = len(token) <= 100 and state.store.reset_user(accounts.digest(token), state.clock())
    if not valid:
        return _reset_page(request, 400, token="", error=_(LINK_BAD))
    return _reset_page(request, 200, token=token, error="")


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset_password(request: Request, token: str, sent: PostedForm) -> Response:
    state = request.app.state
    if len(token) > 100:
        raise HTTPException(status_code=404)
    new = sent.get("new_password")
    problem = accounts.password_problem(new, _settings(request).password_min_chars, _)
    if problem:
        return _reset_page(request, 400, token=token, error=problem)
    user_id = state.store.use_reset(
        accounts.digest(token), state.passwords.hash(new), state.clock()
    )
    user = state.store.get_user(user_id) if user_id is not None else None
    if user is None:
        return _reset_page(request, 400, token="", error=_(LINK_BAD))
    return _signed_in(request, user, "/account?done=password")
