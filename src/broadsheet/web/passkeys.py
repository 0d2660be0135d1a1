"""Passkeys (WebAuthn, the ``webauthn`` package) as a second way to sign in: a signed-in
reader registers one on the account page; the sign-in page signs in with one (a
discoverable credential: no address to type); the account page removes them.

- The relying party is the site: its id is the host of ``public_url`` (else of the
  request), the expected origin the site's origin. Browsers accept ``localhost`` as an
  RP id but not an IP address (Chromium: "This is an invalid domain"), so a site reached
  as http://127.0.0.1 cannot offer passkeys; the ``webauthn`` package itself checks only
  that the id is not empty and that the authenticator signed its hash.
- A challenge lives in a signed, dated cookie (itsdangerous, 5 minutes, HttpOnly,
  SameSite=Strict) that also says what it is for (register for reader N, or sign in), and
  is spent on first use (kept in memory for its lifetime: one server process, like the
  rate limits).
- Every POST is a form post with the CSRF token and passes the Origin check (guard.py);
  the JSON answers are for the page's script (static/passkeys.js). Signing in with a
  passkey counts against the sign-in rate limit; a wrong or replayed answer gets a plain
  message, never a trace; the signature counter must grow (a cloned authenticator fails).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from broadsheet.models import User
from broadsheet.web import guard
from broadsheet.web.auth import sign_in_first
from broadsheet.web.comments import _id
from broadsheet.web.guard import PostedForm

log = logging.getLogger(__name__)
router = APIRouter()

COOKIE = "bs_webauthn"
CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 10
FAILED = "That passkey did not work here. Try again, or sign in with your password."
_spent: dict[str, float] = {}
_spent_lock = threading.Lock()


def relying_party(request: Request) -> tuple[str, str]:
    """(RP id, expected origin) of this site."""
    settings = request.app.state.settings
    origin = (settings.public_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
    return (urlsplit(origin).hostname or ""), origin


def _signer(request: Request) -> URLSafeTimedSerializer:
    from broadsheet.digest_mail import site_secret

    state = request.app.state
    return URLSafeTimedSerializer(site_secret(state.settings, state.store), salt="bs-webauthn")


def _remember(request: Request, response: Response, challenge: bytes, purpose: str) -> None:
    from webauthn.helpers import bytes_to_base64url

    token = _signer(request).dumps({"c": bytes_to_base64url(challenge), "p": purpose})
    response.set_cookie(
        COOKIE,
        token,
        max_age=CHALLENGE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=guard.is_https(request),
        path="/",
    )


def _challenge(request: Request, purpose: str) -> bytes | None:
    """The challenge this browser was given for ``purpose``, spent now; None if missing,
    forged, expired, for something else, or used already."""
    from webauthn.helpers import base64url_to_bytes

    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 500:
        return None
    try:
        data = _signer(request).loads(raw, max_age=CHALLENGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != purpose or not isinstance(data.get("c"), str):
        return None
    now = time.monotonic()
    with _spent_lock:
        for old in [c for c, until in _spent.items() if until < now]:
            del _spent[old]
        if data["c"] in _spent:
            return None
        _spent[data["c"]] = now + CHALLENGE_SECONDS + 5
    return base64url_to_bytes(data["c"])


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    response = JSONResponse(body, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _handle(user: User) -> bytes:
    return b"bs-user:" + str(user.id).encode()


# --- register (the account page) --------------------------------------------------------


@router.post("/account/passkeys/options")
def registration_options(request: Request, sent: PostedForm) -> Response:
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    reader = sent.reader
    if reader is None:
        return _json({"error": "Sign in first."}, 401)
    mine = request.app.state.store.passkeys_of(reader.id)
    if len(mine) >= MAX_PASSKEYS:
        return _json({"error": f"An account can have {MAX_PASSKEYS} passkeys."}, 400)
    rp_id, _origin = relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name="Broadsheet",
        user_id=_handle(reader),
        user_name=reader.email,
        user_display_name=reader.display_name,
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(p["credential_id"])) for p in mine
        ],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    response = _json({"publicKey": json.loads(options_to_json(options))})
    _remember(request, response, options.challenge, f"register:{reader.id}")
    return response


@router.post("/account/passkeys")
def register(request: Request, sent: PostedForm) -> Response:
    from webauthn import verify_registration_response
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.exceptions import WebAuthnException

    reader = sent.reader
    if reader is None:
        return _json({"error": "Sign in first."}, 401)
    challenge = _challenge(request, f"register:{reader.id}")
    name = " ".join(sent.get("name").split())[:60] or "Passkey"
    if challenge is None:
        return _json({"error": "This request is too old: try again."}, 400)
    rp_id, origin = relying_party(request)
    try:
        verified = verify_registration_response(
            credential=sent.get("credential"),
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        log.info("passkey registration refused: %s", exc.__class__.__name__)
        return _json({"error": "The passkey could not be added. Try again."}, 400)
    state = request.app.state
    added = state.store.add_passkey(
        reader.id,
        bytes_to_base64url(verified.credential_id),
        verified.credential_public_key,
        verified.sign_count,
        name,
        state.clock(),
    )
    if added is None:
        return _json({"error": "That passkey is registered already."}, 400)
    return _json({"redirect": "/account?done=passkey-added"})


@router.post("/account/passkeys/{passkey_id}/remove")
def remove(request: Request, passkey_id: str, sent: PostedForm) -> Response:
    reader = sent.reader
    if reader is None:
        return sign_in_first(request)
    if not request.app.state.store.remove_passkey(reader.id, _id(passkey_id)):
        raise HTTPException(status_code=404)  # unknown, or another reader's
    return RedirectResponse("/account?done=passkey-removed", status_code=303)


# --- sign in (the sign-in page) ---------------------------------------------------------


@router.post("/signin/passkey/options")
def authentication_options(request: Request, sent: PostedForm) -> Response:
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import UserVerificationRequirement

    rp_id, _origin = relying_party(request)
    options = generate_authentication_options(
        rp_id=rp_id, user_verification=UserVerificationRequirement.PREFERRED
    )
    response = _json({"publicKey": json.loads(options_to_json(options))})
    _remember(request, response, options.challenge, "signin")
    return response


@router.post("/signin/passkey")
def sign_in(request: Request, sent: PostedForm) -> Response:
    from webauthn import verify_authentication_response
    from webauthn.helpers.exceptions import WebAuthnException

    state = request.app.state
    state.limits.hit("signin", guard.client_ip(request))
    challenge = _challenge(request, "signin")
    if challenge is None:
        return _json({"error": "This request is too old: try again."}, 400)
    raw = sent.get("credential")
    try:
        credential_id = json.loads(raw).get("id") if raw else None
    except (ValueError, AttributeError):
        credential_id = None
    stored = (
        state.store.passkey_by_credential(credential_id)
        if isinstance(credential_id, str) and 0 < len(credential_id) <= 1400
        else None
    )
    user = state.store.get_user(stored["user_id"]) if stored else None
    if stored is None or user is None or user.disabled:
        return _json({"error": FAILED}, 400)
    rp_id, origin = relying_party(request)
    try:
        verified = verify_authentication_response(
            credential=raw,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=stored["public_key"],
            credential_current_sign_count=stored["sign_count"],
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        log.info("passkey sign-in refused: %s", exc.__class__.__name__)
        return _json({"error": FAILED}, 400)
    state.store.passkey_used(stored["id"], verified.new_sign_count, state.clock())
    response = _json({"redirect": guard.local_path(sent.get("next"))})
    guard.start_session(request, response, user)
    response.delete_cookie(COOKIE, path="/")
    return response
