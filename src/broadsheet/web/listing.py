"""Lists of articles, a page at a time by keyset: the latest articles, an outlet's articles,
and the helpers every paged list shares (the ``before``/``after`` cursors in the URL and
the pager's links).

A cursor is the sort key of the last (or first) row shown, so a page costs the same at
the first page and the thousandth: the store reads it through an index, never skipping
rows with OFFSET.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from broadsheet.models import Cursor, Page
from broadsheet.web.pages import _db_id, render

router = APIRouter()

CURSOR_CHARS = 40


def cursors(before: str | None, after: str | None) -> tuple[Cursor | None, Cursor | None]:
    """The cursors a URL names; 400 when one is not a cursor."""
    parsed = []
    for raw in (before, after):
        if raw is None:
            parsed.append(None)
            continue
        cursor = Cursor.parse(raw)
        if cursor is None:
            raise HTTPException(status_code=400)
        parsed.append(cursor)
    return parsed[0], parsed[1]


def pager(path: str, page: Page[Any], **query: str) -> dict[str, str | None]:
    """Links to the newer and older pages of ``page`` (context for _pager.html)."""

    def href(**cursor: str) -> str:
        return f"{path}?{urlencode({**query, **cursor})}"

    return {
        "newer_href": href(after=str(page.newer)) if page.newer else None,
        "older_href": href(before=str(page.older)) if page.older else None,
    }


@router.get("/latest", response_class=HTMLResponse)
def latest(
    request: Request,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    """Every original report, newest first (wire copies show on their story's page)."""
    older, newer = cursors(before, after)
    size = request.app.state.settings.page_size
    found = request.app.state.store.latest_page(size, older, newer)
    if (older or newer) and not found.items:
        raise HTTPException(status_code=404)
    return render(
        request,
        "home.html",
        articles=found.items,
        paged=bool(older or newer),
        **pager("/latest", found),
    )


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(
    request: Request,
    source_id: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    """One outlet's articles, newest first."""
    store = request.app.state.store
    wanted = _db_id(source_id)
    name = store.source_name(wanted)
    if name is None:
        raise HTTPException(status_code=404)
    older, newer = cursors(before, after)
    found = store.source_page(wanted, request.app.state.settings.page_size, older, newer)
    return render(
        request,
        "understand_list.html",
        heading=name,
        note="outlet",
        articles=found.items,
        **pager(f"/sources/{wanted}", found),
    )
