"""Bulk loading writes what the normal path writes (articles save, understanding, stories)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import text

from broadsheet.config import Settings
from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.store.bulk import Loaded
from broadsheet.store.stories import Change
from tests.support import postgres

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VERSIONS = {"language": "1", "entities": "1/none", "countries": "1/1/none", "topics": "1"}
TABLES = {  # every column but write times (ids: both stores start empty)
    "articles": "id, source_id, url, canonical_url, title, published_at, sort_at, language, "
    "text, html, content_hash, word_count, duplicate_of",
    "article_features": "article_id, feature, version, value",
    "article_entities": "article_id, entity_id, label, name, mentions",
    "article_countries": "article_id, country, mentions",
    "article_topics": "article_id, topic, score",
    "stories": "id, first_at, last_at, lead_article_id, article_count, source_count, merged_into",
    "story_articles": "article_id, story_id, similarity, agency",
    "story_events": "kind, article_id, from_story, to_story, reason",
    "story_terms": "story_id, term, weight",
}


def _article(n: int, text: str) -> Article:
    url = f"https://news.example/{n}"
    return Article(
        url=url,
        canonical_url=url,
        title=f"Headline number {n}",
        text=text,
        html=f"<p>{text}</p>",
        published=T0 + timedelta(minutes=n),
        language="en",
        content_hash=f"{n:064x}",
    )


def _features(n: int) -> dict[str, Any]:
    return {
        "language": {"code": "en"},
        "entities": [
            {
                "start": 0,
                "end": 5,
                "label": "PERSON",
                "text": "Ada Lovelace",
                "entity_id": "person:ada",
            },
            {"start": 9, "end": 12, "label": "PERSON", "text": "Ada", "entity_id": "person:ada"},
            {
                "start": 20,
                "end": 26,
                "label": "GPE",
                "text": f"Town{n}",
                "entity_id": f"place:t{n}",
            },
        ],  # fmt: skip
        "countries": [{"code": "GB", "name": "United Kingdom", "region": "Europe", "mentions": 2}],
        "topics": [{"topic": "science", "score": 0.05 + n / 100}],
    }


# article n: its story (provisional ids < 0), what it copies, a move, new main terms
PLAN = [
    dict(story=-1, terms={"w:engine": 1.5, "e:ada": 1.0}),
    dict(story=-1, agency="Reuters"),
    dict(story=-2, terms={"w:loom": 1.2}),
    dict(story=-1, agency="Reuters", copy_of=1),
    dict(story=-2, moved_from=-1),
]


def _settings(path: Path) -> Settings:
    return Settings(data_dir=path, default_sources=False)


def _dump(store: Store) -> dict[str, list[tuple]]:
    tables = dict(TABLES)
    if store.engine.dialect.name == "postgresql":  # the search documents the trigger built
        tables["articles_fts"] = "id, config::text, document::text"
    with store.reader() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT {cols} FROM {t} ORDER BY {cols}"))]
            for t, cols in tables.items()
        } | {"fts": sorted(store.search_article_ids("ada"))}


def _normal(store: Store, source_id: int) -> None:
    """What ingest does: save, understand, then one clustering batch."""
    ids: list[int] = []
    changes = []
    for n, plan in enumerate(PLAN):
        article_id = store.save_article(
            source_id, _article(n, f"Ada Lovelace met Ada in Town{n}"), T0
        )
        assert isinstance(article_id, int)
        ids.append(article_id)
        store.save_understanding(article_id, _features(n), VERSIONS)
        changes.append(
            Change(
                article_id=article_id,
                story=plan["story"],
                agency=plan.get("agency"),
                duplicate_of=ids[plan["copy_of"]] if "copy_of" in plan else None,
                moves=[(article_id, plan["moved_from"], plan["story"])]
                if "moved_from" in plan
                else [],
                terms={plan["story"]: plan["terms"]} if "terms" in plan else {},
            )
        )
    store.apply_story_changes(changes)


def _bulk(store: Store, source_id: int) -> None:
    batch = [
        Loaded(
            source_id=source_id,
            article=_article(n, f"Ada Lovelace met Ada in Town{n}"),
            fetched_at=T0,
            features=_features(n),
            versions=VERSIONS,
            story=plan["story"],
            agency=plan.get("agency"),
            duplicate_of_url=f"https://news.example/{plan['copy_of']}"
            if "copy_of" in plan
            else None,
            moved_from=plan.get("moved_from"),
            terms=plan.get("terms", {}),
        )
        for n, plan in enumerate(PLAN)
    ]
    ids, stories = store.bulk_insert(batch)
    assert len(ids) == len(PLAN) and sorted(stories) == [-2, -1]


def test_bulk_insert_writes_the_rows_of_the_normal_path(tmp_path: Path) -> None:
    dumps = []
    for name, load in (("normal", _normal), ("bulk", _bulk)):
        store = Store.open(_settings(tmp_path / name))
        try:
            source = store.add_source("https://news.example/feed", "News")
            load(store, source.id)
            dumps.append(_dump(store))
        finally:
            store.close()
    normal, bulk = dumps
    assert normal["story_events"] and normal["story_terms"] and normal["fts"]
    assert normal["fts"] == [r[0] for r in normal["articles"]]  # search finds every one
    if postgres.wanted():  # the bulk store was written with COPY (store/pgcopy.py)
        assert store.engine.dialect.name == "postgresql" and len(normal["articles_fts"]) == 5
    assert [r[-1] for r in normal["articles"]].count(None) == len(PLAN) - 1  # one copy
    assert bulk == normal


def test_bulk_stories_continue_across_batches_and_sample_reads_them(store: Store) -> None:
    source = store.add_source("https://news.example/feed", "News")

    def loaded(n: int, story: int) -> Loaded:
        return Loaded(source.id, _article(n, f"Ada in Town{n}"), T0, _features(n), VERSIONS, story)

    _ids, first = store.bulk_insert([loaded(0, -1), loaded(1, -1)])
    story = first[-1]
    store.bulk_insert([loaded(2, story), loaded(3, -1)])
    found = store.get_story(story)
    assert found is not None and found.article_count == 3
    assert store.count_stories() == 2
    keys = store.sample_keys(10, seed=1)
    assert sorted(keys.articles) == [1, 2, 3, 4]
    assert set(keys.stories) == {story, story + 1}
    assert set(keys.entities) == {"person:ada", "place:t0", "place:t1", "place:t2", "place:t3"}
    assert set(keys.countries) == {"GB"} and set(keys.topics) == {"science"}
    assert keys.sources == [source.id] * 4 and "Headline" in keys.words


def test_bulk_ids_follow_the_batch_and_times_and_search_survive(store: Store) -> None:
    """Ids continue the sequence in the batch's order, a non-UTC time is stored as UTC, and
    each article is found in its own language's search configuration (on PostgreSQL: the
    COPY path, whose values go through the same bind processing as an INSERT)."""
    source = store.add_source("https://news.example/feed", "News")
    first = store.save_article(source.id, _article(0, "Ada Lovelace wrote notes"), T0)
    paris = timezone(timedelta(hours=1))
    texts = {
        "fr": "Les chercheuses publiaient leurs\x00 découvertes",  # PostgreSQL drops the NUL
        "de": "Die Forscherinnen veröffentlichten Entdeckungen",
        "en": "The engineers were building engines",
    }
    batch = []
    for n, (language, body) in enumerate(texts.items(), start=1):
        article = _article(n, body)
        article.language = language
        article.published = (T0 + timedelta(hours=n)).astimezone(paris)
        batch.append(Loaded(source.id, article, T0, _features(n), VERSIONS, -n))
    ids, _stories = store.bulk_insert(batch)
    assert first == 1 and ids == [2, 3, 4]
    for article_id, item in zip(ids, batch, strict=True):
        stored = store.get_article(article_id)
        assert stored is not None and stored.url == item.article.url
        kept = item.article.text
        if store.engine.dialect.name == "postgresql":  # as every write there (store/engine.py)
            kept = kept.replace("\x00", "")
        assert stored.text == kept
        assert stored.published == T0 + timedelta(hours=article_id - 1)
        assert stored.published.tzinfo == UTC and stored.language == item.article.language
    assert store.search_article_ids("Ada") == [1]
    found = {w: store.search_article_ids(w) for w in ("découvertes", "engine", "Headline")}
    assert found["découvertes"] == [2] and found["engine"] == [4]
    assert sorted(found["Headline"]) == [1, 2, 3, 4]
    assert store.count_articles() == 4
