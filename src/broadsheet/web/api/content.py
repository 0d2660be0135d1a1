"""Read endpoints: articles, stories, outlets, entities, places, topics, search, Daily 8.

Every handler reads through the store's bounded queries (keyset pages, one query per list,
the story's stored digest), so an API call costs what the matching web page costs.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from broadsheet.models import ArticleTeaser, Page
from broadsheet.models import StoryMember as Member
from broadsheet.store.search import MARK_CLOSE, MARK_OPEN, SearchFilters, parse_query
from broadsheet.web.api import schemas as s
from broadsheet.web.api.respond import respond
from broadsheet.web.listing import cursors
from broadsheet.web.pages import _db_id

# rate limits: per API token, or per address without one (api/me.py ``caller``)
router = APIRouter(prefix="/api/v1", tags=["content"])


# A FastAPI Query is per parameter: never share one instance between two parameters.
def _cursor() -> Any:
    return Query(
        default=None,
        max_length=40,
        # microseconds since 1970 (within years 1653-5138) _ an id below 2**63
        pattern=r"^(-?[0-9]{1,16}|[0-9]{17})_[0-9]{1,18}$",
        description="A page's next or previous cursor.",
    )


def _limit() -> Any:
    return Query(default=20, ge=1, le=100, description="Items per page.")


MEMBERS = 50
JSON = {"model": s.Error, "description": "Error"}
ERRORS: dict[int | str, dict[str, Any]] = {400: JSON, 404: JSON, 429: JSON}


def _outlet(source_id: int, name: str) -> s.Outlet:
    return s.Outlet(id=source_id, name=name)


def _listed(items: list[Any], page: Page[Any]) -> dict[str, Any]:
    """A page's items with the cursors of its neighbours (fields of ``ListOf``)."""
    return {
        "items": items,
        "next": str(page.older) if page.older else None,
        "previous": str(page.newer) if page.newer else None,
    }


def _teasers(page: Page[ArticleTeaser]) -> s.ListOf[s.ArticleSummary]:
    items = [
        s.ArticleSummary(
            id=a.id,
            title=a.title,
            outlet=_outlet(a.source_id, a.source_name),
            published=a.published,
            sort_at=a.sort_at,
            language=a.language,
            image=a.image,
            lead=a.lead,
        )
        for a in page.items
    ]
    return s.ListOf[s.ArticleSummary](**_listed(items, page))


def _member(m: Member) -> s.StoryMember:
    return s.StoryMember(
        article=m.article_id,
        title=m.title,
        outlet=_outlet(m.source_id, m.source_name),
        published=m.published,
        sort_at=m.shown_at,
        language=m.language,
        copy_of=m.duplicate_of,
        agency=m.agency,
    )


# --- articles ------------------------------------------------------------------------------
@router.get("/articles", response_model=s.ListOf[s.ArticleSummary], responses=ERRORS)
def articles(
    request: Request,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """The latest original reports, newest first."""
    older, newer = cursors(before, after)
    return respond(request, _teasers(request.app.state.store.latest_page(limit, older, newer)))


@router.get("/articles/{article_id}", response_model=s.ArticleDetail, responses=ERRORS)
def article(request: Request, article_id: str) -> Response:
    """One article: its text and sanitized HTML, its story and what understanding found."""
    store = request.app.state.store
    found = store.get_article(_db_id(article_id))
    if found is None:
        raise HTTPException(status_code=404)
    features = store.get_understanding(found.id)
    digest = features.get("summary") or {}
    seen: dict[str, s.Entity] = {}
    for e in features.get("entities", []):
        seen.setdefault(
            # a mention's spelling is its "text" (understand.entities.Mention); "name" was
            # read here, a KeyError (500) for every understood article naming an entity
            e["entity_id"],
            s.Entity(id=e["entity_id"], name=e.get("name") or e["text"], label=e["label"]),
        )
    site_url, country, language = store.outlet_of(found.source_id)  # no count of articles
    outlet = s.Outlet(
        id=found.source_id,
        name=found.source_name,
        url=site_url,
        country=country,
        language=language,
    )
    body = s.ArticleDetail(
        id=found.id,
        title=found.title,
        outlet=outlet,
        url=found.canonical_url or found.url,
        author=found.author,
        published=found.published,
        fetched=found.fetched_at,
        language=found.language,
        image=found.image,
        text=found.text,
        html=found.html,
        story=store.story_of_article(found.id),
        summary=digest.get("summary", ""),
        key_points=list(digest.get("key_points", [])),
        entities=list(seen.values()),
        countries=[
            c if isinstance(c, str) else c.get("code", "") for c in features.get("countries", [])
        ],
        topics=[
            t if isinstance(t, str) else t.get("topic", "") for t in features.get("topics", [])
        ],
    )
    return respond(request, body)


# --- stories -------------------------------------------------------------------------------
@router.get("/stories", response_model=s.ListOf[s.StorySummary], responses=ERRORS)
def stories(
    request: Request,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """Stories with news, the most recently updated first."""
    older, newer = cursors(before, after)
    page = request.app.state.store.stories_page(limit, older, newer)
    items = [
        s.StorySummary(
            id=st.id,
            title=st.title,
            first_at=st.first_at,
            last_at=st.last_at,
            articles=st.article_count,
            outlets=st.source_count,
            lead=st.lead_article_id,
        )
        for st in page.items
    ]
    return respond(request, s.ListOf[s.StorySummary](**_listed(items, page)))


@router.get("/stories/{story_id}", response_model=s.StoryDetail, responses=ERRORS)
def story(request: Request, story_id: str) -> Response:
    """A story: its summary from several outlets, its coverage, its newest members."""
    from broadsheet import story_digest

    wanted = _db_id(story_id)
    store = request.app.state.store
    with store.reading_together():  # three reads: one connection, one read transaction
        found = store.get_story(wanted, with_members=False)
        if found is None or not found.article_count:
            raise HTTPException(status_code=404)
        digest = story_digest.load(store, found, request.app.state.story_digests)
        members = store.story_member_page(found.id, MEMBERS)
    coverage = digest["coverage"]
    body = s.StoryDetail(
        id=found.id,
        title=found.title,
        first_at=found.first_at,
        last_at=found.last_at,
        articles=found.article_count,
        outlets=found.source_count,
        lead=found.lead_article_id,
        summary=[
            s.SummaryLine(text=ln["text"], article=ln["article_id"])
            for ln in digest["summary"]["lines"]
        ],
        coverage=s.Coverage(
            countries=dict(coverage.get("countries") or {}),
            languages=dict(coverage.get("languages") or {}),
            outlets=[o["name"] for o in coverage.get("outlets", [])],
        ),
        members=[_member(m) for m in members.items],
        more_members=members.older is not None,
    )
    return respond(request, body)


# --- outlets, entities, places, topics --------------------------------------------------------
@router.get("/outlets", response_model=list[s.Outlet], responses=ERRORS)
def outlets(request: Request) -> Response:
    """Every outlet Broadsheet reads."""
    from pydantic import RootModel

    found = [
        s.Outlet(id=o.id, name=o.name, url=o.site_url, country=o.country, language=o.language)
        for o in request.app.state.store.list_sources(counts=False)
        if o.enabled
    ]
    return respond(request, RootModel[list[s.Outlet]](found))


@router.get(
    "/outlets/{outlet_id}/articles", response_model=s.ListOf[s.ArticleSummary], responses=ERRORS
)
def outlet_articles(
    request: Request,
    outlet_id: str,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """An outlet's latest articles."""
    store = request.app.state.store
    source_id = _db_id(outlet_id)
    if store.source_name(source_id) is None:
        raise HTTPException(status_code=404)
    older, newer = cursors(before, after)
    return respond(request, _teasers(store.source_page(source_id, limit, older, newer)))


def _listing(
    request: Request, kind: str, key: str, before: str | None, after: str | None, limit: int
) -> Response:
    older, newer = cursors(before, after)
    page = request.app.state.store.listing_page(kind, key, limit, older, newer)
    return respond(request, _teasers(page))


@router.get(
    "/entities/{entity_id}/articles", response_model=s.ListOf[s.ArticleSummary], responses=ERRORS
)
def entity_articles(
    request: Request,
    entity_id: str,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """The latest articles naming a person, organisation or place (by entity id)."""
    from broadsheet.web.understand import _ENTITY_ID

    state = request.app.state
    if not _ENTITY_ID.match(entity_id) or state.entity_names.get(state.store, entity_id) is None:
        raise HTTPException(status_code=404)
    return _listing(request, "entity", entity_id, before, after, limit)


@router.get("/places/{code}/articles", response_model=s.ListOf[s.ArticleSummary], responses=ERRORS)
def place_articles(
    request: Request,
    code: str,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """The latest articles about a country (ISO 3166 alpha-2 code)."""
    from broadsheet.understand.gazetteer import is_country_code
    from broadsheet.web.understand import _COUNTRY

    if not _COUNTRY.match(code) or not is_country_code(code):
        raise HTTPException(status_code=404)
    return _listing(request, "country", code.upper(), before, after, limit)


@router.get("/topics", response_model=list[str], responses=ERRORS)
def topics(request: Request) -> Response:
    """The topics articles are filed under."""
    from pydantic import RootModel

    from broadsheet.understand.topics import TAXONOMY

    return respond(request, RootModel[list[str]](sorted(TAXONOMY)))


@router.get("/topics/{topic}/articles", response_model=s.ListOf[s.ArticleSummary], responses=ERRORS)
def topic_articles(
    request: Request,
    topic: str,
    before: str | None = _cursor(),
    after: str | None = _cursor(),
    limit: int = _limit(),
) -> Response:
    """The latest articles of a topic."""
    from broadsheet.understand.topics import TAXONOMY

    if topic not in TAXONOMY:
        raise HTTPException(status_code=404)
    return _listing(request, "topic", topic, before, after, limit)


# --- search and the Daily 8 ------------------------------------------------------------------
@router.get("/search", response_model=s.SearchResults, responses=ERRORS)
def search(
    request: Request,
    q: str = Query(max_length=300, description='Words, "a phrase", -excluded.'),
    outlet: int | None = Query(default=None, ge=1, le=2**62),
    language: str | None = Query(default=None, pattern=r"^[a-z]{2,3}$"),
    country: str | None = Query(default=None, pattern=r"^[A-Za-z]{2}$"),
    topic: str | None = Query(default=None, max_length=40),
    limit: int = _limit(),
) -> Response:
    """Articles matching ``q``, best first; reports of one story folded into one result.
    A query without a word to look for (empty, punctuation, only -excluded words) finds
    nothing."""
    query = parse_query(q)
    filters = SearchFilters(
        source_id=outlet,
        language=language,
        country=country.upper() if country else None,
        topic=topic,
    )
    found = request.app.state.store.search(query, filters, limit)
    body = s.SearchResults(
        query=q,
        matched=found.matched,
        capped=found.capped,
        items=[
            s.SearchHit(
                article=h.article_id,
                title=h.title,
                outlet=_outlet(h.source_id, h.source_name),
                sort_at=h.sort_at,
                language=h.language,
                story=h.story_id,
                more_reports=h.more_reports,
                snippet=h.snippet.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]"),
            )
            for h in found.hits
        ],
    )
    return respond(request, body)


def _daily(request: Request, edition: dict[str, Any]) -> Response:
    body = s.Daily(
        day=edition["day"],
        final=edition["final"],
        items=[
            s.DailyItem(
                story=i["story"],
                title=i["title"],
                topic=i["topic"],
                outlets=i["outlets"],
                independent_reports=i["voices"],
                countries=i["countries"],
                summary=[
                    s.SummaryLine(text=ln["text"], article=ln["article"]) for ln in i["lines"]
                ],
            )
            for i in edition["items"]
        ],
    )
    return respond(request, body)


@router.get("/daily", response_model=s.Daily, responses=ERRORS)
def daily_today(request: Request) -> Response:
    """Today's eight top stories so far."""
    from broadsheet.web import daily

    return _daily(request, daily.edition_for(request, daily._today(request)))


@router.get("/daily/{day}", response_model=s.Daily, responses=ERRORS)
def daily_day(request: Request, day: str) -> Response:
    """A day's eight top stories (YYYY-MM-DD, in the site's time zone)."""
    from broadsheet.web import daily

    return _daily(request, daily.edition_for(request, daily._day(request, day)))
