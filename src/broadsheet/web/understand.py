"""Pages of the understanding layer: the article's AI panel, entity, place and topic pages,
"ask about this article" and translation.

The panel always has the extractive summary and key points; the model's features appear
only when an endpoint is configured, and fall back to the extractive text when it fails.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from broadsheet.models import StoredArticle
from broadsheet.web import ai_gate, listing, pages
from broadsheet.web.listing import CURSOR_CHARS

router = APIRouter()

_ENTITY_ID = re.compile(r"^[a-z_]{2,12}:[\w-]{1,180}\Z")
_COUNTRY = re.compile(r"^[A-Za-z]{2}\Z")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?\Z")
LIST_SIZE = 50
PANEL_ENTITIES = 12
LINKED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
TRANSLATE_TO = ("en", "de", "fr", "es", "it", "pt", "nl")


def panel(request: Request, article: StoredArticle) -> dict[str, Any] | None:
    """What the article page's AI panel shows (context for understand_panel.html); None
    when there is nothing to show yet (not understood, no model configured)."""
    from broadsheet.ai.client import ChatClient
    from broadsheet.ai.service import cached_summary

    state = request.app.state
    features = state.store.get_understanding(article.id)
    enabled = ChatClient(state.settings).enabled
    if not features and not enabled:
        return None
    digest = features.get("summary") or {}
    seen: dict[str, dict[str, Any]] = {}
    for m in features.get("entities", []):
        if m["label"] in LINKED_LABELS and m["entity_id"] not in seen:
            seen[m["entity_id"]] = m
    return {
        "summary": digest.get("summary", ""),
        "key_points": digest.get("key_points", []),
        "entities": list(seen.values())[:PANEL_ENTITIES],
        "countries": features.get("countries", []),
        "topics": features.get("topics", []),
        "ai_enabled": enabled,
        "ai_summary": cached_summary(state.settings, state.store, article.id),
        "languages": [lang for lang in TRANSLATE_TO if lang != (article.language or "")],
    }


def _article(request: Request, raw_id: str) -> StoredArticle:
    article = request.app.state.store.get_article(pages._db_id(raw_id))
    if article is None:
        raise HTTPException(status_code=404)
    return article


def _listing(
    request: Request,
    kind: str,
    key: str,
    heading: str,
    note: str,
    path: str,
    before: str | None,
    after: str | None,
) -> HTMLResponse:
    """A page of the latest articles naming / about / in ``key``: one query."""
    older, newer = listing.cursors(before, after)
    found = request.app.state.store.listing_page(kind, key, LIST_SIZE, older, newer)
    return pages.render(
        request,
        "understand_list.html",
        heading=heading,
        note=note,
        articles=found.items,
        **listing.pager(path, found),
    )


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(
    request: Request,
    entity_id: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    if not _ENTITY_ID.match(entity_id):
        raise HTTPException(status_code=404)
    found = request.app.state.store.entity_name(entity_id)
    if found is None:
        raise HTTPException(status_code=404)
    name, label = found
    return _listing(
        request, "entity", entity_id, name, label, f"/entities/{entity_id}", before, after
    )


@router.get("/places/{code}", response_class=HTMLResponse)
def place_page(
    request: Request,
    code: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    """A country edition: the latest articles about that country, in any language."""
    from broadsheet.understand.gazetteer import continent, country_name, is_country_code

    if not _COUNTRY.match(code) or not is_country_code(code):
        raise HTTPException(status_code=404)
    upper = code.upper()
    return _listing(
        request, "country", upper, country_name(upper), continent(upper) or "",
        f"/places/{code.lower()}", before, after,
    )  # fmt: skip


@router.get("/topics/{topic}", response_class=HTMLResponse)
def topic_page(
    request: Request,
    topic: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    from broadsheet.understand.topics import TAXONOMY

    if topic not in TAXONOMY:
        raise HTTPException(status_code=404)
    return _listing(
        request, "topic", topic, topic.capitalize(), "topic", f"/topics/{topic}", before, after
    )


@router.get("/articles/{article_id}/ask", response_class=HTMLResponse)
async def ask_page(
    request: Request, article_id: str, q: str = Query(default="", max_length=500)
) -> HTMLResponse:
    from broadsheet.ai.service import answer

    article = await run_in_threadpool(_article, request, article_id)
    state = request.app.state
    asked = bool(q.strip())
    result = (
        await ai_gate.call(request, answer, state.settings, state.store, article, q)
        if asked
        else None
    )
    return await run_in_threadpool(
        lambda: pages.render(
            request, "understand_ask.html", article=article, question=q, result=result,
            failed=asked and result is None,
        )
    )  # fmt: skip


@router.get("/articles/{article_id}/ai-summary", response_class=HTMLResponse)
async def ai_summary_page(request: Request, article_id: str) -> HTMLResponse:
    from broadsheet.ai.service import summary

    article = await run_in_threadpool(_article, request, article_id)
    state = request.app.state
    result = await ai_gate.call(request, summary, state.settings, state.store, article)

    def page() -> HTMLResponse:
        features = state.store.get_understanding(article.id)
        extractive = (features.get("summary") or {}).get("summary", "")
        return pages.render(
            request, "understand_ask.html", article=article, question="", result=result,
            failed=result is None, extractive=extractive,
        )  # fmt: skip

    return await run_in_threadpool(page)


@router.get("/articles/{article_id}/translate", response_class=HTMLResponse)
async def translate_page(
    request: Request, article_id: str, lang: str = Query(default="en", max_length=12)
) -> HTMLResponse:
    from broadsheet.ai.service import translation

    if not _LANG.match(lang):
        raise HTTPException(status_code=400)
    article = await run_in_threadpool(_article, request, article_id)
    state = request.app.state
    features = await run_in_threadpool(state.store.get_understanding, article.id)
    extractive = (features.get("summary") or {}).get("summary", "")
    result = await ai_gate.call(
        request, translation, state.settings, state.store, article, lang, extractive
    )
    return await run_in_threadpool(
        lambda: pages.render(
            request, "understand_translate.html", article=article, lang=lang, result=result,
            paragraphs=(result.body.split("\n\n") if result else []),
        )
    )  # fmt: skip
