"""The JSON API's shapes (pydantic models): what /openapi.json documents and what every
endpoint returns. Plain fields only; HTML appears once, in ``ArticleDetail.html``, and it
is the sanitized body the store keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ErrorBody(BaseModel):
    status: int = Field(description="The HTTP status code.")
    code: str = Field(description="A stable machine-readable code, e.g. not_found.")
    message: str = Field(description="What went wrong, for a person.")


class Error(BaseModel):
    """Every error of the API, whatever the status."""

    error: ErrorBody


class ListOf(BaseModel, Generic[T]):
    """One page of a list, newest first. Pass ``next`` as ``before`` for the next page."""

    items: list[T]
    next: str | None = Field(default=None, description="Cursor of the next, older page.")
    previous: str | None = Field(default=None, description="Cursor of the newer page.")


class Outlet(BaseModel):
    id: int
    name: str
    url: str | None = Field(default=None, description="The outlet's site.")
    country: str | None = None
    language: str | None = None


class ArticleSummary(BaseModel):
    id: int
    title: str
    outlet: Outlet
    published: datetime | None = None
    sort_at: datetime = Field(
        description="What lists sort by: published, never later than fetched."
    )
    language: str | None = None
    image: str | None = None
    lead: str = ""


class Entity(BaseModel):
    id: str
    name: str
    label: str


class ArticleDetail(BaseModel):
    id: int
    title: str
    outlet: Outlet
    url: str = Field(description="The original article at the outlet.")
    author: str | None = None
    published: datetime | None = None
    fetched: datetime
    language: str | None = None
    image: str | None = None
    text: str
    html: str = Field(description="The body as sanitized HTML.")
    story: int | None = None
    summary: str = ""
    key_points: list[str] = []
    entities: list[Entity] = []
    countries: list[str] = []
    topics: list[str] = []


class StoryMember(BaseModel):
    article: int
    title: str
    outlet: Outlet
    published: datetime | None = None
    sort_at: datetime
    language: str | None = None
    copy_of: int | None = Field(default=None, description="The wire text's first copy.")
    agency: str | None = None


class StorySummary(BaseModel):
    id: int
    title: str
    first_at: datetime | None = None
    last_at: datetime | None = None
    articles: int
    outlets: int
    lead: int | None = None


class SummaryLine(BaseModel):
    text: str
    article: int


class Coverage(BaseModel):
    countries: dict[str, int] = {}
    languages: dict[str, int] = {}
    outlets: list[str] = []


class StoryDetail(StorySummary):
    summary: list[SummaryLine] = []
    coverage: Coverage
    members: list[StoryMember] = Field(description="The newest members, at most 50.")
    more_members: bool = False


class SearchHit(BaseModel):
    article: int
    title: str
    outlet: Outlet
    sort_at: datetime
    language: str | None = None
    story: int | None = None
    more_reports: int = 0
    snippet: str = Field(description="Plain text; matches between [ and ].")


class SearchResults(BaseModel):
    query: str
    matched: int
    capped: bool
    items: list[SearchHit]


class DailyItem(BaseModel):
    story: int
    title: str
    topic: str | None = None
    outlets: int
    independent_reports: int
    countries: list[str] = []
    summary: list[SummaryLine] = []


class Daily(BaseModel):
    day: str
    final: bool
    items: list[DailyItem]


# --- what signed-in readers send and get back (web/api/mine.py, web/api/sources.py) ---------
class CommentIn(BaseModel):
    body: str = Field(max_length=20_000, description="Plain text; http(s) links are linked.")
    parent: int | None = Field(
        default=None, ge=1, le=10**15, description="The comment this one answers."
    )


class CommentEdit(BaseModel):
    body: str = Field(max_length=20_000)


class Comment(BaseModel):
    id: int
    article: int | None = Field(default=None, description="The article it is on, if any.")
    story: int | None = Field(default=None, description="The story it is on, if any.")
    parent: int | None = None
    author: str
    body: str = Field(description="Plain text, exactly as kept.")
    status: str = Field(
        description="visible, or held (waits for a moderator; shown only to its author)."
    )
    created: datetime
    edited: datetime | None = None


class CommentThread(Comment):
    replies: list[Comment] = Field(
        default_factory=list, description="Its answers, oldest first (one level deep)."
    )


class CommentList(BaseModel):
    """A page of comments as the site shows them under an article or a story."""

    items: list[CommentThread]
    next: str | None = Field(default=None, description="Pass as ``after`` for the next page.")
    count: int = Field(description="Visible comments in all (replies included).")


class FollowIn(BaseModel):
    kind: Literal["topic", "entity", "place", "outlet", "story"]
    key: str = Field(
        min_length=1,
        max_length=200,
        description="The topic's name, the entity's id, the country code, or the outlet's "
        "or story's id.",
    )
    muted: bool = Field(default=False, description="Mute instead (topics and outlets only).")


class SourceIn(BaseModel):
    url: str = Field(max_length=2000, description="A feed, or a site whose feed is found.")
    name: str | None = Field(default=None, max_length=200)


class Source(BaseModel):
    id: int
    name: str
    url: str = Field(description="The feed (or sitemap) polled.")
    site: str | None = None
    kind: str
    state: str = Field(description="new, ok, error, failing, paused or disabled.")
    status: str = Field(description="The state in words, with the last error.")
    error_count: int = 0
    last_success: datetime | None = None
    next_poll: datetime | None = None
