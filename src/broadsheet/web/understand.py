"""Pages of the understanding layer: the article's AI panel, entity, place and topic pages,
"ask about this article" and translation.

The panel always has the extractive summary and key points; the model's features appear
only when an endpoint is configured, and fall back to the extractive text when it fails.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from broadsheet.models import StoredArticle
from broadsheet.web import ai_gate, i18n, listing, pages
from broadsheet.web.i18n import N_
from broadsheet.web.i18n import gettext as _
from broadsheet.web.listing import CURSOR_CHARS

router = APIRouter()

_ENTITY_ID = re.compile(r"^[a-z_]{2,12}:[\w-]{1,180}\Z")
_COUNTRY = re.compile(r"^[A-Za-z]{2}\Z")
_LANG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z]{2,4})?\Z")
LIST_SIZE = 50
PANEL_ENTITIES = 12
LINKED_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
TRANSLATE_TO = ("en", "de", "fr", "es", "it", "pt", "nl")


def panel(
    request: Request, article: StoredArticle, version: Hashable | None = None
) -> dict[str, Any] | None:
    """What the article page's AI panel shows (context for understand_panel.html); None
    when there is nothing to show yet (not understood, no model configured).

    The panel sits beside (or above) the article's first paragraph, so it never repeats a
    sentence of that lead, nor one sentence twice: see :func:`brief`. With ``version``
    (``pages.article_version``) its sentences are kept under it and the digest's picks."""
    from broadsheet.ai.client import ChatClient
    from broadsheet.ai.service import cached_summary

    state = request.app.state
    features = state.store.get_understanding(article.id)
    enabled = ChatClient(state.settings).enabled
    if not features and not enabled:
        return None
    digest = features.get("summary") or {}
    seen: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    for m in features.get("entities", []):
        name = _norm(m["text"])
        if m["label"] not in LINKED_LABELS or m["entity_id"] in seen or name in names:
            continue
        if m["text"] == m["text"].lower():  # "navy": a recogniser's slip, not a name
            continue
        seen[m["entity_id"]] = m
        names.add(name)  # one link per name shown ("Iquique" as a city and a region)
    if version is None:
        summary, points = brief(article.title, article.text, digest)
    else:
        picks = tuple(tuple(digest.get(k, ())) for k in BRIEF_PICKS)
        summary, points = state.article_parts.get_or_make(
            ("brief", version, picks), lambda: brief(article.title, article.text, digest)
        )
    return {
        "summary": summary,
        "key_points": points,
        "entities": list(seen.values())[:PANEL_ENTITIES],
        "countries": features.get("countries", []),
        "topics": features.get("topics", []),
        "ai_enabled": enabled,
        "ai_summary": cached_summary(state.settings, state.store, article.id),
        "languages": [lang for lang in TRANSLATE_TO if lang != (article.language or "")],
    }


def _norm(sentence: str) -> str:
    """A sentence as compared for repeats: letters and digits only, no case or accents."""
    from broadsheet.understand.entities import fold

    return fold(sentence)


BRIEF_PICKS = ("summary_sentences", "key_point_sentences", "key_points")  # what brief reads


def brief(
    title: str, text: str, digest: dict[str, Any]
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The panel's summary and key points as (sentence number, text): none of them is a
    sentence of the article's first paragraph (the reader has it right there), and no
    sentence appears twice. A summary that was all lead is left out; key points lost to
    the lead are replaced by the best points of the rest of the article (fewer when the
    article has no more to say)."""
    from broadsheet.understand.sentences import split_sentences
    from broadsheet.understand.summary import KEY_POINTS_MIN, summarize

    sentences = split_sentences(text)
    if not sentences:
        return [], []
    norms = [_norm(s.text) for s in sentences]  # folded once: the picks compare them often
    paragraphs = sorted({s.paragraph for s in sentences})
    lead_no = paragraphs[0]
    lead_text = " ".join(s.text for s in sentences if s.paragraph == lead_no)
    if _norm(lead_text) == _norm(title) and len(paragraphs) > 1:
        lead_no = paragraphs[1]  # the first paragraph is the headline again
    shown = {norms[i] for i, s in enumerate(sentences) if s.paragraph <= lead_no}
    by_norm: dict[str, int] = {}
    for i, norm in enumerate(norms):
        by_norm.setdefault(norm, i)

    def pick(indexes: list[int], texts: list[str]) -> list[tuple[int, str]]:
        picked = []
        for i, fallback in zip(indexes, texts, strict=False):
            at = i if 0 <= i < len(sentences) else by_norm.get(_norm(fallback))
            if at is None or norms[at] in shown or not norms[at]:
                continue
            shown.add(norms[at])
            picked.append((sentences[at].index + 1, sentences[at].text))
        return picked

    chosen = [int(i) for i in digest.get("summary_sentences", [])]
    summary = pick(chosen, [sentences[i].text for i in chosen if 0 <= i < len(sentences)])
    point_ids = [int(i) for i in digest.get("key_point_sentences", [])]
    points = pick(point_ids, list(digest.get("key_points", [])))
    if len(points) < KEY_POINTS_MIN:  # look past the lead for more
        rest = [s for s in sentences if s.paragraph > lead_no]
        if rest:
            more = summarize(title, "\n\n".join(s.text for s in rest))
            extra = [by_norm[n] for n in map(_norm, more.key_points) if n in by_norm]
            points += pick(extra, [sentences[i].text for i in extra])[
                : KEY_POINTS_MIN - len(points)
            ]
            points.sort()
    return summary, points


def _article(request: Request, raw_id: str) -> StoredArticle:
    article = request.app.state.store.get_article(pages._db_id(raw_id))
    if article is None:
        raise HTTPException(status_code=404)
    return article


# The list pages' kickers: marked here, translated where shown (understand_list.html).
LABEL_KINDS = {
    "PERSON": N_("Person"),
    "ORG": N_("Organisation"),
    "GPE": N_("Place"),
    "LOC": N_("Place"),
    "FAC": N_("Place"),
    "NORP": N_("Group"),
    "EVENT": N_("Event"),
}
PLACE, TOPIC = N_("Place"), N_("Topic")
# The topics of understand/topics.py as shown (capitalised), and the gazetteer's
# continents: translated on the topic, place and article pages and in search.
TOPIC_NAMES = (
    N_("World"), N_("Politics"), N_("Business"), N_("Economy"), N_("Technology"),
    N_("Science"), N_("Health"), N_("Sport"), N_("Culture"), N_("Environment"),
    N_("Conflict"), N_("Crime"),
)  # fmt: skip
CONTINENT_NAMES = (
    N_("Africa"), N_("Antarctica"), N_("Asia"), N_("Europe"), N_("North America"),
    N_("Oceania"), N_("South America"),
)  # fmt: skip


def _listing(
    request: Request,
    kind: str,
    key: str,
    heading: str,
    note: str,
    path: str,
    before: str | None,
    after: str | None,
    kicker: str = "",
) -> HTMLResponse:
    """A page of the latest articles naming / about / in ``key``: one query (a place's
    page: two, about the country and from its outlets)."""
    older, newer = listing.cursors(before, after)
    store = request.app.state.store
    if kind == "country":
        found = store.place_page(key, LIST_SIZE, older, newer)
    else:
        found = store.listing_page(kind, key, LIST_SIZE, older, newer)
    return pages.render(
        request,
        "understand_list.html",
        heading=heading,
        kicker=kicker,
        note=note,
        kind=kind,
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
    state = request.app.state
    found = state.entity_names.get(state.store, entity_id)
    if found is None:
        raise HTTPException(status_code=404)
    name, label = found
    return _listing(
        request, "entity", entity_id, name, "", f"/entities/{entity_id}", before, after,
        kicker=LABEL_KINDS.get(label, label.title()),
    )  # fmt: skip


@router.get("/places/{code}", response_class=HTMLResponse)
def place_page(
    request: Request,
    code: str,
    before: str | None = Query(default=None, max_length=CURSOR_CHARS),
    after: str | None = Query(default=None, max_length=CURSOR_CHARS),
) -> HTMLResponse:
    """A country: the latest articles about it, and from its outlets, in any language."""
    from broadsheet.understand.gazetteer import continent, is_country_code

    if not _COUNTRY.match(code) or not is_country_code(code):
        raise HTTPException(status_code=404)
    upper = code.upper()
    ui = pages.ui_language(request)
    region = continent(upper)
    return _listing(
        request, "country", upper, i18n.country_name(upper, ui), _(region) if region else "",
        f"/places/{code.lower()}", before, after, kicker=PLACE,
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
        request, "topic", topic, _(topic.capitalize()), "", f"/topics/{topic}", before, after,
        kicker=TOPIC,
    )  # fmt: skip


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
            original=pages.web_url(article.canonical_url) or pages.web_url(article.url),
            outlet_country=pages.outlet_country(request, article.source_id),
        )
    )  # fmt: skip
