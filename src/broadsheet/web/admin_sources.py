"""Sources and learned furniture in the browser (admins only): what ``broadsheet sources``
and ``broadsheet furniture`` do on the command line.

- ``/admin/sources``: every source with its health (articles, last fetch, status and last
  error, next poll); add a feed or site URL (``pipeline.subscribe``: the same feed
  discovery, validation and outbound guard as ``broadsheet sources add``); pause and
  resume; remove (after a confirmation page: its articles go with it); OPML import (an
  uploaded file, ``catalog.import_outlines`` like ``sources import-opml``) and export.
- ``/admin/furniture``: each outlet's learned furniture (pages seen, blocks learned) with
  its kill switch (``furniture off`` / ``on``: the outlet's articles are re-cleaned).

Every action is a plain form POST with the CSRF token; no JavaScript needed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.errors import BroadsheetError, StoreError
from broadsheet.models import Source, User
from broadsheet.web import guard
from broadsheet.web.admin import _admin
from broadsheet.web.auth import page, sign_in_first
from broadsheet.web.comments import _id
from broadsheet.web.guard import PostedForm, UploadedForm
from broadsheet.web.i18n import N_, ngettext, pgettext
from broadsheet.web.i18n import gettext as _

log = logging.getLogger(__name__)
router = APIRouter(prefix="/admin")

PAUSED = "paused by an admin"
DONE = {
    "paused": N_("The source is paused: it is not polled until you resume it."),
    "resumed": N_("The source is resumed: it is polled again now."),
    "removed": N_("The source and its articles are removed."),
}


def _admin_or_signin(request: Request) -> User | Response:
    reader = guard.current_reader(request)
    if reader is None:
        return sign_in_first(request)
    return _admin(reader)


def status(source: Source, failing_after: int) -> tuple[str, str]:
    """(state, words) as ``sources list`` shows them: new, ok, error, failing, paused,
    disabled."""
    if not source.enabled:
        if source.disabled_reason == PAUSED:
            return "paused", "paused"
        return "disabled", f"disabled: {source.disabled_reason or ''}".rstrip(": ")
    if source.error_count:
        state = "failing" if source.error_count >= failing_after else "error"
        return state, f"{state} ×{source.error_count}: {source.last_error or ''}"
    return ("ok", "ok") if source.last_success_at else ("new", "new")


ATTENTION = {"failing": 0, "error": 1, "paused": 2}  # what needs an admin comes first


def _status_words(source: Source, failing_after: int) -> tuple[str, str]:
    """``status`` in the interface's language (``sources list`` keeps English)."""
    state, words = status(source, failing_after)
    if state == "disabled":
        reason = source.disabled_reason or ""
        return state, (_("disabled: %(reason)s") % {"reason": reason} if reason else _("disabled"))
    if state in ("error", "failing"):
        label = _("error") if state == "error" else _("failing")
        return state, f"{label} ×{source.error_count}: {source.last_error or ''}"
    names = {"paused": _("paused"), "ok": _("ok"), "new": pgettext("source", "new")}
    return state, names.get(state, words)


def _sources_page(request: Request, code: int = 200, **context: Any) -> Response:
    settings = request.app.state.settings
    sources = request.app.state.store.list_sources()
    rows = [(s, *_status_words(s, settings.failing_after)) for s in sources]
    rows.sort(key=lambda row: (ATTENTION.get(row[1], len(ATTENTION)), row[0].name.lower()))
    day = request.app.state.clock() - timedelta(days=1)
    context.setdefault("per_day", request.app.state.store.articles_since(day))
    context.setdefault("failed_jobs", request.app.state.store.failed_jobs())
    context.setdefault("error", "")
    context.setdefault("notice", "")
    context.setdefault("url", "")
    context.setdefault("name", "")
    context.setdefault("rejected", [])
    return page(request, "admin_sources.html", code, rows=rows, **context)


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, done: str = Query(default="", max_length=20)) -> Response:
    found = _admin_or_signin(request)
    if isinstance(found, Response):
        return found
    return _sources_page(request, notice=_(DONE[done]) if done in DONE else "")


class SourceExists(StoreError):
    """The address is a source already (found before any fetch)."""


def url_problem(url: str) -> str:
    """What is wrong with an address given for a new source ("" if nothing)."""
    if not url.lower().startswith(("http://", "https://")) or len(url) > 2000:
        return _("Give the address of a feed or a site, starting with http:// or https://.")
    if not url.isprintable() or any(c.isspace() for c in url):
        return _("That address has spaces or control characters in it.")
    return ""


async def add(request: Request, url: str, name: str | None) -> Source:
    """Subscribe to a feed URL, or a site URL whose feed is discovered (as ``sources add``:
    ``pipeline.subscribe``, the fetcher's outbound guard); BroadsheetError if refused."""
    from fastapi.concurrency import run_in_threadpool

    from broadsheet.pipeline import subscribe

    store = request.app.state.store
    if await run_in_threadpool(store.get_source_by_url, url) is not None:
        raise SourceExists(f"source already exists: {url}")
    source = await subscribe(request.app.state.settings, store, url, name)
    request.app.state.editions = None  # the editions' outlet counts changed
    return source


def pause_or_resume(request: Request, source: Source, action: str) -> None:
    """``pause`` (not polled until resumed) or ``resume`` (polled again now); 400 else."""
    store, now = request.app.state.store, request.app.state.clock()
    if action == "pause":
        store.update_source(source.id, enabled=False, disabled_reason=PAUSED)
    elif action == "resume":
        store.update_source(
            source.id, enabled=True, disabled_reason=None, error_count=0, next_poll_at=now
        )
    else:
        raise HTTPException(status_code=400)
    request.app.state.editions = None


def remove(request: Request, source_id: int) -> None:
    """Remove a source and its articles; 404 if there is no such source."""
    if not request.app.state.store.remove_source(source_id):
        raise HTTPException(status_code=404)
    request.app.state.editions = None


@router.post("/sources", response_class=HTMLResponse)
async def add_source(request: Request, sent: PostedForm) -> Response:
    """Add a feed URL, or a site URL whose feed is discovered (as ``sources add``)."""
    from fastapi.concurrency import run_in_threadpool

    _admin(sent.reader)
    url, name = sent.get("url").strip(), sent.get("name").strip()[:200] or None
    problem = url_problem(url)
    if not problem:
        try:
            source = await add(request, url, name)
        except BroadsheetError as exc:
            problem = _("Not added: %(reason)s") % {"reason": exc}
        else:
            notice = _("Added “%(name)s” <%(url)s>.") % {"name": source.name, "url": source.url}
            return await run_in_threadpool(_sources_page, request, notice=notice)
    return await run_in_threadpool(
        _sources_page, request, 400, error=problem, url=url[:2000], name=name or ""
    )


@router.post("/sources/{source_id}")
def change_source(request: Request, source_id: str, sent: PostedForm) -> Response:
    _admin(sent.reader)
    source = request.app.state.store.get_source(_id(source_id))
    if source is None:
        raise HTTPException(status_code=404)
    action = sent.get("action")
    pause_or_resume(request, source, action)
    return RedirectResponse(f"/admin/sources?done={action}d", status_code=303)


@router.get("/sources/{source_id}/remove", response_class=HTMLResponse)
def confirm_remove(request: Request, source_id: str) -> Response:
    found = _admin_or_signin(request)
    if isinstance(found, Response):
        return found
    source = request.app.state.store.get_source(_id(source_id))
    if source is None:
        raise HTTPException(status_code=404)
    return page(request, "admin_source_remove.html", source=source)


@router.post("/sources/{source_id}/remove")
def remove_source(request: Request, source_id: str, sent: PostedForm) -> Response:
    _admin(sent.reader)
    remove(request, _id(source_id))
    return RedirectResponse("/admin/sources?done=removed", status_code=303)


@router.post("/sources-import", response_class=HTMLResponse)
def import_opml(request: Request, sent: UploadedForm) -> Response:
    from broadsheet.catalog import import_outlines
    from broadsheet.ingest.opml import parse_opml

    _admin(sent.reader)
    body = sent.files.get("opml", b"")
    if not body:
        return _sources_page(request, 400, error=_("Choose an OPML file to import."))
    try:
        outlines, warnings = parse_opml(body)
    except BroadsheetError as exc:
        return _sources_page(request, 400, error=_("Not imported: %(reason)s") % {"reason": exc})
    result = import_outlines(request.app.state.store, outlines, warnings)
    request.app.state.editions = None
    notice = _("Imported %(added)s, %(existing)s already present, %(rejected)s rejected.") % {
        "added": ngettext("%(count)s source", "%(count)s sources", result.added)
        % {"count": result.added},
        "existing": result.existing,
        "rejected": len(result.rejected),
    }
    return _sources_page(request, notice=notice, rejected=result.rejected[:100])


@router.get("/sources.opml")
def export_opml(request: Request) -> Response:
    from broadsheet.ingest.opml import write_opml
    from broadsheet.models import OPMLOutline

    found = _admin_or_signin(request)
    if isinstance(found, Response):
        return found
    rows = request.app.state.store.list_sources()
    outlines = [OPMLOutline(url=s.url, name=s.name, site_url=s.site_url) for s in rows]
    return Response(
        write_opml(outlines),
        media_type="text/x-opml; charset=utf-8",
        headers={
            "content-disposition": 'attachment; filename="broadsheet-sources.opml"',
            "cache-control": "no-store",
        },
    )


# --- learned furniture ------------------------------------------------------------------


@router.get("/furniture", response_class=HTMLResponse)
def furniture(request: Request, outlet: str = Query(default="", max_length=300)) -> Response:
    found = _admin_or_signin(request)
    if isinstance(found, Response):
        return found
    store = request.app.state.store
    shown = store.outlet_furniture(outlet) if outlet else None
    return page(
        request,
        "admin_furniture.html",
        outlets=store.list_outlet_furniture(),
        shown=shown,
        notice="",
    )


@router.post("/furniture", response_class=HTMLResponse)
def switch_furniture(request: Request, sent: PostedForm) -> Response:
    """The per-outlet kill switch, as ``broadsheet furniture off|on OUTLET``."""
    from broadsheet.orchestrate.furniture import set_enabled

    _admin(sent.reader)
    action, outlet = sent.get("action"), sent.get("outlet")[:300]
    if action not in ("on", "off"):
        raise HTTPException(status_code=400)
    store = request.app.state.store
    changed = set_enabled(store, outlet, action == "on")
    if changed is None:
        raise HTTPException(status_code=404)
    notice = (
        ngettext(
            "%(outlet)s: learned furniture on, %(count)s article re-cleaned.",
            "%(outlet)s: learned furniture on, %(count)s articles re-cleaned.",
            changed,
        )
        if action == "on"
        else ngettext(
            "%(outlet)s: learned furniture off, %(count)s article re-cleaned.",
            "%(outlet)s: learned furniture off, %(count)s articles re-cleaned.",
            changed,
        )
    ) % {"outlet": outlet, "count": changed}
    return page(
        request,
        "admin_furniture.html",
        outlets=store.list_outlet_furniture(),
        shown=None,
        notice=notice,
    )
