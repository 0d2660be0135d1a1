"""The sample outlets through the real stories stage: shared events form one story each,
unrelated sample articles stay apart.

The generator labels every article with what it is about (``SampleArticle.topic``: a shared
event's name, or the article's own key), so the truth is known; the articles go through
``cluster_records`` (store, wire-copy folding, clustering) in publication order, as ingest
would see them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest

from broadsheet.cli_stories import cluster_records
from broadsheet.config import Settings
from broadsheet.demo.content import EVENTS, OUTLETS, SampleArticle, article_body, plan_articles
from broadsheet.store import Store

from .test_publisher import NOW

PER_OUTLET = 40


def _record(article: SampleArticle) -> dict[str, str]:
    return {
        "id": article.key,
        "title": article.title,
        "text": "\n\n".join(article_body(article)),
        "published": article.published.isoformat(),
        "source": article.outlet.name,
        "url": f"https://{article.outlet.slug}.example{article.path}",
    }


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, int]]]:
    """(topic, story) for every sample article, in publication order."""
    articles = sorted(
        (a for o in OUTLETS for a in plan_articles(o, PER_OUTLET, NOW)),
        key=lambda a: (a.published, a.key),
    )
    tmp = tmp_path_factory.mktemp("demo-stories")
    settings = Settings(
        data_dir=tmp, database_url=f"sqlite:///{tmp / 'b.db'}", default_sources=False
    )
    store = Store.open(settings)
    try:
        out = cluster_records(store, settings, list(enumerate(map(_record, articles), 1)))
    finally:
        store.close()
    assert [o["id"] for o in out] == [a.key for a in articles]
    yield [(a.topic, o["story"]) for a, o in zip(articles, out, strict=True)]


def _mixed(clustered: list[tuple[str, int]]) -> tuple[dict[int, Counter[str]], int]:
    """Stories holding more than one topic, and the number of article pairs wrongly put
    together (same story, different topics)."""
    topics: dict[int, Counter[str]] = defaultdict(Counter)
    for topic, story in clustered:
        topics[story][topic] += 1
    mixed = {s: c for s, c in topics.items() if len(c) > 1}
    pairs = sum(
        sum(c.values()) * (sum(c.values()) - 1) // 2 - sum(v * (v - 1) // 2 for v in c.values())
        for c in mixed.values()
    )
    return mixed, pairs


def test_each_shared_event_is_one_story_across_outlets(
    clustered: list[tuple[str, int]],
) -> None:
    for event in EVENTS:
        stories = Counter(story for topic, story in clustered if topic == event)
        assert sum(stories.values()) == len(OUTLETS), event  # every outlet covers it
        assert len(stories) == 1, (event, stories)


# Measured 2026-11-29 (docs/notes/demo.md): 224 wrongly joined pairs, 5,495 before the
# demo content was reworked; 2026-12-06, with each outlet's repeated text left out of the
# features (stories/repeats.py; docs/notes/issue-15-events.md): 121 and 128 in two runs
# (231 and 235 without it; the figure moves a little from run to run). The
# goal is 0; routine articles of one outlet and beat still share template wording with
# slots (same-beat council or match reports a few hours apart). This bound catches a
# regression in the content or in clustering until the goal is reached.
MAX_WRONG_PAIRS = 160


def test_unrelated_sample_articles_rarely_share_a_story(clustered: list[tuple[str, int]]) -> None:
    mixed, pairs = _mixed(clustered)
    routine = sum(1 for topic, _ in clustered if topic not in EVENTS)
    largest = max((sum(c.values()) for c in mixed.values()), default=0)
    assert pairs <= MAX_WRONG_PAIRS, (
        f"{len(mixed)} stories mix topics ({pairs} wrongly joined pairs, "
        f"{routine} routine articles): {sorted(mixed.values(), key=len, reverse=True)[:5]}"
    )
    assert largest <= 10, f"a story of {largest} unrelated sample articles"
