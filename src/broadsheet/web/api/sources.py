"""Sources for admins: list them with their health, add one (a feed, or a site whose feed
is discovered: ``pipeline.subscribe`` behind the fetcher's outbound guard, as
``broadsheet sources add`` and /admin/sources), pause, resume and remove.

The logic is /admin/sources' (``web/admin_sources.py``): these handlers only turn its
answers into the API's. 401 not signed in, 403 not an admin, 404 no such source, 409 the
address is a source already, 422 an address that is not a usable feed or site.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import RootModel

from broadsheet.errors import BroadsheetError
from broadsheet.models import Source
from broadsheet.web import admin_sources
from broadsheet.web.admin import _admin
from broadsheet.web.api import schemas as s
from broadsheet.web.api.me import JSON, WRITE_ERRORS, signed_in
from broadsheet.web.api.respond import respond
from broadsheet.web.pages import _db_id

router = APIRouter(prefix="/api/v1", tags=["admin"])
ADD_ERRORS = {**WRITE_ERRORS, 409: JSON}


def _admin_caller(request: Request) -> None:
    _admin(signed_in(request))


def _source(request: Request, found: Source) -> s.Source:
    state, words = admin_sources.status(found, request.app.state.settings.failing_after)
    return s.Source(
        id=found.id,
        name=found.name,
        url=found.url,
        site=found.site_url,
        kind=found.kind,
        state=state,
        status=words,
        error_count=found.error_count,
        last_success=found.last_success_at,
        next_poll=found.next_poll_at,
    )


def _found(request: Request, source_id: str) -> Source:
    _admin_caller(request)
    found = request.app.state.store.get_source(_db_id(source_id))
    if found is None:
        raise HTTPException(status_code=404)
    return found  # type: ignore[no-any-return]


@router.get("/sources", response_model=list[s.Source], responses=WRITE_ERRORS)
def sources(request: Request) -> Response:
    """Every source with its state (failing, error, paused, disabled, new, ok)."""
    _admin_caller(request)
    rows = [_source(request, found) for found in request.app.state.store.list_sources()]
    return respond(request, RootModel[list[s.Source]](rows))


@router.post("/sources", response_model=s.Source, status_code=201, responses=ADD_ERRORS)
async def add_source(request: Request, sent: s.SourceIn) -> Response:
    """Add a feed, or a site whose feed is discovered from its page."""
    from fastapi.concurrency import run_in_threadpool

    await run_in_threadpool(_admin_caller, request)
    url, name = sent.url.strip(), (sent.name or "").strip()[:200] or None
    problem = admin_sources.url_problem(url)
    if problem:
        raise HTTPException(status_code=422, detail=problem)
    try:
        added = await admin_sources.add(request, url, name)
    except admin_sources.SourceExists as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except BroadsheetError as exc:
        raise HTTPException(status_code=422, detail=f"Not added: {exc}") from None
    response = respond(request, _source(request, added))
    response.status_code = 201
    response.headers["location"] = f"/api/v1/sources/{added.id}"
    return response


def _changed(request: Request, source_id: str, action: str) -> Response:
    found = _found(request, source_id)
    admin_sources.pause_or_resume(request, found, action)
    return respond(request, _source(request, request.app.state.store.get_source(found.id)))


@router.post("/sources/{source_id}/pause", response_model=s.Source, responses=WRITE_ERRORS)
def pause(request: Request, source_id: str) -> Response:
    """Stop polling the source until it is resumed."""
    return _changed(request, source_id, "pause")


@router.post("/sources/{source_id}/resume", response_model=s.Source, responses=WRITE_ERRORS)
def resume(request: Request, source_id: str) -> Response:
    """Poll the source again, now (its error count starts again from zero)."""
    return _changed(request, source_id, "resume")


@router.delete("/sources/{source_id}", status_code=204, responses=WRITE_ERRORS)
def remove(request: Request, source_id: str) -> Response:
    """Remove the source and its articles."""
    _admin_caller(request)
    admin_sources.remove(request, _db_id(source_id))
    return Response(status_code=204)
