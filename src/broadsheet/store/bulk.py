"""Bulk loading of understood, clustered articles, and sampling a store's keys.

``insert`` writes a batch of articles whose understanding and story are already decided
(an import of another store's export, or the web benchmark's synthetic corpus) in the
caller's transaction, with a few multi-row statements instead of the ~20 statements per
article of ``articles.save`` + ``understanding.save`` + ``stories.apply``. It writes the
rows those write, built by the same code where that code exposes it: the ``articles`` row
(the FTS5 index follows by trigger), ``article_features`` and the entity, country and
topic rows derived from them (``understanding.index_rows``), and the stories through
``stories.apply`` (memberships, wire copies, moves and their events, main terms, counts).
It does not write what only a fetch knows: ``entries_seen`` and ``article_extraction``.
On PostgreSQL the articles and the understanding's rows go in with COPY (store/pgcopy.py:
same rows, same ids, about twice the rate of the INSERT statements).

``sample`` reads what a reader would click on: random articles and, through them, their
story, outlet, entities, places and topics (so popular keys come up as often as readers
meet them).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from broadsheet.models import Article
from broadsheet.store import articles as article_queries
from broadsheet.store import pgcopy, understanding
from broadsheet.store import stories as story_queries
from broadsheet.store.schema import (
    article_countries,
    article_entities,
    article_features,
    article_topics,
    articles,
    story_articles,
)


@dataclass
class Loaded:
    """One article to load, with what the stages would have decided about it."""

    source_id: int
    article: Article
    fetched_at: datetime
    features: dict[str, Any]  # feature name -> JSON-ready value (Understanding.features())
    versions: dict[str, str]  # feature name -> version
    story: int  # a stored story's id, or a provisional id (< 0) shared within the batch
    similarity: float = 0.0
    agency: str | None = None
    duplicate_of_url: str | None = None  # canonical URL of the article this one copies
    moved_from: int | None = None  # a story it was in before the stage moved it (logged)
    terms: dict[str, float] = field(default_factory=dict)  # new main terms of its story


def insert_batch(
    conn: Connection, batch: list[Loaded], now: datetime
) -> tuple[list[int], dict[int, int]]:
    """Store ``batch`` in the caller's transaction; the new article ids (in order) and the
    permanent id of every provisional story. The caller guarantees the URLs are new."""
    if not batch:
        return [], {}
    ids = _insert_articles(conn, batch)
    article_queries.add_to_count(conn, len(ids))  # the kept count pages read
    rows: list[dict[str, Any]] = []
    derived: dict[Any, list[dict[str, Any]]] = {}
    for article_id, item in zip(ids, batch, strict=True):
        published = item.article.published
        sort_at = min(published, item.fetched_at) if published else item.fetched_at
        for feature, value in item.features.items():
            rows.append(
                dict(
                    article_id=article_id,
                    feature=feature,
                    version=item.versions.get(feature, "0"),
                    value=json.dumps(value, ensure_ascii=False),
                    computed_at=now,
                )
            )
            found = understanding.index_rows(article_id, feature, value, sort_at)
            if found is not None:
                derived.setdefault(found[0], []).extend(found[1])
    pgcopy.write(conn, article_features, rows)
    for table in (article_entities, article_countries, article_topics):
        pgcopy.write(conn, table, derived.get(table, []))
    by_url = {item.article.canonical_url: i for i, item in zip(ids, batch, strict=True)}
    changes = []
    for article_id, item in zip(ids, batch, strict=True):
        original = None
        if item.duplicate_of_url:
            original = by_url.get(item.duplicate_of_url) or article_queries.find_by_url(
                conn, item.duplicate_of_url
            )
        moves = [(article_id, item.moved_from, item.story)] if item.moved_from else []
        changes.append(
            story_queries.Change(
                article_id=article_id,
                story=item.story,
                similarity=item.similarity,
                agency=item.agency,
                duplicate_of=original,
                moves=moves,
                terms={item.story: item.terms} if item.terms else {},
            )
        )
    return ids, story_queries.apply(conn, changes, now)


def _insert_articles(conn: Connection, batch: list[Loaded]) -> list[int]:
    rows = []
    for item in batch:
        a = item.article
        published = a.published
        rows.append(
            dict(
                source_id=item.source_id,
                url=a.url,
                canonical_url=a.canonical_url,
                guid=None,
                title=a.title,
                author=a.author,
                published_at=published,
                fetched_at=item.fetched_at,
                sort_at=min(published, item.fetched_at) if published else item.fetched_at,
                language=a.language,
                site_name=a.site_name,
                image_url=a.image,
                description=a.description,
                text=a.text,
                html=a.html,
                content_hash=a.content_hash,
                extraction=a.extraction,
                word_count=len(a.text.split()),
                duplicate_of=None,
            )
        )
    if pgcopy.postgres(conn):  # ids first, then one COPY (store/pgcopy.py)
        ids = pgcopy.new_ids(conn, articles, len(rows))
        pgcopy.write(conn, articles, [dict(row, id=i) for row, i in zip(rows, ids, strict=True)])
        return ids
    made = conn.execute(
        insert(articles).returning(articles.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    return [int(i) for i in made]


# --- sampling -------------------------------------------------------------------------------
@dataclass
class Sample:
    """Keys a reader could click on, drawn from a store (with repeats, as readers do)."""

    articles: list[int] = field(default_factory=list)
    stories: list[int] = field(default_factory=list)
    sources: list[int] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # from the sampled articles' titles


def sample(conn: Connection, count: int, seed: int = 0) -> Sample:
    """``count`` random articles, and the story, outlet, entities, places, topics and title
    words of each (so a key comes up as often as a reader meets it on article pages)."""
    rng = random.Random(seed)
    top = conn.execute(select(func.max(articles.c.id))).scalar() or 0
    out = Sample()
    if not top:
        return out
    wanted = rng.sample(range(1, top + 1), min(count, top))
    placed = articles.outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
    found = conn.execute(
        select(articles.c.id, articles.c.source_id, articles.c.title, story_articles.c.story_id)
        .select_from(placed)
        .where(articles.c.id.in_(wanted))
    ).all()
    for r in found:
        out.articles.append(r.id)
        out.sources.append(r.source_id)
        if r.story_id is not None:
            out.stories.append(r.story_id)
        out.words.extend(w for w in r.title.split() if w.isalpha() and len(w) > 3)
    ids = out.articles
    for table, column, target in (
        (article_entities, article_entities.c.entity_id, out.entities),
        (article_countries, article_countries.c.country, out.countries),
        (article_topics, article_topics.c.topic, out.topics),
    ):
        target.extend(conn.execute(select(column).where(table.c.article_id.in_(ids))).scalars())
    return out
