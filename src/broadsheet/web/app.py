"""The web face: ``create_app(settings, store)`` builds the FastAPI application.

Nothing is built at import time. The settings, the store, the templates and the clock live
on ``app.state``. Every response passes through ``SecurityHeaders`` (CSP, nosniff,
referrer policy); every error becomes HTML in one place, ``install_error_pages``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.config import Settings
from broadsheet.web import i18n, pages
from broadsheet.web.http import HeadAsGet, TrailingSlash
from broadsheet.web.i18n import N_
from broadsheet.web.page_cache import ARTICLE_PARTS, STORY_DIGESTS, EntityNames, Kept, PageCache
from broadsheet.web.sync import is_sync
from broadsheet.web.templating import make_templates

if TYPE_CHECKING:
    from broadsheet.store import Store

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}

# Marked for translation here, translated when a page shows them (the API keeps English).
ERROR_MESSAGES = {
    400: (N_("Bad request"), N_("The address asked for something this page cannot show.")),
    401: (N_("Unauthorized"), N_("Give a valid token or app password.")),
    403: (
        N_("Not allowed"),
        N_("This form did not come from this site, or it is too old: reload it."),
    ),
    404: (N_("Page not found"), N_("There is nothing at this address.")),
    405: (N_("Method not allowed"), N_("This page cannot be used that way.")),
    413: (N_("Too long"), N_("What was sent is longer than this site accepts.")),
    429: (N_("Too many tries"), N_("Wait a little before trying again.")),
    503: (N_("Busy"), N_("This feature is busy right now: try again in a minute.")),
    500: (
        N_("Something went wrong"),
        N_("The server failed to build this page. Try again later."),
    ),
}


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response it sees.

    It sets them on all responses, not only HTML: a strict CSP and nosniff cost nothing on
    a stylesheet, an icon or JSON. Headers a handler already set are left alone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def error_page(request: Request, status_code: int) -> HTMLResponse:
    """An error page; the path it echoes is escaped by the template."""
    with i18n.for_request(request.scope):
        return _error_page(request, status_code)


def _error_page(request: Request, status_code: int) -> HTMLResponse:
    title, message = ERROR_MESSAGES.get(status_code, ("", ""))
    title = (
        i18n.gettext(title) if title else i18n.gettext("Error %(status)s") % {"status": status_code}
    )
    message = i18n.gettext(message) if message else ""
    try:
        response = pages.render(
            request,
            "error.html",
            status_code,
            title=title,
            message=message,
            status=status_code,
            path=request.url.path,
        )
    except Exception:  # the template itself failed: fall back to fixed text
        log.exception("error page %s failed to render", status_code)
        response = HTMLResponse(f"<!doctype html><title>{status_code}</title>", status_code)
    # The 500 handler runs outside the middleware stack, so set the headers here too.
    response.headers.update(SECURITY_HEADERS)
    return response


ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
    500: "server_error",
}


def api_error(status_code: int, detail: str | None = None) -> JSONResponse:
    """The API's one error shape (``web/api/schemas.Error``); the detail is ours, never an
    exception's text."""
    title, message = ERROR_MESSAGES.get(status_code, (f"Error {status_code}", ""))
    body = {
        "error": {
            "status": status_code,
            "code": ERROR_CODES.get(status_code, f"http_{status_code}"),
            "message": detail or message or title,
        }
    }
    response = JSONResponse(body, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def install_error_pages(app: FastAPI) -> None:
    """The one place where exceptions become HTML (or, under /api/, the API's JSON)."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if is_sync(request):  # sync apps read plain text ("Unauthorized", "Bad item id")
            text = exc.detail if isinstance(exc.detail, str) else _default(exc)
            response: Response = PlainTextResponse(text, exc.status_code)
        elif _is_api(request):
            detail = (
                exc.detail if isinstance(exc.detail, str) and exc.detail != _default(exc) else None
            )
            response = api_error(exc.status_code, detail)
        else:
            response = error_page(request, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def bad_request(request: Request, exc: Exception) -> Response:
        if is_sync(request):
            return PlainTextResponse("Bad Request", 400)
        if _is_api(request):
            assert isinstance(exc, RequestValidationError)
            errors = exc.errors()
            where = [".".join(str(p) for p in e.get("loc", ())) for e in errors[:3]]
            if any(e.get("loc", ("",))[0] == "body" for e in errors):  # a sent body: 422
                return api_error(422, "invalid body: " + ", ".join(where))
            return api_error(400, "invalid parameter: " + ", ".join(where))
        return error_page(request, 400)

    async def server_error(request: Request, exc: Exception) -> Response:
        # The server logs the traceback (Starlette re-raises after this page is sent).
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        if is_sync(request):
            return PlainTextResponse("Internal Server Error", 500)
        return api_error(500) if _is_api(request) else error_page(request, 500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(Exception, server_error)


def _default(exc: StarletteHTTPException) -> str:
    """Starlette's own detail for a status (the reason phrase): not worth repeating."""
    from http import HTTPStatus

    try:
        return HTTPStatus(exc.status_code).phrase
    except ValueError:
        return ""


def _include_routers(app: FastAPI) -> None:
    """The pages (left out of the OpenAPI document) and the JSON API."""
    from broadsheet.web import (
        api,
        daily,
        editions,
        feed_routes,
        health,
        listing,
        ops,
        search,
        shell,
        stories,
        story_ai,
        understand,
    )

    for router in (
        pages.router,
        understand.router,
        stories.router,
        story_ai.router,
        search.router,
        shell.router,
        daily.router,
        editions.router,
        listing.router,
        feed_routes.router,
        ops.router,
        health.router,
    ):
        app.include_router(router, include_in_schema=False)
    app.include_router(api.router)


def create_app(
    settings: Settings, store: Store, *, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """Build the web application around an open store.

    ``clock`` returns "now" (timezone-aware UTC) for relative times; tests may fix it.
    """
    app = FastAPI(
        title="Broadsheet",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",  # the JSON API's; pages are left out of it
        version="1",
        redirect_slashes=False,  # TrailingSlash redirects without trusting the Host header
    )
    app.state.settings = settings
    app.state.store = store
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.templates = make_templates()
    app.state.rank_lock = threading.Lock()  # one background ranking of top stories at a time
    app.state.page_cache = PageCache(settings.page_cache_seconds)
    app.state.entity_names = EntityNames()  # entity pages' names, a few minutes each
    app.state.story_digests = Kept(STORY_DIGESTS)  # parsed story digests (story_digest.load)
    app.state.article_parts = Kept(ARTICLE_PARTS)  # per article version (pages.article_version)
    from broadsheet.web.ops import Metrics, RequestMetrics

    app.state.metrics = Metrics(app.state)
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(TrailingSlash)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(i18n.InterfaceLanguage)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _include_routers(app)
    from broadsheet.web.readers import install as install_readers

    install_readers(app)
    from broadsheet.web import ai_gate
    from broadsheet.web.sync import install as install_sync

    install_sync(app)
    ai_gate.install(app)
    return app
