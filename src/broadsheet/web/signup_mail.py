"""Sign-up that does not tell whether an address has an account
(``BROADSHEET_SIGNUP_BY_MAIL``, with SMTP configured).

The form answers "check your mail" for every well-formed request. A new address gets a
link; the account is made only when the link is opened (so trying a password on an
address one does not own cannot show whether it was free either). An address that has an
account gets a mail telling its owner someone tried, with the ways to sign in or reset.

The link carries the name, the address and the password's argon2 hash, encrypted and
dated (Fernet, with a key derived from the site's key), valid ``verify_link_hours``: the
hash is never readable in the mail, the link or a log. Opening it shows a button (a mail
scanner that fetches links makes no account); pressing it makes the account, verified
(the mail reached the address), and signs the reader in. A second press finds the account
made and sends the reader to sign in.

Without SMTP there is no private way to tell the owner, so the site keeps saying "an
account cannot be made with that address" (see docs/notes/issue-13-api2.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging

from cryptography.fernet import Fernet, InvalidToken
from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet import mail
from broadsheet.config import Settings
from broadsheet.digest_mail import site_origin, site_secret
from broadsheet.errors import MailError
from broadsheet.web import i18n
from broadsheet.web.auth import _signed_in, page
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _

log = logging.getLogger(__name__)
router = APIRouter()

_SALT = b"broadsheet-signup-by-mail"
MAX_TOKEN = 1000
LINK_BAD = N_("This link has expired or is not valid. Sign up again to get a new one.")


def enabled(settings: Settings) -> bool:
    return bool(settings.signup_by_mail and settings.smtp_host)


def _fernet(request: Request) -> Fernet:
    state = request.app.state
    secret = site_secret(state.settings, state.store).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_SALT + secret).digest()))


def answer(
    request: Request, background: BackgroundTasks, email: str, name: str, password_hash: str
) -> Response:
    """The same page for every address; the mail (sent after the response) differs."""
    state = request.app.state
    settings: Settings = state.settings
    origin = site_origin(settings)
    found = state.store.user_by_email(email)
    if found is None:
        lang = i18n.current_language()
        payload = {"e": email, "n": name, "h": password_hash}
        token = _fernet(request).encrypt(json.dumps(payload).encode()).decode()
        background.add_task(_send_link, settings, email, f"{origin}/signup/{token}", lang)
    else:
        lang = i18n.offered(found[0].language) or i18n.current_language()
        background.add_task(_send_tried, settings, email, origin, lang)
    return page(request, "auth_signup_sent.html", email=email)


def _send(settings: Settings, email: str, subject: str, body: str) -> None:
    try:
        mail.send(settings, email, subject, body)
    except MailError as exc:
        log.warning("sign-up mail not sent: %s", exc)


def _send_link(settings: Settings, email: str, link: str, lang: str) -> None:
    with i18n.language(lang):
        body = _(
            "Someone (we hope you) asked for a Broadsheet account with this address.\n"
            "\n"
            "Open this link to make it:\n"
            "\n"
            "%(link)s\n"
            "\n"
            "It works for %(hours)s hours. If you did not ask, ignore this mail: no account "
            "is made.\n"
        ) % {"link": link, "hours": int(settings.verify_link_hours)}
        _send(settings, email, _("Finish making your Broadsheet account"), body)


def _send_tried(settings: Settings, email: str, origin: str, lang: str) -> None:
    with i18n.language(lang):
        body = _(
            "Someone (perhaps you) tried to make a Broadsheet account with this address, "
            "which has one already. Nothing was changed.\n"
            "\n"
            "If it was you, sign in: %(signin)s\n"
            "Forgot your password? Set a new one: %(reset)s\n"
            "\n"
            "If it was not you, ignore this mail.\n"
        ) % {"signin": f"{origin}/signin", "reset": f"{origin}/reset"}
        _send(settings, email, _("Your Broadsheet account"), body)


def _opened(request: Request, token: str) -> dict[str, str] | None:
    if len(token) > MAX_TOKEN:
        return None
    ttl = int(request.app.state.settings.verify_link_hours * 3600)
    try:
        found = json.loads(_fernet(request).decrypt(token.encode(), ttl=ttl))
    except (InvalidToken, ValueError):
        return None
    return found if isinstance(found, dict) and {"e", "n", "h"} <= set(found) else None


def _confirm_page(request: Request, status: int, token: str, email: str, error: str) -> Response:
    response = page(
        request, "auth_signup_confirm.html", status, token=token, email=email, error=error
    )
    response.headers["referrer-policy"] = "no-referrer"  # the token is in the address
    return response


@router.get("/signup/{token}", response_class=HTMLResponse)
def confirm_form(request: Request, token: str) -> Response:
    found = _opened(request, token)
    if found is None:
        return _confirm_page(request, 400, "", "", _(LINK_BAD))
    return _confirm_page(request, 200, token, found["e"], "")


@router.post("/signup/{token}", response_class=HTMLResponse)
def confirm(request: Request, token: str, sent: PostedForm) -> Response:
    state = request.app.state
    found = _opened(request, token)
    if found is None:
        return _confirm_page(request, 400, "", "", _(LINK_BAD))
    user_id = state.store.create_user(
        found["e"], found["n"], found["h"], "reader", state.clock(), True
    )
    if user_id is None:  # made by an earlier press of the button
        return RedirectResponse("/signin", status_code=303)
    user = state.store.get_user(user_id)
    assert user is not None
    return _signed_in(request, user, "/account?done=verified")
