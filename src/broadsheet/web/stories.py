"""Story pages: the story page (coverage view and timeline), the article page's "Full
coverage" and "Related stories" sections, and the home page's top stories.

Plain ``def`` handlers over the synchronous store, like ``pages``. Everything shown comes
from the store (what the stories stage wrote); nothing here clusters.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.config import Settings
from broadsheet.models import StoredArticle, Story, StoryMember
from broadsheet.stories import related as related_mod
from broadsheet.stories import trending
from broadsheet.stories.coverage import folded
from broadsheet.web.listing import CURSOR_CHARS, cursors, pager
from broadsheet.web.pages import _db_id, render

router = APIRouter()
log = logging.getLogger(__name__)

RECENT_DAYS = 3  # stories with news this recent are ranked; older ones follow, newest first
RANKED = 500  # at most this many recent stories are ranked
RANK_TTL = 60.0  # seconds a ranking is reused
OTHERS_ON_HOME = 3  # other outlets' headlines under a top story
RELATED = 6
STORY_ITEMS = 30  # articles on the story page; the rest on /stories/{id}/articles
STORY_OUTLETS = 30  # rows of the story page's outlets table; ?outlets=all shows every one
ARTICLE_ITEMS = 10  # other articles of its story under an article
MEMBERS_PAGE = 50


# --- building blocks --------------------------------------------------------------------
def _related(store: Any, story: Story) -> related_mod.Related:
    found = store.related_story_ids(story.id, limit=3 * RELATED)
    others = store.stories_by_ids([sid for sid, _score in found])  # one query
    return related_mod.split(story, others, RELATED)


def article_sections(request: Request, article: StoredArticle) -> dict[str, Any] | None:
    """What the article page shows after its body: full coverage (the story's latest
    articles, a bounded list) and related stories."""
    store = request.app.state.store
    story_id = store.story_of_article(article.id)
    if story_id is None:
        return None
    story = store.get_story(story_id, with_members=False)
    if story is None:
        return None
    found = store.story_member_page(story.id, ARTICLE_ITEMS + 1)
    return {
        "story": story,
        "items": folded(found.items, exclude=article.id)[:ARTICLE_ITEMS],
        "outlets": story.source_count,
        "related": _related(store, story),
    }


def ranked(request: Request) -> list[Story]:
    """Recent stories ranked, cached per app. The first request ranks; after ``RANK_TTL``
    seconds the cached ranking is still served while one background thread ranks anew
    (reading the members of up to ``RANKED`` stories takes a few hundred milliseconds at
    50k articles: no reader should wait for it). An empty ranking is not cached, so the
    first stories show at once."""
    return ranking(request)[1]


def ranking(request: Request) -> tuple[float, list[Story]]:
    """``ranked``'s stories with when they were ranked (0: not kept), read together: a
    background refresh may replace the ranking at any moment."""
    state = request.app.state
    cache = getattr(state, "stories_rank", None)
    if cache is None:
        return _rank(state)
    if time.monotonic() - cache[0] >= RANK_TTL:
        lock: threading.Lock = state.rank_lock
        if lock.acquire(blocking=False):  # one refresh at a time; the others serve stale
            state.rank_thread = threading.Thread(
                target=_rank, args=(state, lock), name="rank-stories", daemon=True
            )
            state.rank_thread.start()
    return cache[0], cache[1]


def _rank(state: Any, lock: threading.Lock | None = None) -> tuple[float, list[Story]]:
    try:
        settings: Settings = state.settings
        now: datetime = state.clock()
        recent = state.store.recent_stories(now - timedelta(days=RECENT_DAYS), limit=RANKED)
        members = state.store.story_members([s.id for s in recent])
        top = trending.top(recent, members, now, settings.trending_half_life_hours)
        if len(top) < RANKED:  # then older stories, newest first
            seen = {s.id for s in top}
            older = [s for s in state.store.latest_stories(RANKED) if s.id not in seen]
            older = older[: RANKED - len(top)]
            for s, m in _with_members(older, state.store.story_members([s.id for s in older])):
                s.members = m
            top += older
        made = time.monotonic() if top else 0.0
        if top:
            state.stories_rank = (made, top)
        return made, top
    except Exception:  # a background refresh must not die silently; the page keeps the old
        if lock is None:
            raise
        log.exception("ranking top stories failed")
        return 0.0, []
    finally:
        if lock is not None:
            lock.release()


def _with_members(
    stories: list[Story], members: list[StoryMember]
) -> list[tuple[Story, list[StoryMember]]]:
    by_story: dict[int, list[StoryMember]] = {}
    for m in members:
        by_story.setdefault(m.story_id, []).append(m)
    return [(s, by_story.get(s.id, [])) for s in stories]


def teaser_parts(request: Request, ranking: list[Story], story: Story) -> dict[str, Any]:
    """What a story's teaser shows beside its lead (other outlets' headlines, the number of
    outlets and countries), worked out once per ranking, not per request: a big story has
    thousands of members, and folding them for 30 teasers cost most of the home page."""
    state = request.app.state
    cache = getattr(state, "teaser_parts", None)
    if cache is None or cache[0] is not ranking:  # a new ranking: start afresh
        cache = state.teaser_parts = (ranking, {})
    key = (story.id, story.lead_article_id)  # an edition may lead with its own outlet
    parts: dict[str, Any] | None = cache[1].get(key)
    if parts is None:
        lead = story.lead_article_id
        lead_source = next((m.source_id for m in story.members if m.article_id == lead), None)
        items = folded(story.members, exclude=lead)
        parts = cache[1][key] = {
            "others": [i for i in items if i["member"].source_id != lead_source][:OTHERS_ON_HOME],
            "outlets": len({m.source_id for m in story.members}),
            "countries": len({m.country for m in story.members if m.country}),
        }
    return parts


def home_stories(request: Request, page: int) -> HTMLResponse | None:
    """The home page as top stories; None while there are no stories yet."""
    store = request.app.state.store
    made, stories = ranking(request)  # one snapshot: the page is kept under its own ranking
    if not stories:
        return None
    cache = request.app.state.page_cache
    key = cache.key(request, made)  # a new ranking is a new page
    kept = cache.get(key)
    if kept is not None:
        return kept
    page_html = _home_page(request, store, stories, page)
    cache.put(key, page_html)
    return page_html


def _home_page(request: Request, store: Any, stories: list[Story], page: int) -> HTMLResponse:
    size = request.app.state.settings.page_size
    chunk = stories[(page - 1) * size : page * size]
    if page > 1 and not chunk:
        raise HTTPException(status_code=404)
    leads = store.article_teasers([s.lead_article_id for s in chunk if s.lead_article_id])
    teasers = []
    for story in chunk:
        lead = leads.get(story.lead_article_id or 0)
        if lead is None:
            continue
        teasers.append({"story": story, "lead": lead, **teaser_parts(request, stories, story)})
    newer = None if page == 1 else ("/" if page == 2 else f"/?page={page - 1}")
    older = f"/?page={page + 1}" if len(stories) > page * size else None
    from broadsheet.web.editions import local_section
    from broadsheet.web.visits import visit_mark

    mark = visit_mark(request)
    fresh = 0
    if mark is not None:
        fresh = sum(1 for s in stories if s.created_at is not None and s.created_at > mark)
    return render(
        request,
        "stories_home.html",
        visit_mark=mark,
        new_count=fresh,
        teasers=teasers,
        page=page,
        newer_href=newer,
        older_href=older,
        local=local_section(request, stories) if page == 1 else None,
    )


def _live_story(request: Request, raw_id: str, suffix: str = "") -> Story | Response:
    """The story a URL names (without members); a redirect when it was merged."""
    wanted = _db_id(raw_id)
    story = request.app.state.store.get_story(wanted, with_members=False)
    if story is None or not story.article_count:
        raise HTTPException(status_code=404)
    if story.id != wanted:  # merged into another story: that one answers
        return RedirectResponse(f"/stories/{story.id}{suffix}", status_code=301)
    return story


def missing_outlets(request: Request, view: dict[str, Any]) -> list[str] | None:
    """The outlets the signed-in reader follows that did not cover the story, by name;
    None for a reader who follows no outlet (or is not signed in): then "your outlets"
    would mean nothing."""
    from broadsheet.web import guard

    reader = guard.current_reader(request)
    if reader is None:
        return None
    store = request.app.state.store
    followed = {
        f["key"] for f in store.follows_of(reader.id) if f["kind"] == "outlet" and not f["muted"]
    }
    if not followed:
        return None
    covered = {str(o["source_id"]) for o in view["outlets"]}
    # only the followed outlets' names are read (a large site has thousands of outlets)
    wanted = [int(key) for key in followed - covered if key.isdigit() and len(key) < 19]
    if not wanted:
        return []
    return sorted((name for _sid, name in store.enabled_outlets(wanted)), key=str.casefold)


# --- routes -----------------------------------------------------------------------------
@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    """A story's coverage view, its summary (both from the stored digest), its latest
    articles (a bounded list; the rest a "more" link away), related stories, history,
    comments: some ten small reads, made on one connection in one read transaction."""
    with request.app.state.store.reading_together():
        return _story_page(request, story_id)


def _story_page(request: Request, story_id: str) -> Response:
    story = _live_story(request, story_id)
    if isinstance(story, Response):
        return story
    store = request.app.state.store
    from broadsheet import story_digest
    from broadsheet.web import story_ai

    digest = story_digest.load(store, story, request.app.state.story_digests)
    view = digest["coverage"]
    missing = missing_outlets(request, view)
    found = store.story_member_page(story.id, STORY_ITEMS)
    # a big story's table of outlets is bounded like its list of articles (hundreds of rows,
    # each with a country, languages and two dates, were most of the page's cost)
    every_outlet = request.query_params.get("outlets") == "all"
    outlets = view["outlets"] if every_outlet else view["outlets"][:STORY_OUTLETS]
    return render(
        request,
        "story.html",
        story=story,
        summary=story_ai.stored_summary(request, digest["summary"]),
        coverage=view,
        outlets_shown=outlets,
        all_outlets_href=None
        if len(outlets) == len(view["outlets"])
        else f"/stories/{story.id}?outlets=all#who-title",
        missing=missing,
        items=folded(found.items),
        timeline=sorted(found.items, key=lambda m: (m.shown_at, m.article_id)),
        more_href=f"/stories/{story.id}/articles?before={found.older}" if found.older else None,
        related=_related(store, story),
        events=store.story_events(story.id),
    )


@router.get("/stories/{story_id}/articles", response_class=HTMLResponse)
def story_articles(
    request: Request,
    story_id: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> Response:
    """Every article of a story, newest first, a page at a time."""
    story = _live_story(request, story_id, "/articles")
    if isinstance(story, Response):
        return story
    older, newer = cursors(before, after)
    found = request.app.state.store.story_member_page(story.id, MEMBERS_PAGE, older, newer)
    return render(
        request,
        "story_articles.html",
        story=story,
        items=folded(found.items),
        **pager(f"/stories/{story.id}/articles", found),
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_index(
    request: Request,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> Response:
    """Every story, the latest report first, a page at a time."""
    older, newer = cursors(before, after)
    size = request.app.state.settings.page_size
    found = request.app.state.store.stories_page(size, older, newer)
    if (older or newer) and not found.items:
        raise HTTPException(status_code=404)
    return render(request, "stories_list.html", stories=found.items, **pager("/stories", found))
