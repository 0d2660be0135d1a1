"""AI features for one stored article, cached in the store; None when unavailable.

Every failure (no endpoint, budget spent, timeout, error, garbage, oversize) returns None
with the reason logged: the caller shows the extractive features instead, and the next
request tries again (failures are not cached).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from broadsheet.ai import grounded, translate
from broadsheet.ai.client import ChatClient
from broadsheet.errors import ModelError

if TYPE_CHECKING:
    from broadsheet.config import Settings
    from broadsheet.models import StoredArticle
    from broadsheet.store import Store

log = logging.getLogger(__name__)


def _client(settings: Settings, store: Store) -> ChatClient:
    return ChatClient(settings, store)


def cached_summary(settings: Settings, store: Store, article_id: int) -> grounded.Grounded | None:
    client = _client(settings, store)
    if not client.enabled:
        return None
    found = store.get_ai_result(article_id, "summary", "", f"{grounded.VERSION}/{client.version}")
    return _to_grounded(found) if found else None


def summary(settings: Settings, store: Store, article: StoredArticle) -> grounded.Grounded | None:
    client = _client(settings, store)
    if not client.enabled:
        return None
    version = f"{grounded.VERSION}/{client.version}"
    found = store.get_ai_result(article.id, "summary", "", version)
    if found:
        return _to_grounded(found)
    try:
        result = grounded.summarize(client, article.title, article.text)
    except ModelError as exc:
        log.warning("AI summary of article %s: %s", article.id, exc)
        return None
    if result.answered:
        store.save_ai_result(article.id, "summary", "", version, result.as_dict())
    return result


def answer(
    settings: Settings, store: Store, article: StoredArticle, question: str
) -> grounded.Grounded | None:
    client = _client(settings, store)
    if not client.enabled or not question.strip():
        return None
    key, version = grounded.question_key(question), f"{grounded.VERSION}/{client.version}"
    found = store.get_ai_result(article.id, "ask", key, version)
    if found:
        return _to_grounded(found)
    try:
        result = grounded.ask(client, article.title, article.text, question)
    except ModelError as exc:
        log.warning("AI answer on article %s: %s", article.id, exc)
        return None
    store.save_ai_result(article.id, "ask", key, version, result.as_dict())
    return result


def translation(
    settings: Settings, store: Store, article: StoredArticle, language: str, summary_text: str
) -> translate.Translation | None:
    client = _client(settings, store)
    if not client.enabled:
        return None
    version = f"{translate.VERSION}/{client.version}"
    found = store.get_ai_result(article.id, "translate", language, version)
    if found:
        return translate.Translation(**found)
    try:
        result = translate.translate(client, article.title, summary_text, article.text, language)
    except ModelError as exc:
        log.warning("AI translation of article %s: %s", article.id, exc)
        return None
    store.save_ai_result(article.id, "translate", language, version, result.as_dict())
    return result


def _to_grounded(value: dict[str, object]) -> grounded.Grounded:
    claims = [
        grounded.Claim(str(c["text"]), list(c["sources"]), list(c.get("quotes", [])))
        for c in value.get("claims", [])  # type: ignore[union-attr]
    ]
    return grounded.Grounded(claims, int(value.get("dropped", 0)))  # type: ignore[arg-type]
