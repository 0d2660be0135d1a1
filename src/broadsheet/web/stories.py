"""Story pages: the story page (coverage view and timeline), the article page's "Full
coverage" and "Related stories" sections, and the home page's top stories.

Plain ``def`` handlers over the synchronous store, like ``pages``. Everything shown comes
from the store (what the stories stage wrote); nothing here clusters.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.config import Settings
from broadsheet.models import StoredArticle, Story, StoryMember
from broadsheet.stories import coverage as coverage_mod
from broadsheet.stories import related as related_mod
from broadsheet.stories import trending
from broadsheet.web.pages import _db_id, render

router = APIRouter()

RECENT_DAYS = 3  # stories with news this recent are ranked; older ones follow, newest first
RANKED = 500  # at most this many recent stories are ranked
RANK_TTL = 60.0  # seconds a ranking is reused
OTHERS_ON_HOME = 3  # other outlets' headlines under a top story
RELATED = 6


# --- building blocks --------------------------------------------------------------------
def folded(members: list[StoryMember], exclude: int | None = None) -> list[dict[str, Any]]:
    """Members as the reader sees them: each wire text once, with every outlet that ran it
    (the earliest report first as its origin); other articles one by one; newest first."""
    groups: dict[int, list[StoryMember]] = {}
    for m in members:
        groups.setdefault(m.duplicate_of or m.article_id, []).append(m)
    items = []
    for group in groups.values():
        group.sort(key=lambda m: (m.published or m.shown_at, m.article_id))
        shown = [m for m in group if m.article_id != exclude]
        if not shown:
            continue
        origin = shown[0]
        items.append(
            {
                "member": origin,
                "also": [m for m in shown[1:]],
                "copies": len(group),
                "agency": next((m.agency for m in group if m.agency), None),
            }
        )
    items.sort(key=lambda i: i["member"].shown_at, reverse=True)
    return items


def _related(store: Any, story: Story) -> related_mod.Related:
    found = store.related_story_ids(story.id, limit=3 * RELATED)
    others = [s for sid, _score in found if (s := store.get_story(sid, with_members=False))]
    return related_mod.split(story, others, RELATED)


def article_sections(request: Request, article: StoredArticle) -> dict[str, Any] | None:
    """What the article page shows after its body: full coverage and related stories."""
    store = request.app.state.store
    story_id = store.story_of_article(article.id)
    if story_id is None:
        return None
    story = store.get_story(story_id)
    if story is None:
        return None
    return {
        "story": story,
        "items": folded(story.members, exclude=article.id),
        "outlets": len({m.source_id for m in story.members}),
        "related": _related(store, story),
    }


def ranked(request: Request) -> list[Story]:
    """Recent stories ranked (cached for ``RANK_TTL`` seconds per app)."""
    state = request.app.state
    cache = getattr(state, "stories_rank", None)
    if cache is not None and time.monotonic() - cache[0] < RANK_TTL:
        return cache[1]
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
    state.stories_rank = (time.monotonic(), top)
    return top


def _with_members(
    stories: list[Story], members: list[StoryMember]
) -> list[tuple[Story, list[StoryMember]]]:
    by_story: dict[int, list[StoryMember]] = {}
    for m in members:
        by_story.setdefault(m.story_id, []).append(m)
    return [(s, by_story.get(s.id, [])) for s in stories]


def home_stories(request: Request, page: int) -> HTMLResponse | None:
    """The home page as top stories; None while there are no stories yet."""
    store = request.app.state.store
    if not store.count_stories():
        return None
    size = request.app.state.settings.page_size
    stories = ranked(request)
    chunk = stories[(page - 1) * size : page * size]
    if page > 1 and not chunk:
        raise HTTPException(status_code=404)
    teasers = []
    for story in chunk:
        lead = store.get_article(story.lead_article_id) if story.lead_article_id else None
        if lead is None:
            continue
        items = folded(story.members, exclude=lead.id)
        others = [i for i in items if i["member"].source_id != lead.source_id]
        teasers.append(
            {
                "story": story,
                "lead": lead,
                "others": others[:OTHERS_ON_HOME],
                "outlets": len({m.source_id for m in story.members}),
                "countries": len({m.country for m in story.members if m.country}),
            }
        )
    return render(
        request,
        "stories_home.html",
        teasers=teasers,
        page=page,
        has_older=len(stories) > page * size,
    )


# --- routes -----------------------------------------------------------------------------
@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    store = request.app.state.store
    wanted = _db_id(story_id)
    story = store.get_story(wanted)
    if story is None or not story.members:
        raise HTTPException(status_code=404)
    if story.id != wanted:  # merged into another story: that one answers
        return RedirectResponse(f"/stories/{story.id}", status_code=301)
    from broadsheet.web import story_ai

    view = coverage_mod.coverage(story.members, store.list_sources())
    return render(
        request,
        "story.html",
        story=story,
        summary=story_ai.summary(request, story_ai.sources(store, story)),
        coverage=view,
        items=folded(story.members),
        timeline=sorted(story.members, key=lambda m: (m.shown_at, m.article_id)),
        related=_related(store, story),
        events=store.story_events(story.id),
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_index(request: Request, page: int = Query(default=1, ge=1, le=100_000)) -> Response:
    found = home_stories(request, page)
    if found is None:
        return RedirectResponse("/", status_code=307)
    return found
