"""Wiring of the readers' features (issue 11) into the app: the CSRF key, rate limits,
password hashing, the template helpers, the routers of auth, comments, saved, admin, and
the article page's extras."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request

from broadsheet.errors import StoreError
from broadsheet.models import StoredArticle
from broadsheet.web import guard

log = logging.getLogger(__name__)
SECRET_META_KEY = "web_secret_key"  # kept by digest_mail.site_secret


def secret(app: FastAPI) -> str:
    """The key that signs CSRF tokens: from settings, else made once and kept in the
    store (read on first use, so building the app touches no database)."""
    from broadsheet.digest_mail import site_secret

    return site_secret(app.state.settings, app.state.store)


def install(app: FastAPI) -> None:
    guard.install(app, app.state.settings, lambda: secret(app))
    env = app.state.templates
    env.globals["current_reader"] = guard.current_reader
    env.globals["csrf_token"] = guard.csrf_token
    from broadsheet.web.auth import router as auth_router

    app.include_router(auth_router, include_in_schema=False)
    from broadsheet.web.comments import router as comments_router

    app.include_router(comments_router, include_in_schema=False)
    from broadsheet.web.saved import router as saved_router

    app.include_router(saved_router, include_in_schema=False)
    from broadsheet.web.admin import router as admin_router

    app.include_router(admin_router, include_in_schema=False)
    from broadsheet.web.foryou import follow_state
    from broadsheet.web.foryou import router as foryou_router

    env.globals["follow_state"] = follow_state
    from broadsheet.web.comments import story_comments

    env.globals["story_comments"] = story_comments
    app.include_router(foryou_router, include_in_schema=False)
    from broadsheet.web.digest import digest_editions
    from broadsheet.web.digest import router as digest_router

    env.globals["digest_editions"] = digest_editions
    env.globals["comment_counts"] = comment_counts
    app.include_router(digest_router, include_in_schema=False)
    from broadsheet.web.verify import must_verify
    from broadsheet.web.verify import router as verify_router

    env.globals["must_verify"] = must_verify
    app.include_router(verify_router, include_in_schema=False)
    from broadsheet.web.signup_mail import router as signup_mail_router

    app.include_router(signup_mail_router, include_in_schema=False)
    from broadsheet.web.passkeys import router as passkeys_router

    env.globals["passkeys_of"] = lambda request, user: request.app.state.store.passkeys_of(user.id)
    app.include_router(passkeys_router, include_in_schema=False)
    from broadsheet.web.admin_sources import router as admin_sources_router

    app.include_router(admin_sources_router, include_in_schema=False)


def article_extras(request: Request, article: StoredArticle) -> dict[str, Any]:
    """What the article page shows for readers: its comments, the save button's state;
    opening the article marks it read for a signed-in reader."""
    from broadsheet.web import comments

    reader = guard.current_reader(request)
    store = request.app.state.store
    saved = False
    if reader is not None:
        try:
            store.mark_read(reader.id, article.id, request.app.state.clock())
        except StoreError as exc:  # a busy or read-only database: the article still shows
            log.warning("read mark not stored: %s", exc)
        saved = store.is_saved(reader.id, article.id)
    target = comments.Target("article", article.id, article.title)
    return {"reader": reader, "saved": saved, "comments": comments.section(request, target)}


def comment_counts(request: Request, kind: str, ids: Any) -> dict[int, int]:
    """Teasers' comment counts (kept in the store): one query for a whole list."""
    try:
        return request.app.state.store.comment_counts(kind, [int(i) for i in ids])  # type: ignore[no-any-return]
    except StoreError as exc:  # counts are a nicety: the list still shows
        log.warning("comment counts not read: %s", exc)
        return {}
