"""Sentences and content words: the units that summaries, key points and citations use.

A rule-based splitter (no model): paragraphs first, then sentence ends that are not
abbreviations ("Mr.", "U.S.", "No. 10"). Each sentence keeps its character offsets, so a
citation can point back at the exact text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9À-Ý])")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|No|Gen|Gov|Sen|Rep|Lt|Col|Capt|Sgt|Rev|Inc|Corp|"
    r"Ltd|Co|vs|etc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est)|"
    r"\b[A-Z]|\b(?:[A-Za-z]\.){1,3}[A-Za-z])\.$"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according new one two year years would could may
    might must also last first mr mrs ms s t its it's""".split()
)
MAX_SENTENCE_CHARS = 2000


@dataclass(frozen=True)
class Sentence:
    index: int  # 0-based position in the text
    paragraph: int  # 0-based paragraph number
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for p_no, (p_start, para) in enumerate(_paragraphs(text)):
        begin = 0
        for m in _END.finditer(para):
            if _ABBREV.search(para[begin : m.end()]):
                continue
            _add(out, p_no, p_start, para, begin, m.end())
            begin = m.end()
        _add(out, p_no, p_start, para, begin, len(para))
    return out


def _paragraphs(text: str) -> list[tuple[int, str]]:
    found = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text):
        if m.group(0).strip():
            found.append((m.start(), m.group(0)))
    return found


def _add(out: list[Sentence], p_no: int, p_start: int, para: str, a: int, b: int) -> None:
    chunk = para[a:b]
    lead = len(chunk) - len(chunk.lstrip())
    body = chunk.strip()
    if not body:
        return
    start = p_start + a + lead
    for i in range(0, len(body), MAX_SENTENCE_CHARS):
        piece = body[i : i + MAX_SENTENCE_CHARS]
        s = start + i
        out.append(Sentence(len(out), p_no, s, s + len(piece), piece))


def words(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return [w.casefold() for w in _WORD.findall(text)]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no one-letter tokens, crude plural folding."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
