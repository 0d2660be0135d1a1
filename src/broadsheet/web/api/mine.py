"""Comments through the API (read them under an article or a story, as the site shows
them; post, edit and delete one's own), and what a signed-in reader changes: follows and
saved articles.

Signed in = an API token (``Authorization: Bearer``), or the site's session cookie with
the session's CSRF token in ``X-CSRF-Token`` (``me.signed_in``). Every rule is the web's
own code, called, not copied: ``web/comments.py`` (sanitising, the edit window,
verification and bans, the posting rate limits, holding first comments and link-heavy
ones for a moderator), ``web/foryou.change`` (what can be followed or muted) and
``web/saved.keep``. Errors are the API's one error object: 401 not signed in, 403 not
allowed (another reader's comment, a ban, an unverified address, a session without its
CSRF token), 404 no such thing, 422 a body the rules refuse, 429 too many.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from broadsheet.models import Comment
from broadsheet.web import comments, foryou, guard, saved
from broadsheet.web.api import schemas as s
from broadsheet.web.api.me import JSON, WRITE_ERRORS, Follow, signed_in
from broadsheet.web.api.respond import respond
from broadsheet.web.pages import _db_id

router = APIRouter(prefix="/api/v1", tags=["reader"])
FollowKind = Literal["topic", "entity", "place", "outlet", "story"]


def _comment(found: Comment, model: type[s.Comment] = s.Comment) -> Any:
    return model(
        id=found.id,
        article=found.article_id,
        story=found.story_id,
        parent=found.parent_id,
        author=found.author,
        body=found.body,
        status=found.status,
        created=found.created_at,
        edited=found.edited_at,
    )


def _target(request: Request, kind: str, raw_id: str) -> comments.Target:
    """The article or story comments are on; 404 if there is none."""
    store = request.app.state.store
    if kind == "article":
        found = store.get_article(_db_id(raw_id))
    else:
        found = store.get_story(_db_id(raw_id), with_members=False)
    if found is None:
        raise HTTPException(status_code=404)
    return comments.Target(kind, found.id, found.title)


def _refused(refused: comments.Refused) -> HTTPException:
    """The web's refusal as an API error: a body the rules refuse is 422."""
    status = 422 if refused.status == 400 else refused.status
    return HTTPException(status_code=status, detail=refused.message or refused.reason)


def _created(request: Request, target: comments.Target, sent: s.CommentIn) -> Response:
    reader = signed_in(request)
    try:
        cid, _status = comments.publish(request, target, reader, sent.body, sent.parent)
    except comments.Refused as refused:
        raise _refused(refused) from None
    response = respond(request, _comment(request.app.state.store.get_comment(cid)))
    response.status_code = 201
    response.headers["location"] = f"/api/v1/comments/{cid}"
    return response


# --- reading: the site's own query (web/comments.section), so both show the same ----------
READ_ERRORS: dict[int | str, dict[str, Any]] = {status: JSON for status in (400, 404, 429)}


def _after() -> Any:
    return Query(
        default=None,
        pattern=r"^[1-9][0-9]{0,17}$",
        description="The previous page's ``next``.",
    )


def _order() -> Any:
    return Query(default="newest", description="Top-level comments newest or oldest first.")


def _limit() -> Any:
    return Query(default=20, ge=1, le=100, description="Top-level comments per page.")


def _thread_page(
    request: Request, target: comments.Target, order: str, after: str | None, limit: int
) -> Response:
    """Top-level comments with their replies, exactly those the site's page shows: visible
    ones, and the caller's own while they wait for a moderator (a token's reader, else the
    session's). Hidden and deleted comments are left out, and so are the replies under
    them, as on the page."""
    viewer = getattr(request.state, "api_reader", None) or guard.current_reader(request)
    listed, following, count = request.app.state.store.article_comments(
        target.id,
        viewer.id if viewer else None,
        order == "newest",
        int(after) if after else None,
        limit,
        kind=target.kind,
    )
    items = []
    for top in listed:
        thread = _comment(top, s.CommentThread)
        thread.replies = [_comment(r) for r in top.replies]
        items.append(thread)
    body = s.CommentList(items=items, next=str(following) if following else None, count=count)
    return respond(request, body)


@router.get("/articles/{article_id}/comments", response_model=s.CommentList, responses=READ_ERRORS)
def article_comments(
    request: Request,
    article_id: str,
    order: Literal["newest", "oldest"] = _order(),
    after: str | None = _after(),
    limit: int = _limit(),
) -> Response:
    """The comments on an article as its page shows them: top-level ones (newest first, or
    ``order=oldest``) each with its replies, oldest first."""
    return _thread_page(request, _target(request, "article", article_id), order, after, limit)


@router.get("/stories/{story_id}/comments", response_model=s.CommentList, responses=READ_ERRORS)
def story_comments(
    request: Request,
    story_id: str,
    order: Literal["newest", "oldest"] = _order(),
    after: str | None = _after(),
    limit: int = _limit(),
) -> Response:
    """The comments on a story, as on an article."""
    return _thread_page(request, _target(request, "story", story_id), order, after, limit)


# --- writing -----------------------------------------------------------------------------
@router.post(
    "/articles/{article_id}/comments",
    response_model=s.Comment,
    status_code=201,
    responses=WRITE_ERRORS,
)
def comment_on_article(request: Request, article_id: str, sent: s.CommentIn) -> Response:
    """Post a comment (or, with ``parent``, a reply) on an article. A reader's first
    comment, and one with many links, waits for a moderator: ``status`` is then held."""
    return _created(request, _target(request, "article", article_id), sent)


@router.post(
    "/stories/{story_id}/comments",
    response_model=s.Comment,
    status_code=201,
    responses=WRITE_ERRORS,
)
def comment_on_story(request: Request, story_id: str, sent: s.CommentIn) -> Response:
    """Post a comment (or a reply) on a story, as on an article."""
    return _created(request, _target(request, "story", story_id), sent)


def _own(request: Request, comment_id: str) -> Comment:
    """The caller's own comment (404 for none, a deleted one and another reader's alike)."""
    return comments.own(request, str(_db_id(comment_id)), signed_in(request))


@router.patch("/comments/{comment_id}", response_model=s.Comment, responses=WRITE_ERRORS)
def edit_comment(request: Request, comment_id: str, sent: s.CommentEdit) -> Response:
    """Edit your own comment, within the site's edit window (403 after it)."""
    found = _own(request, comment_id)
    try:
        comments.revise(request, found, signed_in(request), sent.body)
    except comments.Refused as refused:
        raise _refused(refused) from None
    return respond(request, _comment(request.app.state.store.get_comment(found.id)))


@router.delete("/comments/{comment_id}", status_code=204, responses=WRITE_ERRORS)
def delete_comment(request: Request, comment_id: str) -> Response:
    """Delete your own comment (its replies stay)."""
    found = _own(request, comment_id)
    request.app.state.store.delete_own_comment(found.id)
    return Response(status_code=204)


# --- follows and saved ----------------------------------------------------------------------


@router.put("/me/follows", response_model=Follow, responses=WRITE_ERRORS)
def follow(request: Request, sent: s.FollowIn) -> Response:
    """Follow (or, ``muted``, mute) a topic, entity, place, outlet or story. Doing it again
    changes nothing; following a muted thing unmutes it."""
    reader = signed_in(request)
    action = "mute" if sent.muted else "follow"
    key = foryou.change(request, reader, sent.kind, sent.key, action)
    return respond(request, Follow(kind=sent.kind, key=key, muted=sent.muted))


@router.delete("/me/follows/{kind}/{key}", status_code=204, responses=WRITE_ERRORS)
def unfollow(request: Request, kind: FollowKind, key: str) -> Response:
    """Stop following (or muting) it; 404 if ``key`` names nothing."""
    reader = signed_in(request)
    foryou.change(request, reader, kind, key[:200], "unfollow")
    return Response(status_code=204)


@router.put("/me/saved/{article_id}", status_code=204, responses=WRITE_ERRORS)
def save(request: Request, article_id: str) -> Response:
    """Save an article for later (again: no change)."""
    saved.keep(request, signed_in(request), _db_id(article_id), True)
    return Response(status_code=204)


@router.delete("/me/saved/{article_id}", status_code=204, responses=WRITE_ERRORS)
def unsave(request: Request, article_id: str) -> Response:
    """Take an article off the saved list."""
    saved.keep(request, signed_in(request), _db_id(article_id), False)
    return Response(status_code=204)
