"""Moderation in the browser (moderators and admins): the queue of held and reported
comments, hide / restore / delete, ban or unban a reader, and the log of every action
(who, what, when). Admins also manage accounts at /admin/users: roles and disabling
(sources: admin_sources.py).
Each action is one POST and is logged."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.models import ROLES, User
from broadsheet.web import comment_text, guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.comments import _id
from broadsheet.web.guard import PostedForm

router = APIRouter(prefix="/admin")

ACTIONS = ("hide", "restore", "delete")


def _moderator(reader: User | None) -> User:
    if reader is None or not reader.can_moderate:
        raise HTTPException(status_code=403)
    return reader


@router.get("/moderation", response_class=HTMLResponse)
def queue(request: Request) -> Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    _moderator(reader)
    store = request.app.state.store
    return page(
        request,
        "moderation.html",
        items=store.moderation_queue(),
        log=store.moderation_log(),
        render=comment_text.render,
    )


@router.post("/moderation/{comment_id}")
def moderate(request: Request, comment_id: str, sent: PostedForm) -> Response:
    moderator = _moderator(sent.reader)
    action = sent.get("action")
    state = request.app.state
    comment = state.store.get_comment(_id(comment_id))
    if comment is None or action not in ACTIONS:
        raise HTTPException(status_code=404 if comment is None else 400)
    state.store.moderate_comment(moderator.id, comment.id, action, state.clock())
    return RedirectResponse(guard.local_path(sent.get("next"), "/admin/moderation"), 303)


@router.post("/users/{user_id}/ban")
def ban(request: Request, user_id: str, sent: PostedForm) -> Response:
    moderator = _moderator(sent.reader)
    state = request.app.state
    target = state.store.get_user(_id(user_id))
    if target is None:
        raise HTTPException(status_code=404)
    # Moderators ban readers; only an admin bans a moderator; nobody bans an admin or self.
    if target.id == moderator.id or target.role == "admin":
        raise HTTPException(status_code=403)
    if target.role == "moderator" and moderator.role != "admin":
        raise HTTPException(status_code=403)
    state.store.ban_user(moderator.id, target.id, state.clock(), ban=sent.get("action") != "unban")
    return RedirectResponse("/admin/moderation", 303)


def _admin(reader: User | None) -> User:
    if reader is None or reader.role != "admin":
        raise HTTPException(status_code=403)
    return reader


@router.get("/users", response_class=HTMLResponse)
def users(request: Request) -> Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    _admin(reader)
    return page(
        request, "admin_users.html", users=request.app.state.store.list_users(), roles=ROLES
    )


@router.post("/users/{user_id}")
def change_user(request: Request, user_id: str, sent: PostedForm) -> Response:
    admin = _admin(sent.reader)
    state = request.app.state
    target = state.store.get_user(_id(user_id))
    if target is None:
        raise HTTPException(status_code=404)
    if target.id == admin.id:
        raise HTTPException(status_code=403)  # an admin cannot lock themself out
    action, now = sent.get("action"), state.clock()
    if action == "role" and sent.get("role") in ROLES:
        state.store.update_user(target.id, role=sent.get("role"))
        note = f"role {target.role} -> {sent.get('role')}"
        state.store.log_moderation(admin.id, "role", now, target_user_id=target.id, note=note)
    elif action == "disable":
        state.store.disable_user(target.id, now)
        state.store.log_moderation(admin.id, "disable", now, target_user_id=target.id)
    else:
        raise HTTPException(status_code=400)
    return RedirectResponse("/admin/users", 303)
