"""Teasers: another article of the same outlet shown inside this one.

A "Related Articles" box on an aggregator's page repeats another article's headline (often
twice), its outlet, "26 minutes ago" and a long extract of its text, all as plain
paragraphs of the article's container. Nothing on the page says it is not this article;
what gives it away is that the outlet published that other article too. The orchestrator
knows the outlet's recent articles (stored, or listed in the feed of the same poll) and
passes their headlines and lead sentences to ``extract()`` as plain data
(:class:`KnownArticles`); here a block is a teaser when

* it is another known article's headline (the anchor); the blocks after it that repeat
  that headline, are short lines (outlet, "26 minutes ago") or are that article's text,
  belong to the same teaser, up to the last one that is that article's (short lines after
  it stay: they may be this article's next subheading);
* or it is mostly another known article's text: at least ``UNANCHORED_HITS`` of its
  sentences and ``MOSTLY`` of its characters are that article's sentences.

Never the article itself: known articles with this page's URL or headline, or whose text
is this page's lead (a copy of the same story is a duplicate, not a teaser), are ignored;
and a teaser needs ``MIN_TEXT_BEFORE`` characters of this page's own text before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from broadsheet.extract.blocks import Block
from broadsheet.extract.canonical import normalize_for_hash

RECENT_ARTICLES = 200  # an outlet's recent articles a teaser is looked for among
LEAD_SENTENCES = 24  # sentences of each known article kept as keys
MIN_SENTENCE_CHARS = 30  # shorter sentences ("He agreed.") are too common to tell
MIN_TITLE_CHARS = 12
MAX_TITLE_CHARS = 300  # longer blocks are never taken for a headline
SHORT_CHARS = 80  # a teaser's outlet / time / label lines are at most this long
MOSTLY = 0.6
# Without its headline, a block needs this many of another article's sentences: a follow-up
# may repeat a sentence or two of background, an extract repeats the lead.
UNANCHORED_HITS = 3
MIN_TEXT_BEFORE = 150
LEAD_CHARS = 200  # the page's own lead: what a copy of the same story starts with
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«(]?[A-Z0-9À-Ý])")
_PROSE_END = re.compile(r"[.!?…][\"'”’»)]*$")


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(s for s in _SENTENCE_END.split(line) if s.strip())
    return out


def _key(text: str) -> int:
    digest = hashlib.blake2b(normalize_for_hash(text).encode("utf-8"), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def sentence_key(sentence: str) -> int | None:
    """A stable 64-bit key of a sentence (case and punctuation folded); None when short."""
    return _key(sentence) if len(sentence.strip()) >= MIN_SENTENCE_CHARS else None


def title_key(text: str) -> int | None:
    return _key(text) if len(text.strip()) >= MIN_TITLE_CHARS else None


def is_prose(text: str) -> bool:
    """A paragraph of running text, not a label, a name or a time line."""
    return len(text) > SHORT_CHARS or (len(text) >= 40 and _PROSE_END.search(text) is not None)


@dataclass(frozen=True)
class KnownArticles:
    """The outlet's other articles as keys: headlines and lead sentences.

    Plain, picklable data (it travels to the extraction workers). Build it with
    :meth:`build` from (url, headline, text or standfirst) triples.
    """

    urls: tuple[str, ...] = ()
    titles: dict[int, int] = field(default_factory=dict)  # headline key -> article
    sentences: dict[int, int] = field(default_factory=dict)  # sentence key -> article

    @classmethod
    def build(cls, articles: Iterable[tuple[str, str, str]]) -> KnownArticles:
        return cls().extended(articles)

    def extended(self, articles: Iterable[tuple[str, str, str]]) -> KnownArticles:
        """A copy that also knows these (url, headline, text) articles."""
        urls = list(self.urls)
        titles = dict(self.titles)
        sentences = dict(self.sentences)
        position = {url: i for i, url in enumerate(urls)}
        for url, title, text in articles:
            index = position.get(url, len(urls))
            if index == len(urls):  # an article known again (its standfirst, then its text)
                position[url] = index
                urls.append(url)
            key = title_key(title or "")
            if key is not None:
                titles.setdefault(key, index)
            for sentence in split_sentences(text or "")[:LEAD_SENTENCES]:
                skey = sentence_key(sentence)
                if skey is not None:
                    sentences.setdefault(skey, index)
        return KnownArticles(tuple(urls), titles, sentences)

    def __bool__(self) -> bool:
        return bool(self.urls)

    def __len__(self) -> int:
        return len(self.urls)


@dataclass
class _Block:
    """One block's text reduced once to what matching needs."""

    chars: int
    prose: bool
    title: int | None  # its key, if it is short enough to be a headline
    sentences: list[tuple[int | None, int]]  # (known article, characters) per sentence

    def matched(self) -> dict[int, int]:
        """Characters in sentences of each known article."""
        out: dict[int, int] = {}
        for index, chars in self.sentences:
            if index is not None:
                out[index] = out.get(index, 0) + chars
        return out

    def mostly(self, index: int, min_hits: int) -> bool:
        """At least ``min_hits`` sentences and MOSTLY of the text are article ``index``'s."""
        hits = [chars for i, chars in self.sentences if i == index]
        total = sum(chars for _, chars in self.sentences) or 1
        return len(hits) >= min_hits and sum(hits) >= MOSTLY * total


def _reduce(block: Block, known: KnownArticles) -> _Block:
    text = block.text
    prose = is_prose(text)
    sentences: list[tuple[int | None, int]] = []
    if prose:
        for sentence in split_sentences(text):
            key = sentence_key(sentence)
            sentences.append((known.sentences.get(key) if key is not None else None,
                              len(sentence)))  # fmt: skip
    return _Block(len(text), prose, title_key(text) if len(text) <= MAX_TITLE_CHARS else None,
                  sentences)  # fmt: skip


def _own(page: list[_Block], known: KnownArticles, url: str | None, title: str | None) -> set[int]:
    """Known articles that are this page itself (same URL or headline, or its lead)."""
    own = {i for i, u in enumerate(known.urls) if url and u == url}
    key = title_key(title or "")
    if key is not None and key in known.titles:
        own.add(known.titles[key])
    lead: dict[int, int] = {}
    seen = 0
    for block in page:
        if block.prose and block.title not in known.titles:
            for index, chars in block.matched().items():
                lead[index] = lead.get(index, 0) + chars
            seen += block.chars
            if seen >= LEAD_CHARS:
                break
    own.update(i for i, chars in lead.items() if chars >= 0.5 * min(seen, LEAD_CHARS))
    return own


def teaser_blocks(
    blocks: Sequence[Block],
    known: KnownArticles,
    *,
    url: str | None = None,
    title: str | None = None,
) -> set[int]:
    """Indices of the blocks that are teasers of other known articles."""
    if not known or not blocks:
        return set()
    page = [_reduce(b, known) for b in blocks]
    if not any(b.title in known.titles or b.matched() for b in page):
        return set()
    own = _own(page, known, url, title)
    marked: set[int] = set()
    before = 0  # this page's own text so far
    i = 0
    while i < len(page):
        block = page[i]
        anchor = known.titles.get(block.title) if block.title is not None else None
        if anchor is not None and anchor not in own and before >= MIN_TEXT_BEFORE:
            last = i
            for j in range(i + 1, len(page)):
                nxt = page[j]
                if nxt.title == block.title or (nxt.prose and nxt.mostly(anchor, 1)):
                    last = j
                elif nxt.prose:
                    break
            marked.update(range(i, last + 1))
            i = last + 1
            continue
        if block.prose and before >= MIN_TEXT_BEFORE:
            best = max(block.matched().items(), key=lambda p: p[1], default=None)
            if best and best[0] not in own and block.mostly(best[0], UNANCHORED_HITS):
                marked.add(i)
                i += 1
                continue
        before += block.chars
        i += 1
    return marked


def drop_teasers(
    blocks: Sequence[Block],
    known: KnownArticles,
    *,
    url: str | None = None,
    title: str | None = None,
) -> list[Block]:
    marked = teaser_blocks(blocks, known, url=url, title=title)
    return [b for i, b in enumerate(blocks) if i not in marked]
