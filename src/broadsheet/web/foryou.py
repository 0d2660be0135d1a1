"""Follows and "For you": follow or mute topics, people and organisations (entities),
places, outlets and single stories; /following lists them; /for-you ranks recent
articles by them with the reason shown, and starts from the top stories for a reader
who follows nothing yet (never an empty page)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet import foryou
from broadsheet.models import User
from broadsheet.store.follows import KINDS
from broadsheet.web import guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm
from broadsheet.web.i18n import gettext as _

router = APIRouter()

_ENTITY_ID = re.compile(r"^[a-z_]{2,12}:[\w-]{1,180}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_NUMBER = re.compile(r"^[1-9][0-9]{0,17}$")
DAYS = 7  # articles this recent are candidates
PER_FOLLOW = 60
SHOWN = 30
HALF_LIFE_HOURS = 24.0


def label(request: Request, kind: str, key: str) -> str | None:
    """What a follow is called on the page; None if it names nothing that exists."""
    store = request.app.state.store
    if kind in ("topic", "read"):
        from broadsheet.understand.topics import TAXONOMY

        return key.capitalize() if key in TAXONOMY else None
    if kind == "entity":
        found = store.entity_name(key) if _ENTITY_ID.match(key) else None
        return found[0] if found else None
    if kind == "place":
        from broadsheet.understand.gazetteer import country_name

        return country_name(key) if _COUNTRY.match(key) else None
    if kind == "outlet" and _NUMBER.match(key):
        source = store.get_source(int(key))
        return source.name if source else None
    if kind == "story" and _NUMBER.match(key):
        story = store.get_story(int(key), with_members=False)
        return (story.title or f"Story {key}") if story else None
    return None


def follow_state(request: Request, kind: str, key: str) -> str:
    """'following', 'muted' or '' for the signed-in reader (for the buttons)."""
    reader = guard.current_reader(request)
    if reader is None:
        return ""
    cache = getattr(request.state, "follows", None)
    if cache is None:
        cache = {
            (f["kind"], f["key"]): f["muted"] for f in request.app.state.store.follows_of(reader.id)
        }
        request.state.follows = cache
    if (kind, key) not in cache:
        return ""
    return "muted" if cache[(kind, key)] else "following"


def change(request: Request, reader: User, kind: str, key: str, action: str) -> str:
    """Follow, mute or unfollow what ``kind`` and ``key`` name for ``reader``; the key as
    kept. 400 for an unknown kind or action (or muting what cannot be muted), 404 when the
    key names nothing that exists."""
    if kind not in KINDS or action not in ("follow", "mute", "unfollow"):
        raise HTTPException(status_code=400)
    key = key.strip()
    if kind == "place":
        key = key.upper()
    if label(request, kind, key) is None:
        raise HTTPException(status_code=404)
    if action == "mute" and kind not in ("topic", "outlet"):
        raise HTTPException(status_code=400)
    store = request.app.state.store
    if action == "unfollow":
        store.unfollow(reader.id, kind, key)
    else:
        store.set_follow(reader.id, kind, key, action == "mute", request.app.state.clock())
    return key


@router.post("/follows")
def change_follow(request: Request, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    change(request, sent.reader, sent.get("kind"), sent.get("key"), sent.get("action"))
    return RedirectResponse(guard.local_path(sent.get("next"), "/following"), status_code=303)


@router.get("/following", response_class=HTMLResponse)
def following(request: Request) -> Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    items = [
        {**f, "label": label(request, f["kind"], f["key"]) or f["key"]}
        for f in request.app.state.store.follows_of(reader.id)
    ]
    return page(request, "following.html", items=items)


@router.get("/for-you", response_class=HTMLResponse)
def for_you(request: Request) -> Response:
    reader = guard.current_reader(request)
    store = request.app.state.store
    now = request.app.state.clock()
    picks: list[dict[str, Any]] = []
    followed: list[dict[str, Any]] = []
    if reader is not None:
        followed, found, facts, read = store.for_you_inputs(
            reader.id, now - timedelta(days=DAYS), PER_FOLLOW
        )
        muted = {(f["kind"], f["key"]) for f in followed if f["muted"]}
        ranked = foryou.rank(found, facts, muted, read, now, HALF_LIFE_HOURS, SHOWN)
        names: dict[tuple[str, str], str] = {}
        for p in ranked:
            article = store.get_article(p.article_id)
            if article is None:
                continue
            reasons = []
            for kind, key in p.reasons[:3]:
                if (kind, key) not in names:
                    names[(kind, key)] = label(request, kind, key) or key
                reasons.append(_reason(kind, names[(kind, key)]))
            picks.append({"article": article, "reasons": reasons, "read": p.article_id in read})
    fallback = [] if picks else _top(request)
    return page(
        request, "for_you.html", picks=picks, fallback=fallback, reader=reader, followed=followed
    )


def _reason(kind: str, name: str) -> str:
    if kind == "read":
        return _("because you read about %(name)s") % {"name": name}
    if kind == "story":
        return _("because you follow this story")
    return _("because you follow %(name)s") % {"name": name}


def _top(request: Request) -> list[dict[str, Any]]:
    """The edition's top stories (their lead articles), else the latest articles."""
    from broadsheet.web.stories import ranked

    store = request.app.state.store
    out = []
    if store.count_stories():
        for story in ranked(request)[:SHOWN]:
            lead = store.get_article(story.lead_article_id) if story.lead_article_id else None
            if lead is not None:
                out.append({"article": lead, "reasons": [_("a top story now")], "read": False})
    if not out:
        for article in store.latest_articles(limit=SHOWN):
            out.append({"article": article, "reasons": [_("the latest news")], "read": False})
    return out
