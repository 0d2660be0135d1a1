"""What stands between a request and a reader's data: the session cookie, CSRF tokens,
the Origin check, form reading with limits, and rate limits (429 + Retry-After).

- The session cookie holds a random token; the store keeps its SHA-256. HttpOnly,
  SameSite=Lax, Secure when the request came over https.
- CSRF: a signed-in form carries HMAC(key, session token); an anonymous form (sign-in,
  sign-up, reset) carries a signed, dated copy of a random nonce that is also in a cookie
  (signed double submit). Every POST also passes ``same_origin``.
- Rate limits use the ``limits`` library's moving window in the storage named by
  ``rate_limit_storage``: memory:// (the default) counts in this process only; a shared
  store (redis://…) makes every web process and node count together. If the shared store
  cannot be reached, a request is let through and the failure logged (the site stays up
  without its limits rather than go down with its store).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from broadsheet import accounts
from broadsheet.config import Settings
from broadsheet.models import User

SESSION_COOKIE = "bs_session"
ANON_COOKIE = "bs_csrf"
ANON_TOKEN_SECONDS = 4 * 3600
MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 20
_UNSET = object()
log = logging.getLogger(__name__)


class RateLimits:
    """Named limits (from settings) per key; ``hit`` raises 429 with Retry-After.

    Counts live in ``settings.rate_limit_storage`` under ``settings.rate_limit_prefix``.
    Within a process a lock makes test-then-count of several limits one step; across
    processes sharing a store each rule's count is atomic (the store's own operation), and
    a race between two processes can at most let each of them through once more."""

    def __init__(self, settings: Settings) -> None:
        storage = storage_from_string(settings.rate_limit_storage, wrap_exceptions=True)
        self._limiter = MovingWindowRateLimiter(storage)
        self._prefix = settings.rate_limit_prefix
        self._rules: dict[str, list[RateLimitItem]] = {
            "signin": parse_many(settings.limit_signin),
            "signin_account": parse_many(settings.limit_signin_account),
            "signup": parse_many(settings.limit_signup),
            "reset": parse_many(settings.limit_reset),
            "post_reader": parse_many(settings.limit_post_reader),
            "post_ip": parse_many(settings.limit_post_ip),
            "api_token": parse_many(settings.limit_api_token),
            "api_ip": parse_many(settings.limit_api_ip),
            "sync": parse_many(settings.limit_sync),
            "sync_login": parse_many(settings.limit_sync_login),
            "ai_client": parse_many(settings.limit_ai_client),
            "ai_anonymous": parse_many(settings.limit_ai_anonymous),
            "ai_reader": parse_many(settings.limit_ai_reader),
        }
        self._lock = threading.Lock()  # test-then-hit of several limits as one step

    def _retry_after(self, pairs: list[tuple[str, str]]) -> int:
        """Seconds until every (limit, key) has room for one more hit; 0 if they have."""
        retry = 0
        for limit, who in pairs:
            for rule in self._rules[limit]:
                if not self._limiter.test(rule, self._prefix, limit, who):
                    stats = self._limiter.get_window_stats(rule, self._prefix, limit, who)
                    retry = max(retry, 1, math.ceil(stats.reset_time - time.time()))
        return retry

    def check(self, name: str, key: str) -> None:
        """429 with Retry-After if one more hit would go over a limit (counts nothing)."""
        self.hit(name, key, count=False)

    def hit(self, name: str, key: str, *more: tuple[str, str], count: bool = True) -> None:
        """Count one try against ``name`` for ``key`` (and each further (name, key)); if any
        of them is spent, count nothing and raise 429 with the longest Retry-After."""
        pairs = [(name, key), *more]
        with self._lock:
            try:
                retry = self._retry_after(pairs)
                if not retry and count:
                    for limit, who in pairs:
                        for rule in self._rules[limit]:
                            self._limiter.hit(rule, self._prefix, limit, who)
            except StorageError as error:
                log.error("rate-limit storage failed, request let through: %s", error)
                return
        if retry:
            raise HTTPException(status_code=429, headers={"retry-after": str(retry)})


def install(app: object, settings: Settings, secret: Callable[[], str]) -> None:
    state = app.state  # type: ignore[attr-defined]
    state.secret_key = None
    state.make_secret_key = secret
    state.limits = RateLimits(settings)
    state.passwords = accounts.Passwords(settings.argon2_memory_kib, settings.argon2_time_cost)


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- sessions ---------------------------------------------------------------------------


def session_token(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 100:
        return None
    return token


def current_reader(request: Request) -> User | None:
    """The signed-in reader (a current session of an enabled account), once per request."""
    found = getattr(request.state, "reader", _UNSET)
    if found is _UNSET:
        token = session_token(request)
        found = None
        if token is not None:
            found = request.app.state.store.session_user(
                accounts.digest(token), request.app.state.clock()
            )
        request.state.reader = found
    return found  # type: ignore[return-value]


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, user: User) -> None:
    """Sign ``user`` in with a new token; the session the request came with (if any) ends."""
    settings: Settings = request.app.state.settings
    now = request.app.state.clock()
    token = accounts.new_token()
    old = session_token(request)
    lifetime = timedelta(days=settings.session_days)
    request.app.state.store.start_session(
        accounts.digest(token),
        user.id,
        now,
        now + lifetime,
        replaces=accounts.digest(old) if old else None,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )


def end_session(request: Request, response: Response) -> None:
    token = session_token(request)
    if token is not None:
        request.app.state.store.end_session(accounts.digest(token))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


# --- CSRF -------------------------------------------------------------------------------


_KEY_LOCK = threading.Lock()


def _key(request: Request) -> bytes:
    state = request.app.state
    if state.secret_key is None:
        with _KEY_LOCK:  # the first requests arrive together: one key, made once
            if state.secret_key is None:
                state.secret_key = state.make_secret_key().encode()
    return state.secret_key  # type: ignore[no-any-return]


def _mac(request: Request, text: str) -> str:
    key = _key(request)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _anon_signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_key(request), salt="broadsheet-anon-csrf")


def sign(request: Request, text: str) -> str:
    """HMAC-SHA256 of ``text`` with the site's secret key (hex)."""
    return _mac(request, text)


def csrf_token(request: Request) -> str:
    """The token for forms on this page: tied to the session, or to the anonymous nonce
    (a new nonce is remembered on request.state; ``anon_cookie`` sets it)."""
    token = session_token(request)
    if token is not None and current_reader(request) is not None:
        return _mac(request, "session:" + token)
    nonce = request.cookies.get(ANON_COOKIE)
    if not nonce or len(nonce) > 100:
        nonce = getattr(request.state, "new_anon_nonce", None) or secrets.token_urlsafe(24)
        request.state.new_anon_nonce = nonce
    return str(_anon_signer(request).dumps(nonce))


def anon_cookie(request: Request, response: Response) -> Response:
    """Set the anonymous CSRF nonce cookie if this page created one."""
    nonce = getattr(request.state, "new_anon_nonce", None)
    if nonce:
        response.set_cookie(
            ANON_COOKIE,
            nonce,
            max_age=ANON_TOKEN_SECONDS,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
            path="/",
        )
    return response


def csrf_ok(request: Request, sent: str, reader: User | None) -> bool:
    if not sent or len(sent) > 200:
        return False
    token = session_token(request)
    if reader is not None and token is not None:
        return hmac.compare_digest(sent, _mac(request, "session:" + token))
    nonce = request.cookies.get(ANON_COOKIE)
    if not nonce:
        return False
    try:
        signed = _anon_signer(request).loads(sent, max_age=ANON_TOKEN_SECONDS)
    except BadSignature:
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, nonce)


def same_origin(request: Request) -> bool:
    """Origin (or, without it, Sec-Fetch-Site) says the form was posted from this site.
    A client that sends neither (an old browser, curl) is left to the CSRF token."""
    settings: Settings = request.app.state.settings
    expected = (settings.public_url or f"{request.url.scheme}://{request.url.netloc}").rstrip("/")
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.rstrip("/") == expected
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    return True


# --- posted forms -----------------------------------------------------------------------


@dataclass(frozen=True)
class Posted:
    form: dict[str, str]
    reader: User | None

    def get(self, name: str) -> str:
        return self.form.get(name, "")


async def read_form(request: Request) -> dict[str, str]:
    """An url-encoded form of valid UTF-8, at most MAX_FORM_BYTES: else 400 or 413."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(status_code=413)
    if not body:
        return {}  # then the CSRF check refuses it (403)
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise HTTPException(status_code=400)
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise HTTPException(status_code=400) from None
    return dict(pairs)


async def posted(request: Request) -> Posted:
    """The dependency of every state-changing route: origin, form, CSRF token, reader."""
    if not same_origin(request):
        raise HTTPException(status_code=403)
    form = await read_form(request)
    reader = await run_in_threadpool(current_reader, request)
    if not csrf_ok(request, form.get("csrf", ""), reader):
        raise HTTPException(status_code=403)
    return Posted(form, reader)


PostedForm = Annotated[Posted, Depends(posted)]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Uploaded(Posted):
    files: dict[str, bytes]


async def read_upload(request: Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """A multipart/form-data form (at most one file, a few fields of UTF-8), at most
    MAX_UPLOAD_BYTES in all: else 400 or 413. Parsed with the standard library's MIME
    parser (no extra dependency)."""
    from email import policy
    from email.parser import BytesParser

    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_UPLOAD_BYTES:
            raise HTTPException(status_code=413)
    if not body:
        return {}, {}
    ctype = request.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() != "multipart/form-data" or "\n" in ctype:
        raise HTTPException(status_code=400)
    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
        )
        parts = list(message.iter_parts()) if message.is_multipart() else []
    except (ValueError, UnicodeError, TypeError):
        raise HTTPException(status_code=400) from None
    if not parts or len(parts) > MAX_FORM_FIELDS:
        raise HTTPException(status_code=400)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise HTTPException(status_code=400)
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            if files:
                raise HTTPException(status_code=400)  # one file at most
            files[name] = data
            continue
        try:
            fields[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(status_code=400) from None
    return fields, files


async def posted_upload(request: Request) -> Uploaded:
    """``posted`` for a form with a file: origin, form, CSRF token, reader."""
    if not same_origin(request):
        raise HTTPException(status_code=403)
    form, files = await read_upload(request)
    reader = await run_in_threadpool(current_reader, request)
    if not csrf_ok(request, form.get("csrf", ""), reader):
        raise HTTPException(status_code=403)
    return Uploaded(form, reader, files)


UploadedForm = Annotated[Uploaded, Depends(posted_upload)]


def local_path(raw: str, default: str = "/") -> str:
    """A redirect target on this site only: "/path", never "//host" or "/\\host"."""
    if raw.startswith("/") and not raw.startswith(("//", "/\\")) and raw.isprintable():
        return raw[:500]
    return default
