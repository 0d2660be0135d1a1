"""Editions: "global content with local flavor".

An edition is a country and a language ("Nigeria · English", "France · Français"), offered
for every pair the site has outlets for. Its page shows the country's own stories — those
its outlets report, then those whose text names it (the places understanding found) —
beside the world's top stories, and marks the world stories that local outlets covered too.
The reader's edition is the one they chose (a cookie), else the one their browser's
Accept-Language names (``fr-FR`` → France · Français) when the site has it, else none: the
world's top stories.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.daily8 import WORLD  # "world": chosen, kept so in the account
from broadsheet.models import Story
from broadsheet.web import i18n
from broadsheet.web.pages import render

router = APIRouter()

COOKIE = "edition"
COOKIE_AGE = 365 * 86400
CACHE_SECONDS = 300.0
LOCAL_STORIES = 8
WORLD_STORIES = 20
_CODE = re.compile(r"^([a-z]{2})-([a-z]{2,3})\Z")


def is_code(code: str) -> bool:
    """``fr-fr``: shaped like an edition's code (a country, a language)."""
    return bool(_CODE.match(code))


@dataclass(frozen=True)
class Edition:
    country: str  # ISO 3166 alpha-2, upper case
    language: str  # ISO 639, lower case
    outlets: int = 0

    @property
    def code(self) -> str:
        return f"{self.country.lower()}-{self.language}"

    def label(self) -> str:
        """'France · Français': the country in the interface's language, the language in
        itself."""
        from broadsheet import i18n as languages

        return languages.edition_label(self.country, self.language, i18n.current_language())


def available(request: Request) -> dict[str, Edition]:
    """Every edition the site's outlets make (cached a few minutes per app)."""
    state = request.app.state
    cached = getattr(state, "editions", None)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return dict(cached[1])
    counts: dict[tuple[str, str], int] = {}
    for source in state.store.list_sources(counts=False):
        if source.enabled and source.country and source.language:
            key = (source.country.upper()[:2], source.language.lower().split("-")[0][:3])
            counts[key] = counts.get(key, 0) + 1
    found = {e.code: e for e in (Edition(c, lang, n) for (c, lang), n in sorted(counts.items()))}
    state.editions = (time.monotonic(), found)
    return dict(found)


def current(request: Request) -> Edition | None:
    """The reader's edition: a signed-in reader's (kept in their account, so it follows
    them to every device), else the one chosen on this device (the cookie), else from
    Accept-Language, else None (world)."""
    from broadsheet.web import guard

    offered = available(request)
    reader = guard.current_reader(request)
    if reader is not None and reader.edition == WORLD:  # chosen, not merely unset
        return None
    if reader is not None and reader.edition in offered:
        return offered[reader.edition]
    chosen = request.cookies.get(COOKIE, "")
    if chosen == WORLD:
        return None
    if chosen in offered:
        return offered[chosen]
    for tag in i18n.parse_accept_language(request.headers.get("accept-language")):
        language, _, region = tag.lower().partition("-")
        if region and f"{region[:2]}-{language}" in offered:
            return offered[f"{region[:2]}-{language}"]
    return None


@dataclass(frozen=True)
class Split:
    """An edition's view of the ranking: its local stories (best first), the ranked
    stories its country's outlets covered (marked in the world list) and the local ones
    that are local only by the places in their text."""

    local: list[Story]
    covered: set[int]
    named: set[int]


def split(stories: list[Story], edition: Edition, named: set[int] | None = None) -> Split:
    """The edition's local stories: those its country's outlets report in its language,
    then in other languages, then those whose text names the country (``named``: ids of
    ranked stories none of its outlets reported); each group in the ranking's order."""
    covered = {s.id for s in stories if any(m.country == edition.country for m in s.members)}
    own = [
        s
        for s in stories
        if s.id in covered
        and any(m.country == edition.country and m.language == edition.language for m in s.members)
    ]
    seen = {s.id for s in own}
    others = [s for s in stories if s.id in covered and s.id not in seen]
    by_text = [s for s in stories if s.id in (named or set()) and s.id not in covered]
    local = (own + others + by_text)[:LOCAL_STORIES]
    return Split(local, covered, {s.id for s in local if s.id not in covered})


def _split_once(request: Request, ranking: list[Story], edition: Edition) -> Split:
    """``split`` once per ranking and edition (it reads every member of 500 stories, and
    one statement finds which of the stories its outlets did not cover name the country)."""
    state = request.app.state
    cache = getattr(state, "edition_split", None)
    if cache is None or cache[0] is not ranking:
        cache = state.edition_split = (ranking, {})
    found: Split | None = cache[1].get(edition.code)
    if found is None:
        uncovered = [s.id for s in ranking if all(m.country != edition.country for m in s.members)]
        named = state.store.stories_naming(edition.country, uncovered)
        found = cache[1][edition.code] = split(ranking, edition, named)
    return found


def local_lead(story: Story, edition: Edition) -> Story:
    """The story led by the first report of the edition's outlets, in its language if
    one is (a French reader's local story opens with the French outlet's headline, the
    other outlets' below it); the story itself when its lead is already theirs or they
    did not report it."""
    ours = [m for m in story.members if m.country == edition.country]
    best = [m for m in ours if m.language == edition.language] or ours
    if not best or any(m.article_id == story.lead_article_id for m in best):
        return story
    return replace(story, lead_article_id=best[0].article_id)


def _teasers(
    request: Request, stories: list[Story], edition: Edition | None = None
) -> list[dict[str, Any]]:
    """Teasers of ``stories``; with ``edition``, each led by the edition's own outlet."""
    from broadsheet.web.stories import ranked, teaser_parts

    if edition is not None:
        stories = [local_lead(s, edition) for s in stories]
    ranking = ranked(request)
    leads = request.app.state.store.article_teasers(
        [s.lead_article_id for s in stories if s.lead_article_id]
    )
    out = []
    for story in stories:
        lead = leads.get(story.lead_article_id or 0)
        if lead is not None:
            out.append({"story": story, "lead": lead, **teaser_parts(request, ranking, story)})
    return out


def local_section(request: Request, stories: list[Story]) -> dict[str, Any] | None:
    """What the home page adds for the reader's edition: its label and local stories, and
    which of the world's stories local outlets covered. None for the world edition."""
    edition = current(request)
    if edition is None:
        return None
    found = _split_once(request, stories, edition)
    teasers = _teasers(request, found.local, edition)
    return {
        "edition": edition,
        "label": edition.label(),
        "teasers": teasers,
        "covered": found.covered,
        "named": found.named,
        # the world list below shows these as one line pointing back up (``world_list``)
        "shown": {t["story"].id: t for t in teasers},
    }


@router.get("/editions", response_class=HTMLResponse)
def editions(request: Request) -> HTMLResponse:
    offered = sorted(available(request).values(), key=lambda e: e.label())
    chosen = current(request)
    return render(
        request,
        "editions.html",
        editions=[(e, e.label()) for e in offered],
        chosen=chosen.code if chosen else "world",
    )


@router.get("/editions/{code}", response_class=HTMLResponse)
def edition_page(request: Request, code: str) -> HTMLResponse:
    from broadsheet.web.stories import ranked

    edition = available(request).get(code) if _CODE.match(code) else None
    if edition is None:
        raise HTTPException(status_code=404)
    stories = ranked(request)
    found = _split_once(request, stories, edition)
    shown = {s.id for s in found.local}
    top = stories[:WORLD_STORIES]
    # one look-up of the lead articles for both lists
    local_led = [local_lead(s, edition) for s in found.local]
    teasers = _teasers(request, local_led + [s for s in top if s.id not in shown])
    local = [t for t in teasers if t["story"].id in shown]
    return render(
        request,
        "edition.html",
        edition=edition,
        label=edition.label(),
        local=local,
        world=world_list(top, local, teasers),
        covered=found.covered,
        named=found.named,
    )


def world_list(
    top: list[Story], local: list[dict[str, Any]], teasers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The world's top stories in the ranking's order; one the local section above already
    shows in full is that local teaser marked ``again`` (shown as one line pointing up, so
    the world list is complete without repeating a story's whole teaser)."""
    by_id = {t["story"].id: t for t in teasers}
    again = {t["story"].id for t in local}
    out = []
    for story in top:
        t = by_id.get(story.id)
        if t is not None:
            out.append({**t, "again": story.id in again})
    return out


@router.get("/editions/{code}/choose")
def choose(request: Request, code: str) -> Response:
    """Make ``code`` (or ``world``) the reader's edition: a preference cookie and, for a
    signed-in reader, their account (the edition their Daily 8 mail is for too); then home.
    A link followed from another site changes the cookie only (Sec-Fetch-Site)."""
    from broadsheet.web import guard

    if code != WORLD and (not _CODE.match(code) or code not in available(request)):
        raise HTTPException(status_code=404)
    reader = guard.current_reader(request)
    if reader is not None and guard.same_origin(request) and reader.edition != code:
        # "world" is kept as chosen (None is "never chose": the device decides)
        request.app.state.store.update_user(reader.id, edition=code)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response
