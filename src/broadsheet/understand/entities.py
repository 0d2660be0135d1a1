"""Named entities: spaCy's recogniser, with case repair, span clean-up and normalisation.

``find_entities(nlp, texts)`` returns, per text, mentions with character offsets into the
text as given, spaCy's labels, and an ``entity_id`` shared by every way of writing one
entity: "Kim Jong Un", "Kim Jong-un" and, in a text that names him in full, "Mr. Kim".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from broadsheet.understand import gazetteer, scorelines
from broadsheet.understand.casing import recase
from broadsheet.understand.spans import agree, split

if TYPE_CHECKING:
    from spacy.language import Language

VERSION = "2"  # 2: span rules (understand/spans.py), French
BATCH = 32
MAX_CHARS = 100_000

KIND = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "EVENT": "event",
    "PRODUCT": "thing",
    "WORK_OF_ART": "thing",
    "LAW": "thing",
    "LANGUAGE": "thing",
    "MISC": "thing",
}
# Pipelines trained on WikiNER (fr_core_news_sm and the other non-English "news" models)
# label PER / ORG / LOC / MISC: PER is read as PERSON, so one label names people in every
# language; LOC (countries and towns as well as rivers) is already a place label.
LABELS = {"PER": "PERSON"}
NAMED = frozenset(KIND)  # labels that name something (not dates, money, numbers)
HONORIFICS = frozenset(
    "mr mrs ms miss dr prof sir dame lord lady president prime minister chancellor king "
    "queen prince princess pope sen senator rep gov governor gen general col lt capt "
    "judge justice rev father sister brother chairman secretary leader "
    "m mme mlle mgr president presidente ministre premier".split()  # French
)
# An elided article or preposition glued to a name ("l'Espagne", "d'Airbus"), in the
# languages that write them so; only before a capital, so "D'Angelo" in English is kept.
ELIDING = frozenset({"fr", "it"})
_ELIDED = re.compile(r"(?:[LlDd]|[Qq]u)['’](?=[A-ZÀ-Ý])")
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['’]s|['’]|[\s.,;:!?\"“”]+)$")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    label: str
    text: str
    entity_id: str

    def as_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "text": self.text,
            "entity_id": self.entity_id,
        }


def find_entities(nlp: Language, texts: Iterable[str]) -> list[list[Mention]]:
    """The entities of every text, in order; offsets index the texts as given."""
    originals = [t[:MAX_CHARS] for t in texts]
    docs = nlp.pipe((recase(t, gazetteer.country_code) for t in originals), batch_size=BATCH)
    return [_mentions(text, doc) for text, doc in zip(originals, docs, strict=True)]


def find_places(texts: Iterable[str], language: str | None = None) -> list[list[Mention]]:
    """For a language without a recogniser: the countries, nationalities and big cities
    the text names (capitalised, exact gazetteer matches: ``gazetteer.find_places``), so
    its articles still reach place and entity pages. People and organisations need a
    pipeline."""
    out = []
    for text in texts:
        text = text[:MAX_CHARS]
        out.append(_link(text, gazetteer.find_places(text, language)))
    return out


def _mentions(text: str, doc: object) -> list[Mention]:
    spans: list[tuple[int, int, str]] = []
    elided = _ELIDED if doc.lang_ in ELIDING else None  # type: ignore[attr-defined]
    for ent in doc.ents:  # type: ignore[attr-defined]
        label = LABELS.get(ent.label_, ent.label_)
        start = ent.start_char
        if elided and (lead := elided.match(text, start, ent.end_char)):
            start = lead.end()  # "L'Espagne" -> "Espagne"
        for piece in split(text, start, ent.end_char, label):
            cleaned = _clean(text, *piece)
            if cleaned:
                spans.append(cleaned)
    spans = scorelines.apply(spans, scorelines.team_spans(text))
    spans = gazetteer.add_missing(text, spans)
    spans = agree(text, spans)
    return _link(text, spans)


def _clean(text: str, start: int, end: int, label: str) -> tuple[int, int, str] | None:
    """Trim a leading "the", a possessive and stray punctuation from a span."""
    span = text[start:end]
    lead = _LEADING.match(span)
    if lead and label in NAMED and end - start > lead.end():
        start += lead.end()
    while True:
        trail = _TRAILING.search(text[start:end])
        if not trail or trail.start() == 0 or text[start:end].endswith("."):
            break
        end = start + trail.start()
    if label in NAMED and text[start:end].endswith(".") and not _ABBREV.search(text[start:end]):
        end -= 1
    return (start, end, label) if end > start else None


_ABBREV = re.compile(r"(?:\b[A-Za-z]\.)+$|\b(?:Inc|Corp|Ltd|Co|Jr|Sr|St)\.$")


# --- normalisation --------------------------------------------------------------------------
def fold(name: str) -> str:
    """A comparison key: no accents, no case, hyphens and dots as spaces."""
    if name.isascii():  # nothing to decompose (most names and sentences)
        plain = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"['’]s\b", "", plain.casefold())
    return " ".join(re.findall(r"\w+", plain.replace("'", "").replace("’", "")))


def _strip_honorifics(words: list[str]) -> list[str]:
    while len(words) > 1 and words[0] in HONORIFICS:
        words = words[1:]
    return words


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w not in ("of", "and", "the", "for"))


def _link(text: str, spans: list[tuple[int, int, str]]) -> list[Mention]:
    """Give each span an entity id; short names join the one full name they match."""
    keys: list[tuple[str, list[str]]] = []
    for start, end, label in spans:
        words = fold(text[start:end]).split()
        if label == "PERSON":
            words = _strip_honorifics(words)
        keys.append((KIND.get(label, label.lower()), words))
    full_people = {tuple(w) for kind, w in keys if kind == "person" and len(w) > 1}
    full_orgs = {tuple(w) for kind, w in keys if kind == "org" and len(w) > 1}
    mentions = []
    for (start, end, label), (kind, words) in zip(spans, keys, strict=True):
        target = words
        if kind == "person" and len(words) == 1:
            matches = {p for p in full_people if words[0] in (p[0], p[-1])}
            if len(matches) == 1:
                target = list(matches.pop())
        elif kind == "org" and len(words) == 1 and len(words[0]) >= 2:
            matches = {o for o in full_orgs if _initials(list(o)) == words[0]}
            if len(matches) == 1:
                target = list(matches.pop())
        entity_id = gazetteer.place_id(words) if kind == "place" else None
        entity_id = entity_id or f"{kind}:{'-'.join(target) or 'unnamed'}"
        mentions.append(Mention(start, end, label, text[start:end], entity_id[:200]))
    return mentions
