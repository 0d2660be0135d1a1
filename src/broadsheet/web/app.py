"""The web face: ``create_app(settings, store)`` builds the FastAPI application.

Nothing is built at import time. The settings, the store, the templates and the clock live
on ``app.state``. Every response passes through ``SecurityHeaders`` (CSP, nosniff,
referrer policy); every error becomes HTML in one place, ``install_error_pages``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.config import Settings
from broadsheet.web import i18n, pages

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

ERROR_MESSAGES = {
    400: ("Bad request", "The address asked for something this page cannot show."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Method not allowed", "This page cannot be used that way."),
    500: ("Something went wrong", "The server failed to build this page. Try again later."),
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


def make_templates() -> Environment:
    """The Jinja environment: autoescaped; ``|safe`` appears once, on sanitized bodies."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["site_name"] = "Broadsheet"
    env.filters["iso_datetime"] = i18n.iso_datetime
    env.filters.update(pages.FILTERS)
    return env


def error_page(request: Request, status_code: int) -> HTMLResponse:
    """An error page; the path it echoes is escaped by the template."""
    title, message = ERROR_MESSAGES.get(status_code, (f"Error {status_code}", ""))
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


def install_error_pages(app: FastAPI) -> None:
    """The one place where exceptions become HTML."""

    async def http_error(request: Request, exc: Exception) -> HTMLResponse:
        assert isinstance(exc, StarletteHTTPException)
        response = error_page(request, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def bad_request(request: Request, exc: Exception) -> HTMLResponse:
        return error_page(request, 400)

    async def server_error(request: Request, exc: Exception) -> HTMLResponse:
        # The server logs the traceback (Starlette re-raises after this page is sent).
        log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc)
        return error_page(request, 500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(Exception, server_error)


def create_app(
    settings: Settings, store: Store, *, clock: Callable[[], datetime] | None = None
) -> FastAPI:
    """Build the web application around an open store.

    ``clock`` returns "now" (timezone-aware UTC) for relative times; tests may fix it.
    """
    app = FastAPI(title="Broadsheet", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.store = store
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.templates = make_templates()
    app.add_middleware(SecurityHeaders)
    install_error_pages(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    from broadsheet.web.health import router as health_router

    app.include_router(health_router)
    from broadsheet.web.understand import router as understand_router

    app.include_router(understand_router)
    from broadsheet.web.stories import router as stories_router

    app.include_router(stories_router)
    from broadsheet.web.story_ai import router as story_ai_router

    app.include_router(story_ai_router)
    return app
