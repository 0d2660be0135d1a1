"""The Daily 8: a page per day, an archive and feeds, for the world and for each edition.

    /daily, /daily/YYYY-MM-DD, /daily/archive                the world's
    /daily/fr-fr, /daily/fr-fr/YYYY-MM-DD, /daily/fr-fr/archive  an edition's (France · Français)
    /feeds/daily.<rss|atom|json>, /feeds/daily/fr-fr.<…>      their feeds, a day an entry
    /daily/feed.xml                                           the world's Atom (the first URL)

A day is a calendar day in the site's time zone (``BROADSHEET_TIMEZONE``). Its eight
stories are chosen by ``stories/daily.py`` (an edition's with its local stories favoured)
from the stories first reported that day, each with its multi-outlet summary, and kept in
the store (``daily8.py``): today's is recomputed at most every ``TODAY_TTL`` seconds, a
past day's once (then it is final and never changes). Opening today's page also finalises
yesterday's, so the archive has no gaps on a site that is read every day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from broadsheet import daily8
from broadsheet.web.feeds_out import Feed, Item
from broadsheet.web.i18n import gettext as _
from broadsheet.web.pages import render

router = APIRouter()

WORLD = daily8.WORLD
FEED_DAYS = 14
ARCHIVE_DAYS = 60
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")


def _today(request: Request) -> date:
    return daily8.local_day(request.app.state.clock(), request.app.state.settings.timezone)


def edition_for(request: Request, day: date, code: str = WORLD) -> dict[str, Any]:
    """The day's eight of edition ``code`` from the store, computed (and kept) when missing
    or stale."""
    state = request.app.state
    return daily8.edition_for(state.store, day, state.clock(), state.settings.timezone, code)


def _edition(request: Request, code: str) -> Any:
    """The edition a URL names (one the site's outlets make), else 404; None for the world."""
    from broadsheet.web import editions

    if code == WORLD:
        return None
    found = editions.available(request).get(code) if editions.is_code(code) else None
    if found is None:
        raise HTTPException(status_code=404)
    return found


def _named(code: str) -> str:
    """An edition named in a URL: the world's pages have their own (``/daily``)."""
    if code == WORLD:
        raise HTTPException(status_code=404)
    return code


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


def _heading(edition: Any) -> str:
    return f"{_('The Daily 8')} — {edition.label()}" if edition is not None else _("The Daily 8")


def _page(request: Request, day: date, code: str = WORLD) -> HTMLResponse:
    from babel.dates import format_date

    from broadsheet.web import editions, i18n
    from broadsheet.web.i18n import country_name

    edition = _edition(request, code)
    today = _today(request)
    if day == today:  # yesterday is over: keep its eight for the archive
        kept = request.app.state.store.daily_edition((today - timedelta(1)).isoformat(), code)
        if kept is None or not kept["final"]:
            edition_for(request, today - timedelta(days=1), code)
    eight = edition_for(request, day, code)
    settings = request.app.state.settings
    locale = i18n.date_locale(
        i18n.current_language(), request.headers.get("accept-language"), settings.locale
    )
    following = day + timedelta(days=1) if day < today else None
    mine = editions.current(request)
    return render(
        request,
        "daily.html",
        edition=eight,
        label=edition.label() if edition is not None else None,
        heading=_heading(edition),
        path=daily8.page_path(code),
        # the reader's own edition, offered from the other Daily 8s
        mine=(daily8.page_path(mine.code), mine.label()) if mine and mine.code != code else None,
        world=code != WORLD,
        day=day,
        day_text=format_date(day, format="full", locale=locale),
        is_today=day == today,
        previous=day - timedelta(days=1),
        following=following,
        following_is_today=following == today,
        country_name=country_name,
    )


def _archive(request: Request, code: str) -> HTMLResponse:
    edition = _edition(request, code)
    kept = request.app.state.store.recent_daily_editions(code, ARCHIVE_DAYS)
    return render(
        request,
        "daily_archive.html",
        editions=[e for e in kept if e["items"]],
        label=edition.label() if edition is not None else None,
        heading=_heading(edition),
        path=daily8.page_path(code),
    )


@router.get("/daily", response_class=HTMLResponse)
def daily_today(request: Request) -> HTMLResponse:
    return _page(request, _today(request))


@router.get("/daily/archive", response_class=HTMLResponse)
def daily_archive(request: Request) -> HTMLResponse:
    return _archive(request, WORLD)


@router.get("/daily/feed.xml")
def daily_feed(request: Request) -> Response:
    """The world's Atom feed at its first address (the same as /feeds/daily.atom)."""
    from broadsheet.web.feed_routes import respond

    built = feed(request, WORLD)
    built.self_link = built.link + "/feed.xml"
    return respond(built, "atom")


@router.get("/daily/{key}", response_class=HTMLResponse)
def daily_day_or_edition(request: Request, key: str) -> HTMLResponse:
    """``/daily/2024-05-13`` (a world day) or ``/daily/fr-fr`` (an edition's today)."""
    if _DAY.match(key):
        return _page(request, _day(request, key))
    return _page(request, _today(request), _named(key))


@router.get("/daily/{code}/archive", response_class=HTMLResponse)
def daily_edition_archive(request: Request, code: str) -> HTMLResponse:
    return _archive(request, _named(code))


@router.get("/daily/{code}/{day}", response_class=HTMLResponse)
def daily_edition_day(request: Request, code: str, day: str) -> HTMLResponse:
    _edition(request, _named(code))
    return _page(request, _day(request, day), code)


# --- feeds ------------------------------------------------------------------------------


def feed(request: Request, code: str) -> Feed:
    """Edition ``code``'s Daily 8 feed, titled in the reader's language: a day an entry, its eight
    stories with their summaries; 404 for an edition the site does not make."""
    from broadsheet.web.feed_routes import _base, _titled

    edition = _edition(request, code)
    store = request.app.state.store
    edition_for(request, _today(request), code)
    kept = [e for e in store.recent_daily_editions(code, FEED_DAYS) if e["items"]]
    base = _base(request)
    link = base + daily8.page_path(code)
    name = _heading(edition)
    now: datetime = request.app.state.clock()
    items = [_item(base, link, name, e) for e in kept]
    updated = max((i.updated for i in items), default=now)
    return Feed(_titled(name), link, "", updated, items)


def feed_day(day: str) -> str:
    """A Daily 8 entry's day as its title says it, in the reader's language ("May 16, 2024",
    "16 mai 2024", "16 مايو 2024": Latin digits, like every number of the interface); the
    entry's id and link keep the ISO day."""
    from babel.dates import format_date

    from broadsheet.web.i18n import current_language

    return str(format_date(date.fromisoformat(day), "long", locale=current_language()))


def _item(base: str, link: str, name: str, kept: dict[str, Any]) -> Item:
    day = kept["day"]
    parts, plain = [], []
    for n, item in enumerate(kept["items"], 1):
        lines = " ".join(str(escape(ln["text"])) for ln in item["lines"])
        parts.append(
            f'<h2>{n}. <a href="{escape(base)}/stories/{int(item["story"])}">'
            f"{escape(item['title'])}</a></h2><p>{lines}</p>"
        )
        plain.append(f"{n}. {item['title']}")
    return Item(
        id=f"{link}/{day}",
        title=_("%(name)s for %(day)s") % {"name": name, "day": feed_day(day)},
        link=f"{link}/{day}",
        updated=kept["computed_at"],
        summary="\n".join(plain),
        html="".join(parts),
    )
