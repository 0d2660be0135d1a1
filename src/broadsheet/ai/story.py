"""Grounded answers and summaries over a story: several outlets' articles in one prompt.

The articles go to the model as one ``ARTICLES`` data block (the same fenced JSON as one
article, see ``grounded``); each sentence's id names its article and its place in it:
``A2S3`` is sentence 3 of the second article sent. A claim's citations resolve to
``(article id, sentence index)`` pairs and are checked like an article's.

What is sent is bounded: at most ``PROMPT_CHARS`` characters of sentences in all. Every
article's opening sentences go first (news puts the event there), round by round; then the
sentences that share most words with the question (for a summary: the earliest ones).
"""

from __future__ import annotations

from dataclasses import dataclass

from broadsheet.ai import grounded
from broadsheet.ai.client import ChatClient
from broadsheet.understand.sentences import Sentence, content_words, split_sentences

VERSION = "1"
PROMPT_CHARS = 12_000  # sentence and title characters sent per request, all articles
LEAD = 2  # each article's first sentences are sent before any other
TITLE_CHARS = 200

STORY = grounded.Subject(
    "one news story, as several articles report it,",
    "the articles",
    "ARTICLES",
    '["A1S2", "A3S1"]',
    "do",
)
SUMMARY_TASK = (
    "Summarise the story in three or four short claims, most important first, drawing on "
    "several articles where they agree."
)


@dataclass(frozen=True)
class Source:
    """One article of the story, as the model sees it."""

    article_id: int
    outlet: str
    title: str
    text: str


def ask(client: ChatClient, sources: list[Source], question: str) -> grounded.Grounded:
    """Answer ``question`` from the story's articles alone, with checked citations."""
    return _grounded(client, sources, grounded.question_task(question), question)


def summarize(client: ChatClient, sources: list[Source]) -> grounded.Grounded:
    """An abstractive story summary, each claim citing the articles' sentences."""
    return _grounded(client, sources, SUMMARY_TASK, "")


def _grounded(
    client: ChatClient, sources: list[Source], task: str, question: str
) -> grounded.Grounded:
    data: list[dict[str, object]] = []
    citable: grounded.Citable = {}
    for n, (source, sentences) in enumerate(zip(sources, select(sources, question), strict=True)):
        if not sentences:
            continue
        sent = []
        for s in sentences:
            ref = f"A{n + 1}S{s.index + 1}"
            citable[ref] = ((source.article_id, s.index), s.text)
            sent.append({"id": ref, "text": s.text})
        data.append(
            {
                "id": f"A{n + 1}",
                "outlet": source.outlet,
                "title": source.title[:TITLE_CHARS],
                "sentences": sent,
            }
        )
    return grounded.complete(client, STORY, task, {"articles": data}, citable)


def select(
    sources: list[Source], question: str = "", budget: int = PROMPT_CHARS
) -> list[list[Sentence]]:
    """The sentences sent of each source, in reading order, within ``budget`` characters."""
    wanted = set(content_words(question))
    ranked: list[tuple[tuple[int, int, int, int], int, Sentence]] = []
    for n, source in enumerate(sources):
        for s in split_sentences(source.text)[: grounded.MAX_SENTENCES]:
            overlap = len(wanted & set(content_words(s.text))) if wanted else 0
            if s.index < LEAD:  # round by round: every first sentence, then every second
                rank = (0, s.index, n, 0)
            else:
                rank = (1, -overlap, s.index, n)
            ranked.append((rank, n, s))
    ranked.sort(key=lambda r: r[0])
    chosen: list[list[Sentence]] = [[] for _ in sources]
    used = sum(min(len(s.title), TITLE_CHARS) for s in sources)
    for _rank, n, s in ranked:
        if used + len(s.text) <= budget:
            chosen[n].append(s)
            used += len(s.text)
    for sentences in chosen:
        sentences.sort(key=lambda s: s.index)
    return chosen
