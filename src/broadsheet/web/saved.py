"""A reader's own lists: saved articles and reading history (which the reader can
clear). Each page shows the signed-in reader's list only; there is no id to guess."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.models import User
from broadsheet.web import guard
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.comments import _id
from broadsheet.web.guard import PostedForm

router = APIRouter()


def keep(request: Request, reader: User, article_id: int, saved: bool) -> int:
    """Save the article for ``reader`` (or, ``saved`` false, forget it); 404 if there is
    no such article. Returns the article's id."""
    state = request.app.state
    article = state.store.get_article(article_id)
    if article is None:
        raise HTTPException(status_code=404)
    state.store.save_for_later(reader.id, article.id, state.clock(), saved)
    return int(article.id)


@router.post("/articles/{article_id}/save")
def save(request: Request, article_id: str, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    found = keep(request, sent.reader, _id(article_id), sent.get("keep") != "0")
    target = guard.local_path(sent.get("next"), f"/articles/{found}")
    return RedirectResponse(target, status_code=303)


@router.get("/saved", response_class=HTMLResponse)
def saved(request: Request) -> Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    items = request.app.state.store.saved_articles(reader.id)
    return page(request, "saved.html", items=items, kind="saved")


@router.get("/history", response_class=HTMLResponse)
def history(request: Request) -> Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    items = request.app.state.store.read_history(reader.id)
    return page(request, "saved.html", items=items, kind="history")


@router.post("/history/clear")
def clear_history(request: Request, sent: PostedForm) -> Response:
    if sent.reader is None:
        return sign_in_first(request)
    request.app.state.store.clear_history(sent.reader.id)
    return RedirectResponse("/history", status_code=303)
