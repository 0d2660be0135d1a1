"""The feeds of the site's lists: ``/feeds/<page path>.<rss|atom|json>`` (see feeds_out).

Each feed reads the same bounded store query as its page (a keyset page of teasers, the
story's newest members, the ranked top stories, one search), so it costs what the page
costs. Links are absolute, from ``BROADSHEET_PUBLIC_URL`` or else the request.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from broadsheet.models import ArticleTeaser
from broadsheet.web import feeds_out, i18n
from broadsheet.web.feeds_out import Feed, Item
from broadsheet.web.i18n import gettext as _
from broadsheet.web.pages import _db_id

router = APIRouter()

SIZE = 30
_SEGMENT = re.compile(r"^(stories|topics|entities|places|sources)/([^/]{1,200})\Z")


def _base(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def _article_items(base: str, teasers: list[ArticleTeaser]) -> list[Item]:
    return [
        Item(
            id=f"{base}/articles/{a.id}",
            title=a.title,
            link=f"{base}/articles/{a.id}",
            updated=a.sort_at,
            summary=a.lead,
            author=a.source_name,
        )
        for a in teasers
    ]


def _titled(name: str) -> str:
    """A feed's title: what it lists, then the site ("Dernières — Broadsheet")."""
    return _("%(name)s — Broadsheet") % {"name": name}


def _build(request: Request, stem: str, q: str) -> Feed:
    """The feed of the page at ``/<stem>``; 404 when there is no such page."""
    from broadsheet.understand.gazetteer import is_country_code
    from broadsheet.understand.topics import TAXONOMY
    from broadsheet.web.understand import _ENTITY_ID

    store = request.app.state.store
    base = _base(request)
    now: datetime = request.app.state.clock()
    if stem == "latest":
        items = _article_items(base, store.latest_page(SIZE).items)
        return Feed(_titled(_("Latest")), f"{base}/latest", "", now, items)
    if stem == "top":
        return _top(request, base, now)
    if stem == "search":
        return _search(request, base, now, q)
    if stem == "daily" or stem.startswith("daily/"):
        from broadsheet.web import daily

        code = stem.partition("/")[2] or daily.WORLD
        if code == daily.WORLD and stem != "daily":
            raise HTTPException(status_code=404)
        return daily.feed(request, code)
    m = _SEGMENT.match(stem)
    if m is None:
        raise HTTPException(status_code=404)
    kind, key = m.groups()
    if kind == "stories":
        story = store.get_story(_db_id(key), with_members=False)
        if story is None or not story.article_count:
            raise HTTPException(status_code=404)
        members = store.story_member_page(story.id, SIZE).items
        items = [
            Item(
                id=f"{base}/articles/{m.article_id}",
                title=m.title,
                link=f"{base}/articles/{m.article_id}",
                updated=m.shown_at,
                author=m.source_name,
            )
            for m in members
        ]
        return Feed(_titled(story.title), f"{base}/stories/{story.id}", "", now, items)
    if kind == "topics":
        if key not in TAXONOMY:
            raise HTTPException(status_code=404)
        name, listing = _(key.capitalize()), ("topic", key)
    elif kind == "entities":
        found = store.entity_name(key) if _ENTITY_ID.match(key) else None
        if found is None:
            raise HTTPException(status_code=404)
        name, listing = found[0], ("entity", key)
    elif kind == "places":
        if not is_country_code(key):
            raise HTTPException(status_code=404)
        name, listing = i18n.country_name(key.upper()), ("country", key.upper())
    else:  # sources
        source_id = _db_id(key)
        outlet = store.source_name(source_id)
        if outlet is None:
            raise HTTPException(status_code=404)
        items = _article_items(base, store.source_page(source_id, SIZE).items)
        return Feed(_titled(outlet), f"{base}/sources/{source_id}", "", now, items)
    page = store.listing_page(listing[0], listing[1], SIZE)
    items = _article_items(base, page.items)
    return Feed(_titled(name), f"{base}/{kind}/{key}", "", now, items)


def _top(request: Request, base: str, now: datetime) -> Feed:
    from broadsheet.web.stories import ranked

    items = [
        Item(
            id=f"{base}/stories/{s.id}",
            title=s.title,
            link=f"{base}/stories/{s.id}",
            updated=s.last_at or now,
            summary=_("Outlets: %(outlets)s, reports: %(reports)s")
            % {"outlets": s.source_count, "reports": s.article_count},
        )
        for s in ranked(request)[:SIZE]
        if s.title
    ]
    return Feed(_titled(_("Top stories")), f"{base}/", "", now, items)


def _search(request: Request, base: str, now: datetime, q: str) -> Feed:
    from broadsheet.store.search import MARK_CLOSE, MARK_OPEN, SearchFilters, parse_query

    found = request.app.state.store.search(parse_query(q), SearchFilters(), SIZE)
    items = [
        Item(
            id=f"{base}/articles/{h.article_id}",
            title=h.title,
            link=f"{base}/articles/{h.article_id}",
            updated=h.sort_at,
            summary=h.snippet.replace(MARK_OPEN, "").replace(MARK_CLOSE, ""),
            author=h.source_name,
        )
        for h in found.hits
    ]
    link = f"{base}/search?{urlencode({'q': q})}"
    return Feed(_("“%(query)s” — Broadsheet search") % {"query": q}, link, "", now, items)


@router.get("/feeds/{path:path}")
def feed(request: Request, path: str, q: str = Query(default="", max_length=300)) -> Response:
    stem, dot, fmt = path.rpartition(".")
    if not dot or fmt not in feeds_out.WRITERS:
        raise HTTPException(status_code=404)
    built = _build(request, stem, q)
    tail = "?" + urlencode({"q": q}) if stem == "search" else ""
    built.self_link = f"{_base(request)}/feeds/{path}{tail}"
    return respond(built, fmt)


def respond(built: Feed, fmt: str) -> Response:
    """The feed in format ``fmt``, dated by its newest item."""
    if built.items:
        built.updated = max(i.updated for i in built.items)
    built.language = built.language or i18n.current_language()
    media = feeds_out.FORMATS[fmt]
    return Response(
        feeds_out.WRITERS[fmt](built),
        media_type=f"{media}; charset=utf-8",
        # titles are in the reader's language (account, cookie, Accept-Language)
        headers={"cache-control": "public, max-age=300", "vary": "Accept-Language, Cookie"},
    )
