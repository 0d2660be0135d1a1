"""The search page: words, "phrases" and -excluded words, with filters, grouped by story.

``GET /search`` renders the whole page; with the ``HX-Request`` header (htmx, search as
you type) only the results. Every filter is checked here and an invalid one is dropped
with a note, never an error page; what the reader typed reaches the store only as a
``ParsedQuery``, which cannot be an FTS5 syntax error.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from broadsheet.store.search import (
    MARK_CLOSE,
    MARK_OPEN,
    SearchFilters,
    SearchResults,
    parse_query,
)
from broadsheet.web import pages
from broadsheet.web.i18n import gettext as _

if TYPE_CHECKING:
    from broadsheet.store import Store

router = APIRouter()

PAGE_SIZE = 20
MAX_PAGE = 10  # results come from a bounded window of matches; ten pages cover it
MAX_QUERY_CHARS = 300
_LANG = re.compile(r"^[a-z]{2,3}\Z")
_COUNTRY = re.compile(r"^[A-Za-z]{2}\Z")


def highlight(snippet: str) -> Markup:
    """A search snippet as HTML: the text escaped, the matches in <mark>."""
    safe = str(escape(snippet))  # the markers are control characters escape() leaves alone
    return Markup(safe.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


@dataclass
class Form:
    """The search form as the reader filled it, each value checked."""

    q: str = ""
    outlet: str = ""
    lang: str = ""
    country: str = ""
    topic: str = ""
    since: str = ""
    until: str = ""


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _filters(form: Form, notes: list[str]) -> SearchFilters:
    from broadsheet.understand.topics import TAXONOMY

    source_id = int(form.outlet) if form.outlet.isdigit() and len(form.outlet) < 18 else None
    if form.outlet and source_id is None:
        notes.append(_("Unknown outlet ignored."))
        form.outlet = ""
    if form.lang and not _LANG.match(form.lang):
        notes.append(_("Unknown language ignored."))
        form.lang = ""
    if form.country and not _COUNTRY.match(form.country):
        notes.append(_("Unknown country ignored."))
        form.country = ""
    if form.topic and form.topic not in TAXONOMY:
        notes.append(_("Unknown topic ignored."))
        form.topic = ""
    since, until = _day(form.since), _day(form.until)
    for name, raw, parsed in (("from", form.since, since), ("to", form.until, until)):
        if raw and parsed is None:
            notes.append(
                _("The “%(name)s” date is not a date (YYYY-MM-DD) and was ignored.")
                % {"name": name}
            )
    form.since = since.isoformat() if since else ""
    form.until = until.isoformat() if until else ""
    return SearchFilters(
        source_id=source_id,
        language=form.lang or None,
        country=form.country.upper() or None,
        topic=form.topic or None,
        since=datetime.combine(since, time(), UTC) if since else None,
        until=datetime.combine(until, time(), UTC) + timedelta(days=1) if until else None,
    )


def _filter_choices(request: Request, form: Form) -> dict[str, list[tuple[str, str]]]:
    """The language and country filters' choices, (code, name in the interface's
    language) by name: those of the site's outlets (a newcomer knows "French", not "fr"),
    and the one the address asks for if it is another."""
    from broadsheet.web import editions, i18n

    offered = editions.available(request).values()
    languages = {e.language for e in offered} | ({form.lang.lower()} if form.lang else set())
    countries = {e.country for e in offered} | ({form.country.upper()} if form.country else set())
    ui = i18n.current_language()
    return {
        "language_choices": _named(frozenset(languages), ui, "language"),
        "country_choices": _named(frozenset(countries), ui, "country"),
    }


@functools.lru_cache(maxsize=256)
def _named(codes: frozenset[str], ui: str, kind: str) -> tuple[tuple[str, str], ...]:
    """(code, name in ``ui``) of language or country ``codes``, by name: the same few sets
    on every page, named (CLDR look-ups) and sorted once per set and interface language."""
    from broadsheet.web import i18n

    name = i18n.language_name if kind == "language" else i18n.country_name
    return tuple(sorted(((c, name(c, ui)) for c in codes), key=lambda x: x[1].casefold()))


def _outlet_choices(
    store: Store, results: SearchResults | None, chosen: int | None
) -> list[tuple[int, str]]:
    """The outlet filter's choices: the outlets with the most matched reports (at most
    ``OUTLET_CHOICES``: a site may follow thousands; listing them all cost 17 ms a page at
    2,500 and offered no real choice), and the one the address asks for if it is another.
    Each result's outlet name links to the same search in that outlet."""
    choices = list(results.outlets) if results else []
    if chosen is not None and all(sid != chosen for sid, _name in choices):
        source = store.get_source(chosen)
        if source is not None:
            choices.insert(0, (source.id, source.name))
    return choices


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query(default="", max_length=2000),
    outlet: str = Query(default="", max_length=20),
    lang: str = Query(default="", max_length=10),
    country: str = Query(default="", max_length=10),
    topic: str = Query(default="", max_length=40),
    since: str = Query(default="", max_length=20, alias="from"),
    until: str = Query(default="", max_length=20, alias="to"),
    page: int = Query(default=1, ge=1, le=MAX_PAGE),
) -> HTMLResponse:
    from broadsheet.understand.topics import TAXONOMY

    form = Form(q[:MAX_QUERY_CHARS].strip(), outlet, lang, country, topic, since, until)
    notes: list[str] = []
    filters = _filters(form, notes)
    query = parse_query(form.q)
    store = request.app.state.store
    results = None
    fragment = request.headers.get("hx-request") == "true"
    if not query.empty:
        offset = (page - 1) * PAGE_SIZE
        if fragment:  # typing: the last word is a beginning ("ukra" finds "Ukraine")
            results = store.search(query, filters, PAGE_SIZE, offset, outlets=True)
        else:  # submitted: whole words, and beginnings only when they find nothing and
            # the last word is no article's word (an unfinished one: "ukra")
            whole = replace(query, prefix_last=False)
            results = store.search(whole, filters, PAGE_SIZE, offset, outlets=True)
            if not results.groups and store.search_beginnings_may_help(query):
                results = store.search(query, filters, PAGE_SIZE, offset, outlets=True)
    elif form.q:
        notes.append(_("Type a word to search for: excluded words (-word) alone match nothing."))
    params = {k: v for k, v in vars(form).items() if v}
    params["from"], params["to"] = params.pop("since", ""), params.pop("until", "")
    base = urlencode({k: v for k, v in params.items() if v})
    response = pages.render(
        request,
        "_search_results.html" if fragment else "search.html",
        form=form,
        notes=notes,
        results=results,
        page=page,
        has_older=bool(results and results.groups > page * PAGE_SIZE) and page < MAX_PAGE,
        base_query=base,
        outlets=_outlet_choices(store, results, filters.source_id),
        oob=fragment,  # the outlet filter follows the results typed
        **({} if fragment else _filter_choices(request, form)),
        topics=sorted(TAXONOMY),
        highlight=highlight,
    )
    if fragment:  # the address the typing pushes: only the fields filled in
        response.headers["HX-Push-Url"] = f"/search?{base}" if base else "/search"
    return response
