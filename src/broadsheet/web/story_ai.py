"""The story page's summary from several outlets, and "ask about this story".

The extractive summary is always there (no model needed): the most central sentences of
the story's original reports, each linked to its article. With a model configured the page
adds a question form and "Summarise this story with AI"; both answer from the story's
articles alone (``ai/story.py``), cite the sentences they rest on, and fall back to the
extractive summary when the model fails.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from broadsheet.ai import service
from broadsheet.ai.client import ChatClient
from broadsheet.ai.story import Source
from broadsheet.models import Story
from broadsheet.story_digest import originals
from broadsheet.web import ai_gate
from broadsheet.web.pages import _db_id, render, ui_language

router = APIRouter()


def sources(store: Any, story: Story) -> list[Source]:
    """The texts a story's summary and answers draw on (one query for the texts)."""
    picked = originals(story, story.members)
    texts = store.article_texts([m.article_id for m in picked])
    return [
        Source(m.article_id, m.source_name, *texts[m.article_id])
        for m in picked
        if m.article_id in texts and texts[m.article_id][1].strip()
    ]


def stored_summary(request: Request, stored: dict[str, Any]) -> dict[str, Any]:
    """Context for story_summary.html from a story's stored digest (no article text read):
    the extractive lines, and with a model any AI summary already made."""
    state = request.app.state
    enabled = ChatClient(state.settings).enabled
    ai = None
    if enabled and stored["sources"]:
        # The cache is keyed by the articles' ids; looking it up needs no text.
        found = [Source(aid, outlet, title, "") for aid, outlet, title in stored["sources"]]
        ai = service.story_summary(state.settings, state.store, found, cached_only=True)
    from broadsheet.story_digest import lines_for

    return {
        "lines": lines_for(stored, ui_language(request)),
        "outlets": {aid: outlet for aid, outlet, _title in stored["sources"]},
        "ai_enabled": enabled,
        "ai_summary": ai,
    }


def summary(
    request: Request, found: list[Source], cached_ai: bool = True, story: Story | None = None
) -> dict[str, Any]:
    """Context for story_summary.html: the extractive lines (the reader's language first,
    when ``story``'s members say which is which), the outlets they link to, and, with a
    model, the form and any AI summary already made."""
    from broadsheet.story_digest import lines_for, primary_language, summary_lines

    state = request.app.state
    language = {
        m.article_id: primary_language(m.language) for m in (story.members if story else [])
    }
    lines = lines_for(
        summary_lines([(s.article_id, s.title, s.text) for s in found], language),
        ui_language(request),
    )
    enabled = ChatClient(state.settings).enabled
    ai = None
    if enabled and cached_ai:
        ai = service.story_summary(state.settings, state.store, found, cached_only=True)
    return {
        "lines": lines,
        "outlets": {s.article_id: s.outlet for s in found},
        "ai_enabled": enabled,
        "ai_summary": ai,
    }


def _story(request: Request, raw_id: str, suffix: str, **query: str) -> Story | Response:
    wanted = _db_id(raw_id)
    story = request.app.state.store.get_story(wanted)
    if story is None or not story.members:
        raise HTTPException(status_code=404)
    if story.id != wanted:  # merged into another story: that one answers
        tail = f"?{urlencode(query)}" if query else ""
        return RedirectResponse(f"/stories/{story.id}/{suffix}{tail}", status_code=301)
    return story


@router.get("/stories/{story_id}/ask", response_class=HTMLResponse)
async def ask_page(
    request: Request, story_id: str, q: str = Query(default="", max_length=500)
) -> Response:
    story = await run_in_threadpool(_story, request, story_id, "ask", q=q)
    if isinstance(story, Response):
        return story
    state = request.app.state
    found = await run_in_threadpool(sources, state.store, story)
    asked = bool(q.strip())
    result = None
    if asked and found:
        result = await ai_gate.call(
            request, service.story_answer, state.settings, state.store, found, q
        )
    return await run_in_threadpool(
        lambda: render(
            request, "story_ask.html", story=story, question=q, result=result,
            failed=asked and result is None, summary=summary(request, found, story=story),
        )
    )  # fmt: skip


@router.get("/stories/{story_id}/ai-summary", response_class=HTMLResponse)
async def ai_summary_page(request: Request, story_id: str) -> Response:
    story = await run_in_threadpool(_story, request, story_id, "ai-summary")
    if isinstance(story, Response):
        return story
    state = request.app.state
    found = await run_in_threadpool(sources, state.store, story)
    result = None
    if found:
        result = await ai_gate.call(
            request, service.story_summary, state.settings, state.store, found
        )
    return await run_in_threadpool(
        lambda: render(
            request, "story_ask.html", story=story, question="", result=result,
            failed=result is None, summary=summary(request, found, cached_ai=False, story=story),
        )
    )  # fmt: skip
