"""AI features for one stored article or story, cached in the store; None when unavailable.

``cached_only=True`` looks in the cache and never calls the model: the web answers from
the cache on its own threads and sends only real model calls to its bounded AI pool
(``web/ai_gate.py``).

Every failure (no endpoint, budget spent, timeout, error, garbage, oversize) returns None
with the reason logged: the caller shows the extractive features instead, and the next
request tries again (failures are not cached).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from broadsheet.ai import grounded, story, translate
from broadsheet.ai.client import ChatClient
from broadsheet.errors import ModelError

if TYPE_CHECKING:
    from broadsheet.config import Settings
    from broadsheet.models import StoredArticle

log = logging.getLogger(__name__)


class Store(Protocol):
    """Where results are cached and the daily budget kept (``broadsheet.store.Store``
    fits; the stage does not import it)."""

    def take_ai_request(self, budget: int) -> bool: ...

    def get_ai_result(self, article_id: int, feature: str, key: str, version: str) -> Any: ...

    def save_ai_result(
        self, article_id: int, feature: str, key: str, version: str, value: Any
    ) -> None: ...


def _client(settings: Settings, store: Store) -> ChatClient:
    return ChatClient(settings, store)


def cached_summary(settings: Settings, store: Store, article_id: int) -> grounded.Grounded | None:
    client = _client(settings, store)
    if not client.enabled:
        return None
    found = store.get_ai_result(article_id, "summary", "", f"{grounded.VERSION}/{client.version}")
    return grounded.Grounded.from_dict(found) if found else None


def summary(
    settings: Settings, store: Store, article: StoredArticle, cached_only: bool = False
) -> grounded.Grounded | None:
    return _cached(
        settings, store, (article.id, "summary", ""), grounded.VERSION,
        None if cached_only else (
            lambda client: grounded.summarize(client, article.title, article.text)
        ),
        f"AI summary of article {article.id}", keep_unanswered=False,
    )  # fmt: skip


def answer(
    settings: Settings,
    store: Store,
    article: StoredArticle,
    question: str,
    cached_only: bool = False,
) -> grounded.Grounded | None:
    if not question.strip():
        return None
    return _cached(
        settings, store, (article.id, "ask", grounded.question_key(question)), grounded.VERSION,
        None if cached_only else (
            lambda client: grounded.ask(client, article.title, article.text, question)
        ),
        f"AI answer on article {article.id}",
    )  # fmt: skip


def story_answer(
    settings: Settings,
    store: Store,
    sources: list[story.Source],
    question: str,
    cached_only: bool = False,
) -> grounded.Grounded | None:
    """An answer from a story's articles; cached on its first article, per question and
    set of articles sent (a new article in the story asks again)."""
    if not question.strip() or not sources:
        return None
    return _cached(
        settings, store, _story_key(sources, "story-ask", question), _story_version(),
        None if cached_only else (lambda client: story.ask(client, sources, question)),
        f"AI answer on the story of article {sources[0].article_id}",
    )  # fmt: skip


def story_summary(
    settings: Settings, store: Store, sources: list[story.Source], cached_only: bool = False
) -> grounded.Grounded | None:
    if not sources:
        return None
    return _cached(
        settings, store, _story_key(sources, "story-summary", ""), _story_version(),
        None if cached_only else (lambda client: story.summarize(client, sources)),
        f"AI summary of the story of article {sources[0].article_id}", keep_unanswered=False,
    )  # fmt: skip


def _story_key(sources: list[story.Source], feature: str, question: str) -> tuple[int, str, str]:
    ids = ",".join(str(s.article_id) for s in sources)
    return sources[0].article_id, feature, grounded.question_key(f"{question}\n{ids}")


def _story_version() -> str:
    return f"{grounded.VERSION}.{story.VERSION}"


def _cached(
    settings: Settings,
    store: Store,
    key: tuple[int, str, str],
    version: str,
    run: Callable[[ChatClient], grounded.Grounded] | None,
    what: str,
    keep_unanswered: bool = True,
) -> grounded.Grounded | None:
    """The stored result for (article, feature, key) at this version and model, else
    ``run``'s (stored when it answered or ``keep_unanswered``); None on any failure."""
    client = _client(settings, store)
    if not client.enabled:
        return None
    article_id, feature, item = key
    version = f"{version}/{client.version}"
    found = store.get_ai_result(article_id, feature, item, version)
    if found:
        return grounded.Grounded.from_dict(found)
    if run is None:
        return None
    try:
        result = run(client)
    except ModelError as exc:
        log.warning("%s: %s", what, exc)
        return None
    if result.answered or keep_unanswered:
        store.save_ai_result(article_id, feature, item, version, result.as_dict())
    return result


def translation(
    settings: Settings,
    store: Store,
    article: StoredArticle,
    language: str,
    summary_text: str,
    cached_only: bool = False,
) -> translate.Translation | None:
    client = _client(settings, store)
    if not client.enabled:
        return None
    version = f"{translate.VERSION}/{client.version}"
    found = store.get_ai_result(article.id, "translate", language, version)
    if found:
        return translate.Translation(**found)
    if cached_only:
        return None
    try:
        result = translate.translate(client, article.title, summary_text, article.text, language)
    except ModelError as exc:
        log.warning("AI translation of article %s: %s", article.id, exc)
        return None
    store.save_ai_result(article.id, "translate", language, version, result.as_dict())
    return result
