"""The understanding stage: one article in, everything the reader's panel needs out.

``understand(pipelines, title, text, hint)`` is a plain function (no database, no
network). Its result is stored per feature with a version, so a re-run with the same
versions changes nothing and a new version recomputes only that feature.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from broadsheet.understand import entities, places, summary, topics
from broadsheet.understand.entities import Mention, find_entities
from broadsheet.understand.language import detect_language
from broadsheet.understand.pipelines import Pipelines

LANGUAGE_VERSION = "1"
PLACES_ONLY = "gazetteer-2"  # the entities of languages without a spaCy pipeline


@dataclass
class Understanding:
    language: str | None
    entities: list[Mention] = field(default_factory=list)
    countries: list[places.CountryScore] = field(default_factory=list)
    topics: list[topics.Topic] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    digest: summary.Digest = field(default_factory=lambda: summary.Digest("", []))
    versions: dict[str, str] = field(default_factory=dict)

    def features(self) -> dict[str, object]:
        """Feature name -> JSON-ready value, as the store keeps them."""
        return {
            "language": {"code": self.language},
            "entities": [m.as_dict() for m in self.entities],
            "countries": [asdict(c) for c in self.countries],
            "topics": [asdict(t) for t in self.topics],
            "keywords": self.keywords,
            "summary": asdict(self.digest),
        }


def understand_texts(
    pipelines: Pipelines, items: list[tuple[str, str]], hints: list[str | None] | None = None
) -> list[Understanding]:
    """Understand several (title, text) pairs; spaCy runs batched per language."""
    hints = hints or [None] * len(items)
    languages = [detect_language(t, h).code for (_, t), h in zip(items, hints, strict=True)]
    found: dict[int, list[Mention]] = {}
    for lang in set(languages):
        nlp = pipelines.for_language(lang)
        indexes = [i for i, code in enumerate(languages) if code == lang]
        if nlp is None:  # no recogniser for this language: the gazetteer's places
            places_found = entities.find_places((_full_text(*items[i]) for i in indexes), lang)
            found.update(zip(indexes, places_found, strict=True))
            continue
        texts = (_full_text(*items[i]) for i in indexes)
        found.update(zip(indexes, find_entities(nlp, texts), strict=True))
    results = []
    for i, (title, text) in enumerate(items):
        lang = languages[i]
        # offsets of entities index title + "\n\n" + text; countries do not need them
        mentions = found[i]
        results.append(
            Understanding(
                language=lang,
                entities=mentions,
                countries=places.countries(mentions),
                topics=topics.classify(title, text, [m.label for m in mentions], lang),
                keywords=topics.keywords(title, text) if lang == "en" else [],
                digest=summary.summarize(title, text),
                versions=versions(pipelines, lang),
            )
        )
    return results


def understand(
    pipelines: Pipelines, title: str, text: str, hint: str | None = None
) -> Understanding:
    return understand_texts(pipelines, [(title, text)], [hint])[0]


def versions(pipelines: Pipelines, language: str | None) -> dict[str, str]:
    model = pipelines.version(language)
    if model == "none":  # no pipeline: places from the gazetteer alone
        model = PLACES_ONLY
    return {
        "language": LANGUAGE_VERSION,
        "entities": f"{entities.VERSION}/{model}",
        "countries": f"{places.VERSION}/{entities.VERSION}/{model}",
        "topics": topics.VERSION,
        "keywords": topics.VERSION,
        "summary": summary.VERSION,
    }


def _full_text(title: str, text: str) -> str:
    return f"{title}\n\n{text}" if title else text


def understand_article(
    models: dict[str, str], title: str, text: str, hint: str | None
) -> tuple[dict[str, object], dict[str, str]]:
    """(feature values, feature versions) for one article: the stage as a worker runs it
    (picklable for process pools; each process loads its spaCy pipelines once)."""
    result = understand(Pipelines(models), title, text, hint)
    return result.features(), result.versions
