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


def caller(request: Request) -> None:
    """Every API call: a Bearer token names its reader (401 if it is not a current one)
    and is limited per token; a call without one is limited per address."""
    reader = credentials.bearer(request)
    request.state.api_reader = reader
    if reader is None:
        request.app.state.limits.hit("api_ip", guard.client_ip(request))


def _reader(request: Request) -> User:
    reader: User | None = getattr(request.state, "api_reader", None)
    if reader is None:
        raise HTTPException(
            status_code=401,
            detail="Send an API token: Authorization: Bearer <token> (made on /account).",
            headers={"www-authenticate": 'Bearer realm="broadsheet"'},
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


class MyArticle(BaseModel):
    article: int
    title: str
    outlet: str
    at: datetime = Field(description="When it was saved, or last opened.")


@router.get("/me", response_model=Me, responses=ERRORS)
def me(request: Request) -> Response:
    """The reader the token belongs to, and what they follow or mute."""
    reader = _reader(request)
    follows = request.app.state.store.follows_of(reader.id)
    body = Me(
        id=reader.id,
        name=reader.display_name,
        role=reader.role,
        follows=[
            Follow(kind=f["kind"], key=str(f["key"]), muted=bool(f["muted"])) for f in follows
        ],
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
    reader = _reader(request)
    return respond(request, _articles(request.app.state.store.saved_articles(reader.id, limit)))


@router.get("/me/history", response_model=list[MyArticle], responses=ERRORS)
def history(request: Request, limit: int = Query(default=50, ge=1, le=200)) -> Response:
    """Articles the reader opened (on the site or marked read in a sync app), latest first."""
    reader = _reader(request)
    return respond(request, _articles(request.app.state.store.read_history(reader.id, limit)))
