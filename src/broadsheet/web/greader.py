"""The Google Reader API, in the flavour FreshRSS and Miniflux speak, at Miniflux's
addresses (``/accounts/ClientLogin``, ``/reader/api/0/…``), so a reader app's "Miniflux",
"FreshRSS" or "Google Reader API" account type works against Broadsheet.

Mapping: every enabled outlet (less the reader's muted ones) is a subscription
``feed/<source id>`` in the folder "Outlets"; the topics are labels; a "Stories"
subscription (``feed/stories``, folder "Stories") holds the stories two or more outlets
report, each with its coverage. Starred = saved; read = the reader's read marks.

Auth: ClientLogin takes the account's email and an app password and answers
``Auth=<credential id>/<HMAC>``; every call sends ``Authorization: GoogleLogin auth=…``.
As Miniflux does, the T token (``/token``) is the Auth token itself, so a POST may also
authenticate with its T field alone; a POST that sends the header must send the right T.
Refusals are 401 "Unauthorized" (a bad T adds ``X-Reader-Google-Bad-Token: true``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from broadsheet.models import User
from broadsheet.store.sync import STORY_ITEM
from broadsheet.understand.topics import TAXONOMY
from broadsheet.web import credentials, guard
from broadsheet.web.greader_parts import (
    KEPT_UNREAD,
    LABEL,
    READING_LIST,
    STARRED,
    STATE,
    Params,
    bad,
    continuation,
    item_json,
    label,
    params,
    parse_item_id,
    seconds,
    stream_filter,
    stream_of,
    topic_label,
    window,
)
from broadsheet.web.sync_items import OUTLETS_FOLDER, STORIES_FEED, STORIES_TITLE, items, usec

router = APIRouter()

API = "/reader/api/0"
MAX_CONTENTS = 1000  # items one stream/contents or items/contents call returns
MAX_IDS = 10000  # item ids one stream/items/ids call returns


# --- auth -----------------------------------------------------------------------------------
def _auth_header(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, rest = header.strip().partition(" ")
    key, _, token = rest.strip().partition("=")
    if scheme != "GoogleLogin" or key.strip().lower() != "auth" or not token:
        raise credentials.refused(request)
    return token.strip()


def authed(request: Request, p: Params | None = None, need_t: bool = True) -> tuple[User, str]:
    """The reader and Auth token of a call; for a POST that changes something, the T token
    checked too."""
    token = _auth_header(request)
    sent_t = p.get("T").strip() if p is not None else ""
    if token is None and request.method == "POST" and sent_t:
        token = sent_t  # Miniflux's way: the T token is the Auth token
    if token is None or len(token) > 200:
        raise credentials.refused(request)
    found = credentials.auth_user(request, token)
    if found is None:
        raise credentials.refused(request)
    if need_t and request.method == "POST" and sent_t != credentials.t_token(request, token):
        raise HTTPException(status_code=401, headers={"x-reader-google-bad-token": "true"})
    return found[0], token


def _json(body: Any) -> JSONResponse:
    return JSONResponse(body, headers={"cache-control": "no-store"})


def _text(body: str, status: int = 200) -> PlainTextResponse:
    return PlainTextResponse(body, status, headers={"cache-control": "no-store"})


# --- login ------------------------------------------------------------------------------------
@router.api_route("/accounts/ClientLogin", methods=["GET", "POST"])
async def client_login(request: Request) -> Response:
    p = await params(request)
    found = await run_in_threadpool(
        credentials.app_password, request, p.get("Email"), p.get("Passwd")
    )
    if found is None:
        request.app.state.limits.hit("sync_login", guard.client_ip(request))
        return _text("Error=BadAuthentication\n", 401)
    token = credentials.auth_token(request, int(found[1]["id"]), found[1]["secret_hash"])
    if p.get("output") == "json":
        return _json({"SID": token, "LSID": token, "Auth": token})
    return _text(f"SID={token}\nLSID={token}\nAuth={token}\n")


@router.get(API + "/token")
def token(request: Request) -> Response:
    _, auth = authed(request)
    return _text(credentials.t_token(request, auth))


@router.get(API + "/user-info")
def user_info(request: Request) -> Response:
    user, _ = authed(request)
    return _json(
        {
            "userId": str(user.id),
            "userName": user.display_name,
            "userProfileId": str(user.id),
            "userEmail": user.email,
            "isBloggerUser": False,
            "signupTimeSec": int(user.created_at.timestamp()),
            "isMultiLoginEnabled": False,
        }
    )


# --- subscriptions and labels ---------------------------------------------------------------
def _outlets(request: Request, user: User) -> list[Any]:
    store = request.app.state.store
    muted = set(store.sync_muted(user.id))
    return [s for s in store.list_sources(counts=False) if s.enabled and s.id not in muted]


@router.get(API + "/subscription/list")
def subscription_list(request: Request) -> Response:
    user, _ = authed(request)
    site = credentials.origin(request)
    subs = [
        {
            "id": f"feed/{s.id}",
            "title": s.name,
            "categories": [label(OUTLETS_FOLDER)],
            "url": s.url,
            "htmlUrl": s.site_url or "",
            "iconUrl": f"{site}/icons/{s.id}" if s.has_icon else "",
        }
        for s in _outlets(request, user)
    ]
    subs.append(
        {
            "id": f"feed/{STORIES_FEED}",
            "title": STORIES_TITLE,
            "categories": [label(STORIES_TITLE)],
            "url": f"{site}/feeds/stories.atom",
            "htmlUrl": f"{site}/stories",
            "iconUrl": "",
        }
    )
    return _json({"subscriptions": subs})


@router.get(API + "/tag/list")
def tag_list(request: Request) -> Response:
    authed(request)
    tags: list[dict[str, str]] = [{"id": STARRED}]
    tags += [{**label(OUTLETS_FOLDER), "type": "folder"}]
    tags += [{**label(STORIES_TITLE), "type": "folder"}]
    tags += [{**label(topic_label(t)), "type": "tag"} for t in sorted(TAXONOMY)]
    return _json({"tags": tags})


@router.get(API + "/unread-count")
def unread_count(request: Request) -> Response:
    user, _ = authed(request)
    since = window(request)
    counts = request.app.state.store.sync_unread_counts(user.id, since)
    rows: list[dict[str, Any]] = []

    def row(stream_id: str, n: int, newest: datetime | None) -> None:
        rows.append(
            {
                "id": stream_id,
                "count": int(n),
                "newestItemTimestampUsec": str(usec(newest)) if newest else "0",
            }
        )

    total, newest_all = 0, None
    for source in _outlets(request, user):
        n, newest = counts["outlets"].get(source.id, (0, None))
        row(f"feed/{source.id}", n, newest)
        total += n
        newest_all = max(filter(None, (newest_all, newest)), default=None)
    row(LABEL + OUTLETS_FOLDER, total, newest_all)
    n, newest = counts["stories"]
    row(f"feed/{STORIES_FEED}", n, newest)
    row(LABEL + STORIES_TITLE, n, newest)
    for topic, (tn, tnewest) in sorted(counts["topics"].items()):
        row(LABEL + topic_label(topic), tn, tnewest)
    all_newest = max(filter(None, (newest_all, newest)), default=None)
    row(READING_LIST, total + n, all_newest)
    return _json({"max": total + n, "unreadcounts": rows})


# --- streams ----------------------------------------------------------------------------------
def _contents(request: Request, user: User, stream_id: str, p: Params) -> Response:
    stream = stream_of(request, stream_id)
    f = stream_filter(request, p, MAX_CONTENTS)
    found = request.app.state.store.sync_refs(user.id, stream, f)
    shown = items(request, user.id, [num for num, _ in found])
    body: dict[str, Any] = {
        "direction": "ltr",
        "id": stream_id,
        "title": stream_id,
        "self": [{"href": str(request.url)}],
        "updated": int(request.app.state.clock().timestamp()),
        "items": [item_json(i) for i in shown],
    }
    if cont := continuation(found, f):
        body["continuation"] = cont
    return _json(body)


@router.get(API + "/stream/contents/{stream_id:path}")
async def stream_contents(request: Request, stream_id: str) -> Response:
    p = await params(request)
    user, _ = await run_in_threadpool(authed, request)
    return await run_in_threadpool(_contents, request, user, stream_id, p)


@router.get(API + "/stream/contents")
async def stream_contents_by_param(request: Request) -> Response:
    p = await params(request)
    user, _ = await run_in_threadpool(authed, request)
    return await run_in_threadpool(_contents, request, user, p.get("s", READING_LIST), p)


def _ids(request: Request, user: User, p: Params) -> Response:
    if not p.get("s"):
        raise bad("stream")
    stream = stream_of(request, p.get("s"))
    f = stream_filter(request, p, MAX_IDS)
    found = request.app.state.store.sync_refs(user.id, stream, f)
    body: dict[str, Any] = {
        "itemRefs": [
            {"id": str(num), "directStreamIds": [], "timestampUsec": str(usec(at))}
            for num, at in found
        ]
    }
    if cont := continuation(found, f):
        body["continuation"] = cont
    return _json(body)


@router.get(API + "/stream/items/ids")
async def stream_item_ids(request: Request) -> Response:
    p = await params(request)
    user, _ = await run_in_threadpool(authed, request)
    return await run_in_threadpool(_ids, request, user, p)


def _item_contents(request: Request, user: User, p: Params) -> Response:
    raw = p.all("i")
    if not raw:
        raise bad("item id")
    if len(raw) > MAX_CONTENTS:
        raise HTTPException(status_code=413)
    nums = [parse_item_id(i) for i in raw]
    shown = items(request, user.id, nums)
    return _json(
        {
            "direction": "ltr",
            "id": READING_LIST,
            "title": STORIES_TITLE if all(n >= STORY_ITEM for n in nums) else "Broadsheet",
            "updated": int(request.app.state.clock().timestamp()),
            "items": [item_json(i) for i in shown],
        }
    )


@router.api_route(API + "/stream/items/contents", methods=["GET", "POST"])
async def stream_item_contents(request: Request) -> Response:
    p = await params(request)
    # A read: no T token needed (FreshRSS asks none here), though a T alone may sign in.
    user, _ = await run_in_threadpool(authed, request, p, False)
    return await run_in_threadpool(_item_contents, request, user, p)


# --- marks ------------------------------------------------------------------------------------
def _edit(request: Request, user: User, p: Params) -> Response:
    raw = p.all("i")
    if not raw:
        raise bad("item id")
    if len(raw) > MAX_IDS:
        raise HTTPException(status_code=413)
    nums = [parse_item_id(i) for i in raw]
    store = request.app.state.store
    now = request.app.state.clock()
    adds, removes = p.all("a"), p.all("r")

    def has(tags: list[str], state: str) -> bool:
        return any(STATE.match(t) and t.endswith("/" + state) for t in tags)

    if has(adds, "read") or any(t in removes for t in KEPT_UNREAD):
        store.sync_set_read(user.id, nums, True, now)
    if has(removes, "read") or any(t in adds for t in KEPT_UNREAD):
        store.sync_set_read(user.id, nums, False, now)
    if has(adds, "starred"):
        store.sync_set_starred(user.id, nums, True, now)
    if has(removes, "starred"):
        store.sync_set_starred(user.id, nums, False, now)
    return _text("OK")


@router.post(API + "/edit-tag")
async def edit_tag(request: Request) -> Response:
    p = await params(request)
    user, _ = await run_in_threadpool(authed, request, p)
    return await run_in_threadpool(_edit, request, user, p)


def _mark_all(request: Request, user: User, p: Params) -> Response:
    stream = stream_of(request, p.get("s", ""))
    until = seconds(p.get("ts"), "ts") or request.app.state.clock()
    state = request.app.state
    state.store.sync_mark_all_read(user.id, stream, window(request), until, state.clock())
    return _text("OK")


@router.post(API + "/mark-all-as-read")
async def mark_all_as_read(request: Request) -> Response:
    p = await params(request)
    user, _ = await run_in_threadpool(authed, request, p)
    return await run_in_threadpool(_mark_all, request, user, p)


@router.api_route(API + "/{change:path}", methods=["GET", "POST"], include_in_schema=False)
async def not_here(request: Request, change: str) -> Response:
    """Anything else, after the usual checks. A read some apps try (preference/list,
    friend/list…) gets ``[]`` as from Miniflux; subscription and label changes
    (subscription/edit, quickadd, rename-tag…) are refused plainly: the outlets and topics
    are the site's."""
    p = await params(request)
    await run_in_threadpool(authed, request, p)
    if request.method == "GET":
        return _json([])
    return _text("Error=NotSupported: outlets and topics are chosen on Broadsheet\n", 400)
