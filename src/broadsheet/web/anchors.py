"""Stable anchors for the sentences of an article's body, so a citation can link to the
very sentence it rests on (``/articles/N#s-3`` is the third sentence).

Sentences are numbered as ``understand.sentences.split_sentences(article.text)`` numbers
them: the numbering summaries, key points and the AI's citations use. Each sentence is
found in the sanitized body HTML by its characters (whitespace ignored, in order) and
wrapped in ``<span class="s" id="s-N">``; a sentence that crosses an inline tag (a link,
emphasis) gets one span per piece, the first carrying the id. A sentence the HTML does not
contain (the body and the text disagree) gets no anchor: its link lands on the article.
Only text nodes change; tags pass through as the sanitizer wrote them.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from html.parser import HTMLParser

from broadsheet.understand.sentences import split_sentences

# elements whose text is not reading text (nothing of the sort survives the sanitizer,
# but a sentence must never be anchored inside them)
_SKIP = frozenset({"script", "style", "template", "textarea", "title"})
_SPACE = re.compile(r"\s+")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip


class _Tokens(HTMLParser):
    """The body as a list of ("tag", raw markup) and ("text", unescaped text) tokens."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("tag", self.get_starttag_text() or ""))
        if tag in _SKIP:
            self.skipping += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tokens.append(("tag", self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        self.tokens.append(("tag", f"</{tag}>"))
        if tag in _SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        self.tokens.append(("raw" if self.skipping else "text", data))


def anchor_sentences(body: str, text: str) -> str:
    """``body`` (sanitized HTML) with each sentence of ``text`` wrapped in an anchor span."""
    sentences = split_sentences(text)
    if not sentences or not body:
        return body
    parser = _Tokens()
    parser.feed(body)
    parser.close()
    tokens = parser.tokens
    # the body's text without whitespace, and where each text token starts in it
    starts: list[int] = []  # haystack offset of each text token's first non-space char
    owners: list[int] = []  # the token index of each of those
    pieces: list[str] = []
    length = 0
    for t, (kind, value) in enumerate(tokens):
        if kind != "text":
            continue
        squeezed = _SPACE.sub("", value)
        if squeezed:
            starts.append(length)
            owners.append(t)
            pieces.append(squeezed)
            length += len(squeezed)
    haystack = "".join(pieces)
    gaps: dict[int, tuple[list[int], list[int]]] = {}  # token -> its whitespace runs

    def locate(at: int) -> tuple[int, int]:
        """(token, offset in it) of the haystack's character ``at``: its offset among the
        token's non-space characters plus the whitespace that comes before it."""
        k = bisect_right(starts, at) - 1
        t = owners[k]
        if t not in gaps:  # where each run of whitespace falls, and how much lies before
            before, removed = [], []
            total = 0
            for m in _SPACE.finditer(tokens[t][1]):
                before.append(m.start() - total)
                total += m.end() - m.start()
                removed.append(total)
            gaps[t] = (before, removed)
        before, removed = gaps[t]
        j = at - starts[k]
        i = bisect_right(before, j) - 1
        return t, j + (removed[i] if i >= 0 else 0)

    # cuts[token] = [(offset, markup to insert there)], in order
    cuts: dict[int, list[tuple[int, str]]] = {}
    cursor = 0
    for s in sentences:
        needle = _SPACE.sub("", s.text)
        if not needle:
            continue
        found = haystack.find(needle, cursor)
        if found < 0:
            continue
        cursor = found + len(needle)
        first, last = locate(found), locate(cursor - 1)
        _wrap(tokens, cuts, first, last, f"s-{s.index + 1}")
    out: list[str] = []
    for t, (kind, value) in enumerate(tokens):
        if kind == "tag":
            out.append(value)
            continue
        pos = 0
        for offset, markup in cuts.get(t, []):
            out.append(html.escape(value[pos:offset], quote=False))
            out.append(markup)
            pos = offset
        out.append(html.escape(value[pos:], quote=False))
    return "".join(out)


def _wrap(
    tokens: list[tuple[str, str]],
    cuts: dict[int, list[tuple[int, str]]],
    first: tuple[int, int],
    last: tuple[int, int],
    anchor: str,
) -> None:
    """Open and close spans around the sentence in every text token it covers."""
    opened = False
    for t in range(first[0], last[0] + 1):
        if tokens[t][0] != "text":
            continue
        start = first[1] if t == first[0] else 0
        end = last[1] + 1 if t == last[0] else len(tokens[t][1])
        if not tokens[t][1][start:end].strip():
            continue
        attrs = f'class="s" id="{anchor}"' if not opened else f'class="s" data-s="{anchor}"'
        opened = True
        cuts.setdefault(t, []).append((start, f"<span {attrs}>"))
        cuts[t].append((end, "</span>"))
