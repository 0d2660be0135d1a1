"""spaCy pipelines per language, loaded lazily and once per process.

The operator names a pipeline per language in ``Settings.spacy_models`` (an installed
package name or a directory). Nothing is loaded until an article in that language needs
it; a language with no configured pipeline gets no entities rather than wrong ones.
"""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING

from broadsheet.errors import ConfigError

if TYPE_CHECKING:
    from spacy.language import Language

# Only the recogniser: in the en_core_web_* pipelines "ner" carries its own token vectors,
# so the shared tok2vec, tagger, parser, senter and lemmas cost time for nothing here
# (sentences come from understand/sentences.py). Measured: 7.0 -> 8.6 articles/s.
EXCLUDE = ("tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer")

_loaded: dict[str, Language] = {}
_lock = threading.Lock()


def load(name: str) -> Language:
    """The pipeline ``name`` (package or path), loaded once per process."""
    with _lock:
        if name not in _loaded:
            _loaded[name] = _load(name)
        return _loaded[name]


def _load(name: str) -> Language:
    with warnings.catch_warnings():
        # spaCy/thinc may warn about optional GPU back-ends and version skews at import
        warnings.filterwarnings("ignore", category=UserWarning, module=r"(spacy|thinc)\b")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"(spacy|thinc)\b")
        import spacy

        try:
            nlp = spacy.load(name, exclude=list(EXCLUDE))
        except OSError as exc:
            raise ConfigError(
                f"spaCy pipeline {name!r} is not installed (see requirements/model.txt): {exc}"
            ) from exc
    return nlp


class Pipelines:
    """Which pipeline serves which language (from settings); loads on first use."""

    def __init__(self, models: dict[str, str]) -> None:
        self.models = {lang.lower(): name for lang, name in models.items() if name}

    def for_language(self, language: str | None) -> Language | None:
        if not language:
            return None
        name = self.models.get(language.lower())
        return load(name) if name else None

    def version(self, language: str | None) -> str:
        """A short tag of the pipeline in use, part of each stored result's version."""
        name = self.models.get((language or "").lower())
        return name or "none"
