"""Comments on articles and stories: the section under each (newest/oldest, keyset paging,
one level of replies), posting, replying, editing for a while, deleting and reporting.

Every form is a plain POST that redirects back (works without JavaScript). Only the
author edits or deletes a comment; anyone signed in may report one. New readers' first
comments and comments with many links wait for a moderator (see admin.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.config import Settings
from broadsheet.models import Comment, Story, User
from broadsheet.web import comment_text, guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.guard import Posted, PostedForm
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _

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


@dataclass(frozen=True)
class Target:
    """What comments are on: an article or a story, its title and its page."""

    kind: str  # article | story
    id: int
    title: str

    @property
    def path(self) -> str:
        return f"/{'articles' if self.kind == 'article' else 'stories'}/{self.id}"


def target_of(request: Request, comment: Comment) -> Target | None:
    store = request.app.state.store
    if comment.article_id is not None:
        article = store.get_article(comment.article_id)
        return Target("article", article.id, article.title) if article else None
    story = store.get_story(comment.story_id, with_members=False) if comment.story_id else None
    return Target("story", story.id, story.title) if story else None


def section(request: Request, target: Target) -> dict[str, Any]:
    """What comments.html shows under an article or a story."""
    settings: Settings = request.app.state.settings
    reader = guard.current_reader(request)
    order = "oldest" if request.query_params.get("order") == "oldest" else "newest"
    raw_after = request.query_params.get("after", "")
    cursor = int(raw_after) if _ID.match(raw_after) else None
    listed, following, count = request.app.state.store.article_comments(
        target.id,
        reader.id if reader else None,
        order == "newest",
        cursor,
        settings.comments_per_page,
        kind=target.kind,
    )
    return {
        "path": target.path,
        "comments": listed,
        "count": count,
        "order": order,
        "next_cursor": following,
        "paged": cursor is not None,
        "reader": reader,
        "can_edit": lambda c: editable(request, c, reader),
        "render": comment_text.render,
        "notice": _(_NOTICES[notice])
        if (notice := request.query_params.get("c", "")) in _NOTICES
        else "",
    }


def story_comments(request: Request, story: Story) -> dict[str, Any]:
    """The story page's comments (a template helper: the story page needs no change)."""
    target = Target("story", story.id, story.title)
    return {"reader": guard.current_reader(request), "comments": section(request, target)}


_NOTICES = {
    "held": N_("Thanks: your comment waits for a moderator before others see it."),
    "reported": N_("Thanks: a moderator will look at the comment."),
    "deleted": N_("Your comment is deleted."),
    "edited": N_("Your comment is updated."),
}


def _back(path: str, notice: str, anchor: str = "comments") -> RedirectResponse:
    return RedirectResponse(f"{path}?c={notice}#{anchor}", status_code=303)


def _retry_form(
    request: Request, target: Target | None, error: str, body: str, action: str, status: int
) -> Response:
    return page(
        request,
        "comment_form.html",
        status,
        target=target,
        error=error,
        body=body[:20_000],
        action=action,
    )


class Refused(Exception):
    """A comment the rules turn down: ``reason`` (banned, unverified, gone, invalid,
    too_late), the HTTP status and what to tell the reader. The web answers it with a page,
    the API (web/api/mine.py) with its error object."""

    def __init__(self, reason: str, status: int, message: str = "") -> None:
        super().__init__(message or reason)
        self.reason, self.status, self.message = reason, status, message


def check_posting(request: Request, reader: User) -> None:
    """Banned and unverified readers may not post; a post counts against the reader's and
    the address's limits (429 past them)."""
    if reader.banned:
        raise Refused("banned", 403, _(_BANNED))
    from broadsheet.web.verify import must_verify

    if must_verify(request, reader):
        raise Refused("unverified", 403, _("Confirm your address first"))
    state = request.app.state
    state.limits.hit("post_reader", str(reader.id))
    state.limits.hit("post_ip", guard.client_ip(request))


def publish(
    request: Request, target: Target, reader: User, raw_body: str, parent_id: int | None
) -> tuple[int, str]:
    """Post a comment (or a reply to ``parent_id``) under the site's rules: (id, status),
    status "held" when it waits for a moderator; else ``Refused``."""
    state = request.app.state
    check_posting(request, reader)
    settings: Settings = state.settings
    if parent_id is not None:
        parent = state.store.get_comment(parent_id)
        on = (
            (parent.article_id if target.kind == "article" else parent.story_id) if parent else None
        )
        if parent is None or on != target.id or parent.status != "visible":
            raise Refused("gone", 400, _("The comment you answered is gone."))
        parent_id = parent.parent_id or parent.id  # replies stay one level deep
    body, problem = comment_text.clean(raw_body, settings.comment_max_chars)
    if body is None:
        raise Refused("invalid", 400, problem)
    held = None
    if len(comment_text.links(body)) > settings.comment_hold_links:
        held = "many links"
    return state.store.add_comment(  # type: ignore[no-any-return]
        target.id if target.kind == "article" else None,
        reader.id,
        parent_id,
        body,
        state.clock(),
        held,
        story_id=target.id if target.kind == "story" else None,
    )


def revise(request: Request, comment: Comment, reader: User, raw_body: str) -> None:
    """Edit the reader's own comment while the edit window is open; else ``Refused``."""
    state = request.app.state
    if not editable(request, comment, reader):
        raise Refused("too_late", 403, _(_TOO_LATE))
    check_posting(request, reader)
    body, problem = comment_text.clean(raw_body, state.settings.comment_max_chars)
    if body is None:
        raise Refused("invalid", 400, problem)
    state.store.edit_comment(comment.id, body, state.clock())


def _refused_page(
    request: Request, refused: Refused, target: Target | None, body: str, action: str
) -> Response:
    if refused.reason == "banned":
        return page(request, "comment_banned.html", 403)
    if refused.reason == "unverified":
        return page(request, "comment_unverified.html", 403, reader=guard.current_reader(request))
    if refused.reason == "too_late":
        return page(
            request, "comment_form.html", 403, target=target, error=refused.message, body=""
        )
    return _retry_form(request, target, refused.message, body, action, refused.status)


@router.post("/articles/{article_id}/comments", response_class=HTMLResponse)
def post_comment(request: Request, article_id: str, sent: PostedForm) -> Response:
    article = request.app.state.store.get_article(_id(article_id))
    if article is None:
        raise HTTPException(status_code=404)
    return _post(request, Target("article", article.id, article.title), sent)


@router.post("/stories/{story_id}/comments", response_class=HTMLResponse)
def post_story_comment(request: Request, story_id: str, sent: PostedForm) -> Response:
    story = request.app.state.store.get_story(_id(story_id), with_members=False)
    if story is None:
        raise HTTPException(status_code=404)
    return _post(request, Target("story", story.id, story.title), sent)


def _post(request: Request, target: Target, sent: Posted) -> Response:
    reader = sent.reader
    if reader is None:
        return sign_in_first(request)
    raw_parent = sent.get("parent")
    try:
        cid, status = publish(
            request, target, reader, sent.get("body"), _id(raw_parent) if raw_parent else None
        )
    except Refused as refused:
        return _refused_page(request, refused, target, sent.get("body"), f"{target.path}/comments")
    return _back(target.path, "held" if status == "held" else "posted", f"comment-{cid}")


def own(request: Request, comment_id: str, reader: User | None) -> Comment:
    """The reader's own comment, or 404: another reader's comment gets the same answer as
    none at all, so the edit and delete forms do not tell which ids exist."""
    comment = request.app.state.store.get_comment(_id(comment_id))
    if comment is None or comment.status == "deleted":
        raise HTTPException(status_code=404)
    if reader is None or reader.id != comment.user_id:
        raise HTTPException(status_code=404)
    return comment


@router.get("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_form(request: Request, comment_id: str) -> Response:
    _id(comment_id)  # a malformed id is a 404 for everyone
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    comment = own(request, comment_id, reader)
    target = target_of(request, comment)
    if not editable(request, comment, reader):
        return page(request, "comment_form.html", 403, target=target, error=_(_TOO_LATE), body="")
    action = f"/comments/{comment.id}/edit"
    return page(
        request, "comment_form.html", target=target, error="", body=comment.body, action=action
    )


_BANNED = N_(
    "A moderator closed commenting for your account. You can still read and save articles."
)
_TOO_LATE = N_("Comments can be edited for a short while after posting; this one no longer.")


@router.post("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit(request: Request, comment_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    comment = own(request, comment_id, sent.reader)
    try:
        revise(request, comment, sent.reader, sent.get("body"))
    except Refused as refused:
        target = target_of(request, comment)
        action = f"/comments/{comment.id}/edit"
        return _refused_page(request, refused, target, sent.get("body"), action)
    return _back(comment.page, "edited", f"comment-{comment.id}")


@router.post("/comments/{comment_id}/delete")
def delete(request: Request, comment_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    comment = own(request, comment_id, sent.reader)
    request.app.state.store.delete_own_comment(comment.id)
    return _back(comment.page, "deleted")


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
    return _back(comment.page, "reported", f"comment-{comment.id}")
