"""Wiring of the readers' features (issue 11) into the app: the CSRF key, rate limits,
password hashing, the template helpers, and the routers of auth, comments, saved, admin."""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from broadsheet.web import guard

SECRET_META_KEY = "web_secret_key"


def secret(app: FastAPI) -> str:
    """The key that signs CSRF tokens: from settings, else made once and kept in the
    store (read on first use, so building the app touches no database)."""
    settings = app.state.settings
    if settings.secret_key:
        return str(settings.secret_key)
    store = app.state.store
    kept = store.get_meta(SECRET_META_KEY)
    if kept is None:
        kept = secrets.token_urlsafe(32)
        store.set_meta(SECRET_META_KEY, kept)
    return str(kept)


def install(app: FastAPI) -> None:
    guard.install(app, app.state.settings, lambda: secret(app))
    env = app.state.templates
    env.globals["current_reader"] = guard.current_reader
    env.globals["csrf_token"] = guard.csrf_token
    from broadsheet.web.auth import router as auth_router

    app.include_router(auth_router)
