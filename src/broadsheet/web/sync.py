"""Wiring of issue 13's reader features into the app: the account page's app passwords,
API tokens and webhooks, the Google Reader and Fever sync APIs (left out of
/openapi.json)."""

from __future__ import annotations

from fastapi import FastAPI, Request

SYNC_PREFIXES = ("/reader/", "/accounts/ClientLogin", "/fever")


def is_sync(request: Request) -> bool:
    """A sync app's call: errors are plain text (or Fever's JSON), never an HTML page."""
    return request.url.path.startswith(SYNC_PREFIXES)


def install(app: FastAPI) -> None:
    from broadsheet.web import credentials, fever, greader, webhooks

    app.state.templates.globals["app_credentials"] = credentials.credentials_of
    app.state.templates.globals["reader_webhooks"] = webhooks.webhooks_of
    for router in (credentials.router, webhooks.router, greader.router, fever.router):
        app.include_router(router, include_in_schema=False)
