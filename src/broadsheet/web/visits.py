"""Visits, for "new since your last visit": a signed-in reader's visit ends after a pause
longer than ``visit_gap_minutes``; when a new one starts, the end of the previous one is
kept (``users.visit_mark_at``) and the home page marks the stories the site first saw
after it (``stories.created_at``). Marks stay for the whole visit, so reloading does not
make them vanish. Page views are recorded at most once a minute per reader (a write per
view would cost more than the marks are worth)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fastapi import Request

from broadsheet.errors import StoreError
from broadsheet.models import User

log = logging.getLogger(__name__)
RECORD_EVERY = timedelta(minutes=1)


def touch(request: Request, reader: User) -> datetime | None:
    """Record the reader's page view; the end of their previous visit (None on the first)."""
    state = request.app.state
    now: datetime = state.clock()
    gap = timedelta(minutes=state.settings.visit_gap_minutes)
    mark, seen = reader.visit_mark_at, reader.seen_at
    values: dict[str, datetime | None] = {}
    if seen is None or now - seen > gap:  # a new visit: the previous one ended at `seen`
        mark = seen
        values = {"visit_mark_at": seen, "seen_at": now}
    elif now - seen >= RECORD_EVERY:
        values = {"seen_at": now}
    if values:
        try:
            state.store.update_user(reader.id, **values)
        except StoreError as exc:  # a busy database: the page still shows
            log.warning("visit not recorded: %s", exc)
    return mark


def visit_mark(request: Request) -> datetime | None:
    """For the home page: the end of the signed-in reader's previous visit, else None."""
    from broadsheet.web import guard

    reader = guard.current_reader(request)
    return touch(request, reader) if reader is not None else None
