"""App passwords and API tokens: made and revoked on the reader's account page (plain
forms, CSRF-guarded, no JavaScript), shown once, kept as SHA-256 digests; and the checks
that turn a presented credential into the reader it belongs to.

- API tokens: ``Authorization: Bearer bsk_…`` on /api/v1.
- App passwords: the sync apps' password (Google Reader ClientLogin, Fever's api_key =
  md5("email:password")). Never the account password, which stays with argon2id.

Refused credentials (unknown, revoked, expired, or a disabled account) are counted per
IP address (``limit_sync_login``); calls with a good credential per credential
(``limit_api_token`` / ``limit_sync``). Over a limit: 429 with Retry-After.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from broadsheet import accounts
from broadsheet.models import User
from broadsheet.web import guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _
from broadsheet.web.pages import _db_id

router = APIRouter()

KIND_NAMES = {"app_password": N_("App password"), "api_token": N_("API token")}
EXPIRY_DAYS = {"never": None, "30": 30, "90": 90, "365": 365}
MAX_LABEL = 100


def credentials_of(request: Request) -> list[dict[str, Any]]:
    """The signed-in reader's credentials, for the account page (a template global)."""
    reader = guard.current_reader(request)
    if reader is None:
        return []
    return request.app.state.store.credentials_of(reader.id)  # type: ignore[no-any-return]


def origin(request: Request) -> str:
    """The site's address as apps should use it: ``public_url``, else the request's."""
    public = request.app.state.settings.public_url
    return str(public or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")


def _label(raw: str, kind: str) -> tuple[str | None, str]:
    label = " ".join(raw.split())
    if not label:
        return _(KIND_NAMES[kind]), ""
    if len(label) > MAX_LABEL:
        return None, _("Keep the label to %(count)s characters.") % {"count": MAX_LABEL}
    if not label.isprintable():
        return None, _("The label contains characters that cannot be shown.")
    return label, ""


def _account(request: Request, user: User, status: int, **extra: Any) -> Response:
    context = {"error": "", "notice": "", "credential_error": "", "new_secret": None, **extra}
    context.setdefault("webhook_error", "")
    return page(request, "auth_account.html", status, user=user, **context)


@router.post("/account/credentials")
def create(request: Request, sent: PostedForm) -> Response:
    user = sent.reader
    if user is None:
        return sign_in_first(request)
    state = request.app.state
    state.limits.hit("post_reader", f"user:{user.id}")
    kind = sent.get("kind")
    if kind not in KIND_NAMES:
        problem = _("Choose an app password or a token.")
        return _account(request, user, 400, credential_error=problem)
    label, problem = _label(sent.get("label"), kind)
    days = EXPIRY_DAYS.get(sent.get("expires") or "never", -1)
    if days == -1:
        problem = problem or _("Choose when it expires.")
    if len(state.store.credentials_of(user.id)) >= state.settings.credentials_max:
        problem = problem or (
            _("You have %(count)s already: revoke one you no longer use.")
            % {"count": state.settings.credentials_max}
        )
    if problem or label is None:
        return _account(request, user, 400, credential_error=problem)
    now = state.clock()
    secret = accounts.new_app_password() if kind == "app_password" else accounts.new_api_token()
    fever = (
        accounts.digest(accounts.fever_api_key(user.email, secret))
        if kind == "app_password"
        else None
    )
    expires = now + timedelta(days=days) if isinstance(days, int) else None
    state.store.create_credential(
        user.id, kind, label, accounts.digest(secret), now, expires, fever
    )
    shown = {"kind": kind, "label": label, "secret": secret, "origin": origin(request)}
    response = _account(request, user, 200, new_secret=shown)
    response.headers["cache-control"] = "no-store"  # shown once: no copy anywhere
    return response


@router.post("/account/credentials/{credential_id}/revoke")
def revoke(request: Request, credential_id: str, sent: PostedForm) -> Response:
    user = sent.reader
    if user is None:
        return sign_in_first(request)
    if not request.app.state.store.revoke_credential(user.id, _db_id(credential_id)):
        raise HTTPException(status_code=404)  # not the reader's, or gone already
    return RedirectResponse("/account?done=revoked#credentials", status_code=303)


# --- checks ------------------------------------------------------------------------------
def refused(request: Request, status: int = 401, **headers: str) -> HTTPException:
    """Count a refused credential against the caller's address, then refuse it (429 once
    the address has been refused too often)."""
    request.app.state.limits.hit("sync_login", guard.client_ip(request))
    return HTTPException(status_code=status, headers=headers or None)


def _found(
    request: Request, kind: str, limit: str, **key: Any
) -> tuple[User, dict[str, Any]] | None:
    state = request.app.state
    state.limits.check("sync_login", guard.client_ip(request))
    found = state.store.credential_user(kind, state.clock(), **key)
    if found is None:
        return None
    user, cred = found
    state.limits.hit(limit, f"cred:{cred['id']}")
    return user, cred


def bearer(request: Request) -> User | None:
    """The reader an ``Authorization: Bearer`` API token names; None without the header;
    401 for a malformed, unknown, revoked or expired token."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise refused(request, **{"www-authenticate": 'Bearer realm="broadsheet"'})
    found = _found(request, "api_token", "api_token", secret_hash=accounts.digest(token))
    if found is None:
        raise refused(
            request, **{"www-authenticate": 'Bearer realm="broadsheet", error="invalid_token"'}
        )
    return found[0]


def app_password(request: Request, email: str, password: str) -> tuple[User, dict[str, Any]] | None:
    """The reader and credential of an (email, app password) pair, else None."""
    if not password or len(password) > 200:
        return None
    found = _found(request, "app_password", "sync", secret_hash=accounts.digest(password))
    if found is None or found[0].email != (accounts.normalize_email(email) or ""):
        return None
    return found


def fever_key(request: Request, api_key: str) -> tuple[User, dict[str, Any]] | None:
    key = api_key.strip().lower()
    if len(key) != 32 or any(c not in "0123456789abcdef" for c in key):
        return None
    return _found(request, "app_password", "sync", fever_hash=accounts.digest(key))


# Google Reader's Auth token: "<credential id>/<HMAC(site key, id and digest)>". It needs
# no table of its own and dies with the app password (revoked: no row; a new password:
# another digest).
def auth_token(request: Request, credential_id: int, secret_hash: str) -> str:
    return f"{credential_id}/" + guard.sign(request, f"greader:{credential_id}:{secret_hash}")


def auth_user(request: Request, token: str) -> tuple[User, int] | None:
    cred, _, mac = token.partition("/")
    if not cred.isdigit() or len(cred) > 18 or len(mac) != 64:
        return None
    state = request.app.state
    state.limits.check("sync_login", guard.client_ip(request))
    found = state.store.credential_user("app_password", state.clock(), credential_id=int(cred))
    if found is None:
        return None
    user, row = found
    if not hmac.compare_digest(auth_token(request, int(cred), row["secret_hash"]), token):
        return None
    state.limits.hit("sync", f"cred:{row['id']}")
    return user, int(row["id"])


def t_token(request: Request, auth: str) -> str:
    """The T token of the edit calls: the Auth token itself, as Miniflux makes it (apps
    that POST with T alone then work; there are no cookies here for a T to protect)."""
    return auth
