"""The understanding step of ingest: run the stage in the worker pool, store the result.

``understand_article`` runs where the pool runs it (a worker process, or a thread when
there is one worker); each process loads its spaCy pipelines once. A failure here never
loses the article: it is stored already, and the features are computed on a later run
(``broadsheet understand``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from broadsheet.errors import BroadsheetError
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import understand

if TYPE_CHECKING:
    from broadsheet.config import Settings
    from broadsheet.jobs.pool import WorkerPool
    from broadsheet.models import Article
    from broadsheet.store import Store

log = logging.getLogger(__name__)


def understand_article(
    models: dict[str, str], title: str, text: str, hint: str | None
) -> tuple[dict[str, Any], dict[str, str]]:
    """(feature values, feature versions) for one article; picklable for process pools."""
    result = understand(Pipelines(models), title, text, hint)
    return result.features(), result.versions


async def understand_stored(
    settings: Settings, store: Store, pool: WorkerPool, article_id: int, article: Article
) -> str | None:
    """Understand a freshly stored article; returns a failure reason, or None."""
    if not settings.understand:
        return None
    try:
        values, versions = await pool.run(
            settings.extract_timeout,
            understand_article,
            settings.spacy_models,
            article.title,
            article.text,
            article.language,
        )
        store.save_understanding(article_id, values, versions)
    except (BroadsheetError, TimeoutError, ValueError, OSError) as exc:
        log.warning("understand article %s: %s", article_id, exc)
        return f"understand {article.canonical_url}: {exc}"
    return None
