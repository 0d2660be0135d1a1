"""The Daily 8: a page per day, an archive, and an Atom feed.

A day is a calendar day in the site's time zone (``BROADSHEET_TIMEZONE``). Its eight
stories are chosen by ``stories/daily.py`` from the stories first reported that day, each
with its multi-outlet summary, and kept in the store: today's edition is recomputed at
most every ``TODAY_TTL`` seconds, a past day's once (then it is final and never changes).
Opening today's edition also finalises yesterday's, so the archive has no gaps on a site
that is read every day.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from broadsheet import daily8
from broadsheet.web.pages import render

router = APIRouter()

EDITION = daily8.WORLD
FEED_DAYS = 14
ARCHIVE_DAYS = 60
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


def _today(request: Request) -> date:
    return daily8.local_day(request.app.state.clock(), request.app.state.settings.timezone)


def edition_for(request: Request, day: date) -> dict[str, Any]:
    """The day's edition from the store, computed (and kept) when missing or stale."""
    state = request.app.state
    return daily8.edition_for(state.store, day, state.clock(), state.settings.timezone, EDITION)


def _day(request: Request, raw: str) -> date:
    if not _DAY.match(raw):
        raise HTTPException(status_code=404)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(status_code=404) from None
    if day > _today(request) or day.year < 2000:
        raise HTTPException(status_code=404)
    return day


def _page(request: Request, day: date) -> HTMLResponse:
    from babel.dates import format_date

    from broadsheet.web import i18n
    from broadsheet.web.i18n import country_name

    edition = edition_for(request, day)
    today = _today(request)
    settings = request.app.state.settings
    locale = i18n.date_locale(
        i18n.current_language(), request.headers.get("accept-language"), settings.locale
    )
    following = day + timedelta(days=1) if day < today else None
    return render(
        request,
        "daily.html",
        edition=edition,
        day=day,
        day_text=format_date(day, format="full", locale=locale),
        is_today=day == today,
        previous=day - timedelta(days=1),
        following=following,
        following_is_today=following == today,
        country_name=country_name,
    )


@router.get("/daily", response_class=HTMLResponse)
def daily_today(request: Request) -> HTMLResponse:
    today = _today(request)
    yesterday = today - timedelta(days=1)
    kept = request.app.state.store.daily_edition(yesterday.isoformat(), EDITION)
    if kept is None or not kept["final"]:
        edition_for(request, yesterday)  # the day is over: keep its eight for the archive
    return _page(request, today)


@router.get("/daily/archive", response_class=HTMLResponse)
def daily_archive(request: Request) -> HTMLResponse:
    editions = request.app.state.store.recent_daily_editions(EDITION, ARCHIVE_DAYS)
    return render(request, "daily_archive.html", editions=[e for e in editions if e["items"]])


@router.get("/daily/feed.xml")
def daily_feed(request: Request) -> Response:
    """An Atom feed: one entry per day, its eight stories with their summaries."""
    store = request.app.state.store
    edition_for(request, _today(request))
    editions = [e for e in store.recent_daily_editions(EDITION, FEED_DAYS) if e["items"]]
    base = str(request.base_url).rstrip("/")
    updated = max((e["computed_at"] for e in editions), default=request.app.state.clock())
    entries = "".join(_entry(base, e) for e in editions)
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>The Daily 8 — Broadsheet</title>"
        f'<link rel="alternate" type="text/html" href="{escape(base)}/daily"/>'
        f'<link rel="self" type="application/atom+xml" href="{escape(base)}/daily/feed.xml"/>'
        f"<id>{escape(base)}/daily</id>"
        f"<updated>{_atom_time(updated)}</updated>"
        "<author><name>Broadsheet</name></author>"
        f"{entries}</feed>"
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


def _entry(base: str, edition: dict[str, Any]) -> str:
    day = edition["day"]
    parts = []
    for n, item in enumerate(edition["items"], 1):
        lines = " ".join(str(escape(ln["text"])) for ln in item["lines"])
        parts.append(
            f'<h2>{n}. <a href="{escape(base)}/stories/{int(item["story"])}">'
            f"{escape(item['title'])}</a></h2><p>{lines}</p>"
        )
    content = "".join(parts)
    return (
        "<entry>"
        f"<title>The Daily 8 for {escape(day)}</title>"
        f'<link rel="alternate" type="text/html" href="{escape(base)}/daily/{escape(day)}"/>'
        f"<id>{escape(base)}/daily/{escape(day)}</id>"
        f"<updated>{_atom_time(edition['computed_at'])}</updated>"
        f'<content type="html">{escape(content)}</content>'
        "</entry>"
    )


def _atom_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.get("/daily/{day}", response_class=HTMLResponse)
def daily_day(request: Request, day: str) -> HTMLResponse:
    return _page(request, _day(request, day))
