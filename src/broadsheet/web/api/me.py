"""The caller's own data, for a program holding one of the reader's API tokens
(``Authorization: Bearer bsk_…``; made on the account page): who, what they follow,
their saved articles and reading history. Without a token: 401 in the one error shape.

Who the caller is, and the rate limit that applies (per token, or per address without
one), is decided once per API call by ``caller`` (the router's dependency).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from broadsheet.models import User
from broadsheet.web import credentials, guard
from broadsheet.web.api import schemas as s
from broadsheet.web.api.respond import respond

router = APIRouter(prefix="/api/v1", tags=["reader"])
JSON = {"model": s.Error, "description": "Error"}
ERRORS: dict[int | str, dict[str, Any]] = {400: JSON, 401: JSON, 429: JSON}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    status: JSON for status in (400, 401, 403, 404, 422, 429)
}


def caller(request: Request) -> None:
    """Every API call: a Bearer token names its reader (401 if it is not a current one)
    and is limited per token; a call without one is limited per address."""
    reader = credentials.bearer(request)
    request.state.api_reader = reader
    if reader is None:
        request.app.state.limits.hit("api_ip", guard.client_ip(request))


SAFE = ("GET", "HEAD", "OPTIONS")
CSRF_HEADER = "x-csrf-token"


def signed_in(request: Request) -> User:
    """The signed-in caller: the reader of the Bearer token, else of the session cookie
    (a browser on this site). A session's write must come from this site's origin with the
    session's CSRF token in ``X-CSRF-Token`` (``GET /api/v1/me`` gives it): else 403.
    Neither: 401."""
    reader: User | None = getattr(request.state, "api_reader", None)
    if reader is not None:
        return reader
    reader = guard.current_reader(request)
    if reader is None:
        raise HTTPException(
            status_code=401,
            detail="Send an API token: Authorization: Bearer <token> (made on /account).",
            headers={"www-authenticate": 'Bearer realm="broadsheet"'},
        )
    if request.method not in SAFE and not (
        guard.same_origin(request)
        and guard.csrf_ok(request, request.headers.get(CSRF_HEADER, ""), reader)
    ):
        raise HTTPException(
            status_code=403,
            detail="A signed-in browser's change needs X-CSRF-Token (from GET /api/v1/me).",
        )
    return reader


class Follow(BaseModel):
    kind: str = Field(description="topic, entity, place, outlet or story.")
    key: str = Field(description="The topic's name, the entity's id, the country code or id.")
    muted: bool


class Me(BaseModel):
    id: int
    name: str
    role: str
    follows: list[Follow]
    csrf: str | None = Field(
        default=None,
        description="Signed in by the session cookie: the token to send as X-CSRF-Token "
        "with a change. None with an API token (which needs none).",
    )


class MyArticle(BaseModel):
    article: int
    title: str
    outlet: str
    at: datetime = Field(description="When it was saved, or last opened.")


@router.get("/me", response_model=Me, responses=ERRORS)
def me(request: Request) -> Response:
    """The reader the token belongs to, and what they follow or mute."""
    reader = signed_in(request)
    follows = request.app.state.store.follows_of(reader.id)
    body = Me(
        id=reader.id,
        name=reader.display_name,
        role=reader.role,
        follows=[
            Follow(kind=f["kind"], key=str(f["key"]), muted=bool(f["muted"])) for f in follows
        ],
        csrf=None if getattr(request.state, "api_reader", None) else guard.csrf_token(request),
    )
    return respond(request, body)


def _articles(found: list[Any]) -> Any:
    from pydantic import RootModel

    return RootModel[list[MyArticle]](
        [
            MyArticle(article=a.article_id, title=a.title, outlet=a.source_name, at=a.at)
            for a in found
        ]
    )


@router.get("/me/saved", response_model=list[MyArticle], responses=ERRORS)
def saved(request: Request, limit: int = Query(default=50, ge=1, le=200)) -> Response:
    """The reader's saved articles, the latest saved first."""
    reader = signed_in(request)
    return respond(request, _articles(request.app.state.store.saved_articles(reader.id, limit)))


@router.get("/me/history", response_model=list[MyArticle], responses=ERRORS)
def history(request: Request, limit: int = Query(default=50, ge=1, le=200)) -> Response:
    """Articles the reader opened (on the site or marked read in a sync app), latest first."""
    reader = signed_in(request)
    return respond(request, _articles(request.app.state.store.read_history(reader.id, limit)))
