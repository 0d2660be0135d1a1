"""Optional email verification (``BROADSHEET_VERIFY_EMAIL``): a new account gets a signed
link by mail and cannot comment until it is opened.

The link carries the account's id and address, signed and dated with the site's key
(itsdangerous, its own salt), valid ``verify_link_hours``. It names the address, so a
link mailed before the address changed proves nothing about the new one. Opening it marks
the account verified (no sign-in needed: the mail reached the address). The account page
can send it again (rate-limited like reset requests). Accounts made by the operator
(``broadsheet users create``) and accounts made while the setting is off are verified.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from broadsheet import mail
from broadsheet.config import Settings
from broadsheet.digest_mail import site_origin, site_secret
from broadsheet.errors import MailError
from broadsheet.models import User
from broadsheet.web import guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm

log = logging.getLogger(__name__)
router = APIRouter()

_SALT = "broadsheet-verify-email"
LINK_BAD = "This link has expired or is not valid. Sign in and ask for a new one on your account."


def must_verify(request: Request, reader: User | None) -> bool:
    """Whether this reader has to confirm their address before commenting."""
    return bool(
        reader is not None and request.app.state.settings.verify_email and not reader.verified
    )


def _signer(request: Request) -> URLSafeTimedSerializer:
    state = request.app.state
    return URLSafeTimedSerializer(site_secret(state.settings, state.store), salt=_SALT)


def send_link(request: Request, background: BackgroundTasks, user: User) -> None:
    """Mail the account a verification link (after the response)."""
    settings: Settings = request.app.state.settings
    token = _signer(request).dumps({"u": user.id, "e": user.email})
    link = f"{site_origin(settings)}/verify/{token}"
    background.add_task(_send, settings, user.email, link)


def _send(settings: Settings, email: str, link: str) -> None:
    hours = int(settings.verify_link_hours)
    body = (
        "Welcome to Broadsheet. Open this link to confirm your address, so you can "
        f"comment:\n\n{link}\n\nIt works for {hours} hours. If you did not make an "
        "account, ignore this mail.\n"
    )
    try:
        mail.send(settings, email, "Confirm your Broadsheet address", body)
    except MailError as exc:
        log.warning("verification mail not sent: %s", exc)  # no address, no link


@router.get("/verify/{token}", response_class=HTMLResponse)
def verify(request: Request, token: str) -> Response:
    state = request.app.state
    max_age = int(state.settings.verify_link_hours * 3600)
    user = None
    if len(token) <= 300:
        try:
            data = _signer(request).loads(token, max_age=max_age)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("u"), int):
            user = state.store.get_user(data["u"])
            if user is not None and user.email != data.get("e"):
                user = None  # the address changed since: the link proves nothing
    if user is None or user.disabled:
        response = page(request, "verify_done.html", 400, error=LINK_BAD)
    else:
        if not user.verified:
            state.store.update_user(user.id, verified_at=state.clock())
        response = page(request, "verify_done.html", error="")
    response.headers["referrer-policy"] = "no-referrer"
    return response


@router.post("/account/verify")
def resend(request: Request, background: BackgroundTasks, sent: PostedForm) -> Response:
    reader = sent.reader
    if reader is None:
        return sign_in_first(request)
    if reader.verified:
        return RedirectResponse("/account?done=verified", status_code=303)
    request.app.state.limits.hit("reset", guard.client_ip(request))
    send_link(request, background, reader)
    return RedirectResponse("/account?done=verify-sent", status_code=303)
