"""Comments on articles: the section under an article (newest/oldest, keyset paging,
one level of replies), posting, replying, editing for a while, deleting and reporting.

Every form is a plain POST that redirects back (works without JavaScript). Only the
author edits or deletes a comment; anyone signed in may report one. New readers' first
comments and comments with many links wait for a moderator (see admin.py).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.config import Settings
from broadsheet.models import Comment, StoredArticle, User
from broadsheet.web import comment_text, guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import PostedForm

router = APIRouter()

_ID = re.compile(r"^[1-9][0-9]{0,17}$")


def _id(raw: str) -> int:
    if not _ID.match(raw):
        raise HTTPException(status_code=404)
    return int(raw)


def editable(request: Request, comment: Comment, reader: User | None) -> bool:
    settings: Settings = request.app.state.settings
    window = timedelta(minutes=settings.comment_edit_minutes)
    return (
        reader is not None
        and reader.id == comment.user_id
        and comment.status in ("visible", "held")
        and request.app.state.clock() - comment.created_at <= window
    )


def section(request: Request, article: StoredArticle) -> dict[str, Any]:
    """What comments.html shows under an article."""
    settings: Settings = request.app.state.settings
    reader = guard.current_reader(request)
    order = "oldest" if request.query_params.get("order") == "oldest" else "newest"
    raw_after = request.query_params.get("after", "")
    cursor = int(raw_after) if _ID.match(raw_after) else None
    listed, following, count = request.app.state.store.article_comments(
        article.id,
        reader.id if reader else None,
        order == "newest",
        cursor,
        settings.comments_per_page,
    )
    return {
        "comments": listed,
        "count": count,
        "order": order,
        "next_cursor": following,
        "paged": cursor is not None,
        "reader": reader,
        "can_edit": lambda c: editable(request, c, reader),
        "render": comment_text.render,
        "notice": _NOTICES.get(request.query_params.get("c", ""), ""),
    }


_NOTICES = {
    "held": "Thanks: your comment waits for a moderator before others see it.",
    "reported": "Thanks: a moderator will look at the comment.",
    "deleted": "Your comment is deleted.",
    "edited": "Your comment is updated.",
}


def _back(article_id: int, notice: str, anchor: str = "comments") -> RedirectResponse:
    return RedirectResponse(f"/articles/{article_id}?c={notice}#{anchor}", status_code=303)


def _retry_form(
    request: Request, article: StoredArticle, error: str, body: str, action: str, status: int
) -> Response:
    return page(
        request,
        "comment_form.html",
        status,
        article=article,
        error=error,
        body=body[:20_000],
        action=action,
    )


def _posting_allowed(request: Request, reader: User) -> Response | None:
    if reader.banned:
        return page(request, "comment_banned.html", 403)
    state = request.app.state
    state.limits.hit("post_reader", str(reader.id))
    state.limits.hit("post_ip", guard.client_ip(request))
    return None


@router.post("/articles/{article_id}/comments", response_class=HTMLResponse)
def post_comment(request: Request, article_id: str, sent: PostedForm) -> Response:
    reader = sent.reader
    state = request.app.state
    article = state.store.get_article(_id(article_id))
    if article is None:
        raise HTTPException(status_code=404)
    if reader is None:
        return sign_in_first(request)
    refused = _posting_allowed(request, reader)
    if refused is not None:
        return refused
    settings: Settings = state.settings
    parent_id: int | None = None
    raw_parent = sent.get("parent")
    if raw_parent:
        parent = state.store.get_comment(_id(raw_parent))
        if parent is None or parent.article_id != article.id or parent.status != "visible":
            return _retry_form(
                request,
                article,
                "The comment you answered is gone.",
                sent.get("body"),
                f"/articles/{article.id}/comments",
                400,
            )
        parent_id = parent.parent_id or parent.id  # replies stay one level deep
    body, problem = comment_text.clean(sent.get("body"), settings.comment_max_chars)
    if body is None:
        action = f"/articles/{article.id}/comments"
        return _retry_form(request, article, problem, sent.get("body"), action, 400)
    held = None
    if len(comment_text.links(body)) > settings.comment_hold_links:
        held = "many links"
    cid, status = state.store.add_comment(
        article.id, reader.id, parent_id, body, state.clock(), held
    )
    return _back(article.id, "held" if status == "held" else "posted", f"comment-{cid}")


def _own(request: Request, comment_id: str, reader: User | None) -> Comment:
    comment = request.app.state.store.get_comment(_id(comment_id))
    if comment is None or comment.status == "deleted":
        raise HTTPException(status_code=404)
    if reader is None or reader.id != comment.user_id:
        raise HTTPException(status_code=403)
    return comment


@router.get("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, comment_id: str) -> Response:
    _id(comment_id)  # a malformed id is a 404 for everyone
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    comment = _own(request, comment_id, reader)
    article = request.app.state.store.get_article(comment.article_id)
    if not editable(request, comment, reader):
        return page(request, "comment_form.html", 403, article=article, error=_TOO_LATE, body="")
    action = f"/comments/{comment.id}/edit"
    return page(
        request, "comment_form.html", article=article, error="", body=comment.body, action=action
    )


_TOO_LATE = "Comments can be edited for a short while after posting; this one no longer."


@router.post("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit(request: Request, comment_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    comment = _own(request, comment_id, sent.reader)
    state = request.app.state
    article = state.store.get_article(comment.article_id)
    if not editable(request, comment, sent.reader):
        return page(request, "comment_form.html", 403, article=article, error=_TOO_LATE, body="")
    refused = _posting_allowed(request, sent.reader)
    if refused is not None:
        return refused
    body, problem = comment_text.clean(sent.get("body"), state.settings.comment_max_chars)
    if body is None:
        action = f"/comments/{comment.id}/edit"
        return _retry_form(request, article, problem, sent.get("body"), action, 400)
    state.store.edit_comment(comment.id, body, state.clock())
    return _back(comment.article_id, "edited", f"comment-{comment.id}")


@router.post("/comments/{comment_id}/delete")
def delete(request: Request, comment_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    comment = _own(request, comment_id, sent.reader)
    request.app.state.store.delete_own_comment(comment.id)
    return _back(comment.article_id, "deleted")


@router.post("/comments/{comment_id}/report")
def report(request: Request, comment_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    state = request.app.state
    comment = state.store.get_comment(_id(comment_id))
    if comment is None or comment.status != "visible":
        raise HTTPException(status_code=404)
    if comment.user_id != sent.reader.id:
        state.store.report_comment(comment.id, sent.reader.id, state.clock())
    return _back(comment.article_id, "reported", f"comment-{comment.id}")
