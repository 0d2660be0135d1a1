"""Batch helpers behind ``broadsheet entities`` and ``broadsheet summarize`` (and the bench).

Records are plain dicts as read from JSON Lines; results are plain dicts ready to write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from broadsheet.understand.entities import find_entities
from broadsheet.understand.language import detect_language
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.summary import summarize


def entity_records(
    pipelines: Pipelines, records: Iterable[dict[str, object]]
) -> list[dict[str, object]]:
    """``{"id", "entities": [...]}`` per record; a record in a language without a
    configured pipeline gets an empty list (and ``"language"`` says which it was)."""
    rows = list(records)
    texts = [str(r.get("text") or "") for r in rows]
    languages = [
        str(r.get("language") or "") or detect_language(t).code or ""
        for r, t in zip(rows, texts, strict=True)
    ]
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, lang in enumerate(languages):
        by_language[lang].append(i)
    found: dict[int, list[dict[str, object]]] = {}
    for lang, indexes in by_language.items():
        nlp = pipelines.for_language(lang)
        if nlp is None:
            found.update({i: [] for i in indexes})
            continue
        mentions = find_entities(nlp, (texts[i] for i in indexes))
        found.update(
            {i: [m.as_dict() for m in ms] for i, ms in zip(indexes, mentions, strict=True)}
        )
    return [
        {"id": r.get("id"), "language": languages[i] or None, "entities": found[i]}
        for i, r in enumerate(rows)
    ]


def summary_record(record: dict[str, object]) -> dict[str, object]:
    digest = summarize(str(record.get("title") or ""), str(record.get("text") or ""))
    return {"id": record.get("id"), "summary": digest.summary, "key_points": digest.key_points}
