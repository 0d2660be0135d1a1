"""The Fever API at ``/fever/`` (as Miniflux serves it), for apps whose account type is
"Fever": ``api_key`` = md5("email:app password"), sent as a form field.

Groups: "Outlets" (1) holds every enabled outlet (less the reader's muted ones) and
"Stories" (2) holds the Stories feed (id ``STORIES_FEED_ID``). Items are articles and
stories (``STORY_ITEM`` + id). Fever pages items by id (``since_id``/``max_id``) and ids
only grow for articles, so those two page articles alone; stories reach an app through
``unread_item_ids`` and ``with_ids``, which is how Fever apps sync unread items anyway.

A refused key answers ``{"api_version": 3, "auth": 0}`` (HTTP 200, as the spec and
Miniflux do); refusals are counted per address (``limit_sync_login``: then 429).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from broadsheet.models import User
from broadsheet.store.sync import STORY_ITEM, Filter, Stream
from broadsheet.web import credentials, guard
from broadsheet.web.greader_parts import Params, params
from broadsheet.web.sync_items import OUTLETS_FOLDER, STORIES_FEED, STORIES_TITLE, Item, items

router = APIRouter()

API_VERSION = 3
OUTLETS_GROUP, STORIES_GROUP = 1, 2
STORIES_FEED_ID = 2**31 - 1  # the largest id a 32-bit client keeps; no source gets near it
PAGE = 50  # items per call, as the spec fixes
MAX_WITH_IDS = 50
MAX_IDS = 10000  # ids in unread_item_ids / saved_item_ids


def _answer(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers={"cache-control": "no-store"})


def _ids(raw: str) -> list[int] | None:
    """A comma-separated list of item ids, or None if any is not one."""
    out = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or len(part) > 18:
            return None
        out.append(int(part))
    return out


def _int(raw: str) -> int | None:
    raw = raw.strip()
    if raw.startswith("-") and raw[1:].isdigit() and len(raw) < 19:
        return int(raw)
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


def _feed_id(item: Item) -> int:
    return STORIES_FEED_ID if item.feed == STORIES_FEED else int(item.feed)


def _item(item: Item) -> dict[str, Any]:
    return {
        "id": item.num,
        "feed_id": _feed_id(item),
        "title": item.title,
        "author": item.author,
        "html": item.html,
        "url": item.url,
        "is_saved": int(item.starred),
        "is_read": int(item.read),
        "created_on_time": int(item.published.timestamp()),
    }


def _outlets(request: Request, user: User) -> list[Any]:
    store = request.app.state.store
    muted = set(store.sync_muted(user.id))
    return [s for s in store.list_sources(counts=False) if s.enabled and s.id not in muted]


def _feeds_groups(outlets: list[Any]) -> list[dict[str, Any]]:
    return [
        {"group_id": OUTLETS_GROUP, "feed_ids": ",".join(str(s.id) for s in outlets)},
        {"group_id": STORIES_GROUP, "feed_ids": str(STORIES_FEED_ID)},
    ]


def _unread(request: Request, user: User, since: datetime) -> str:
    f = Filter(since=since, exclude_read=True, limit=MAX_IDS)
    found = request.app.state.store.sync_refs(user.id, Stream("all"), f)
    return ",".join(str(num) for num, _ in found)


def _saved(request: Request, user: User) -> str:
    return ",".join(str(i) for i in request.app.state.store.sync_saved_ids(user.id)[:MAX_IDS])


def _stream_of(request: Request, user: User, kind: str, key: int) -> Stream | None:
    if kind == "feed":
        if key == STORIES_FEED_ID:
            return Stream("stories")
        if key in {s.id for s in _outlets(request, user)}:
            return Stream("outlet", key)
        return None
    return {
        0: Stream("all"),
        OUTLETS_GROUP: Stream("outlets"),
        STORIES_GROUP: Stream("stories"),
    }.get(key)


def _mark(request: Request, user: User, p: Params, body: dict[str, Any], since: datetime) -> None:
    store = request.app.state.store
    now = request.app.state.clock()
    what, how, key = p.get("mark"), p.get("as"), _int(p.get("id"))
    if key is None:
        body["error"] = "id is not a number"
        return
    if what == "item" and how in ("read", "unread", "saved", "unsaved"):
        found = (
            store.sync_set_read(user.id, [key], how == "read", now)
            if how in ("read", "unread")
            else store.sync_set_starred(user.id, [key], how == "saved", now)
        )
        if not found:
            body["error"] = "no such item"
        return
    if what in ("feed", "group") and how == "read":
        stream = _stream_of(request, user, what, key)
        if stream is None:
            body["error"] = f"no such {what}"
            return
        before = _int(p.get("before") or "")
        until = datetime.fromtimestamp(before, UTC) if before and before > 0 else now
        store.sync_mark_all_read(user.id, stream, since, min(until, now), now)
        return
    body["error"] = "unknown mark"


def _answer_for(request: Request, user: User, p: Params) -> dict[str, Any]:
    state = request.app.state
    now: datetime = state.clock()
    since = now - timedelta(days=state.settings.sync_days)
    body: dict[str, Any] = {
        "api_version": API_VERSION,
        "auth": 1,
        "last_refreshed_on_time": int(now.timestamp()),
    }
    asked = {k for k, _ in p.pairs}
    if "mark" in asked:
        _mark(request, user, p, body, since)
        if p.get("as") in ("saved", "unsaved"):
            asked.add("saved_item_ids")
        else:
            asked.add("unread_item_ids")
    outlets = _outlets(request, user) if asked & {"groups", "feeds"} else []
    if "groups" in asked:
        body["groups"] = [
            {"id": OUTLETS_GROUP, "title": OUTLETS_FOLDER},
            {"id": STORIES_GROUP, "title": STORIES_TITLE},
        ]
        body["feeds_groups"] = _feeds_groups(outlets)
    if "feeds" in asked:
        body["feeds"] = [
            {
                "id": s.id,
                "favicon_id": s.id if s.has_icon else 0,
                "title": s.name,
                "url": s.url,
                "site_url": s.site_url or "",
                "is_spark": 0,
                "last_updated_on_time": int((s.last_success_at or now).timestamp()),
            }
            for s in outlets
        ] + [
            {
                "id": STORIES_FEED_ID,
                "favicon_id": 0,
                "title": STORIES_TITLE,
                "url": f"{credentials.origin(request)}/feeds/stories.atom",
                "site_url": f"{credentials.origin(request)}/stories",
                "is_spark": 0,
                "last_updated_on_time": int(now.timestamp()),
            }
        ]
        body["feeds_groups"] = _feeds_groups(outlets)
    if "favicons" in asked:
        body["favicons"] = _favicons(request, user)
    if "items" in asked:
        _items(request, user, p, body, since)
    if "links" in asked:
        body["links"] = []
    if "unread_item_ids" in asked:
        body["unread_item_ids"] = _unread(request, user, since)
    if "saved_item_ids" in asked:
        body["saved_item_ids"] = _saved(request, user)
    return body


def _favicons(request: Request, user: User) -> list[dict[str, Any]]:
    store = request.app.state.store
    out = []
    for s in _outlets(request, user):
        if s.has_icon and (icon := store.get_icon(s.id)) is not None:
            data, ctype = icon
            out.append({"id": s.id, "data": f"{ctype};base64,{base64.b64encode(data).decode()}"})
    return out


def _items(request: Request, user: User, p: Params, body: dict[str, Any], since: datetime) -> None:
    store = request.app.state.store
    if p.get("with_ids"):
        wanted = _ids(p.get("with_ids"))
        if wanted is None:
            body["error"] = "with_ids holds something that is not an id"
            wanted = []
        nums = wanted[:MAX_WITH_IDS]
    else:
        since_id, max_id = _int(p.get("since_id") or ""), _int(p.get("max_id") or "")
        if since_id is not None:
            nums = store.sync_article_ids(user.id, since, PAGE, above=max(since_id, 0))
        elif max_id is not None and max_id > 0:
            nums = store.sync_article_ids(user.id, since, PAGE, below=min(max_id, STORY_ITEM))
        else:
            nums = store.sync_article_ids(user.id, since, PAGE)
    body["items"] = [_item(i) for i in items(request, user.id, nums)]
    body["total_items"] = store.sync_count(user.id, since)


def _refused(request: Request) -> Response:
    request.app.state.limits.hit("sync_login", guard.client_ip(request))
    return _answer({"api_version": API_VERSION, "auth": 0})


def _serve(request: Request, p: Params) -> Response:
    found = credentials.fever_key(request, p.get("api_key"))
    if found is None:
        return _refused(request)
    return _answer(_answer_for(request, found[0], p))


@router.api_route("/fever/", methods=["GET", "POST"])
@router.api_route("/fever", methods=["GET", "POST"])
async def fever(request: Request) -> Response:
    p = await params(request)
    return await run_in_threadpool(_serve, request, p)
