"""The store: the one package that talks to the database.

``Store`` is a thin facade: it owns the engine and the single-writer lock, and delegates to
one module per entity (``sources``, ``articles``) and to ``search``. Nobody else writes SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from broadsheet.config import Settings
from broadsheet.errors import StoreError
from broadsheet.extract.site import SiteRules
from broadsheet.extract.teasers import RECENT_ARTICLES, KnownArticles
from broadsheet.models import Article, Skipped, Source, StoredArticle, Story, StoryMember
from broadsheet.store import articles, furniture, layout, migrate, search, sources, understanding
from broadsheet.store import stories as story_queries
from broadsheet.store.engine import is_sqlite, make_engine
from broadsheet.store.furniture import LearnedFurniture, OutletFurniture
from broadsheet.store.schema import meta

# Stored articles re-cleaned per transaction: a big outlet never holds the writer long.
RECLEAN_BATCH = 200


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._write_lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings) -> Store:
        """Open (creating if needed) the database and bring its schema to head."""
        try:
            engine = make_engine(settings.resolved_database_url())
            migrate.upgrade(engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the database: {exc.__class__.__name__}: {exc}") from exc
        return cls(engine, settings)

    def close(self) -> None:
        self.engine.dispose()

    # --- transactions -------------------------------------------------------------------
    @contextmanager
    def reader(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def writer(self) -> Iterator[Connection]:
        """One writer at a time (SQLite); the transaction commits on success."""
        with self._write_lock, self.engine.connect() as conn:
            conn.info["writer"] = True
            try:
                with conn.begin():
                    yield conn
            except IntegrityError:
                raise
            except SQLAlchemyError as exc:
                raise StoreError(f"database write failed: {exc.orig or exc}") from exc
            finally:
                conn.info.pop("writer", None)

    # --- sources ------------------------------------------------------------------------
    def add_source(
        self, url: str, name: str | None = None, site_url: str | None = None, **extra: Any
    ) -> Source:
        with self.writer() as conn:
            if sources.get_by_url(conn, url) is not None:
                raise StoreError(f"source already exists: {url}")
            sid = sources.add(
                conn,
                url,
                name or url,
                _now(),
                self.settings.poll_interval,
                site_url=site_url,
                **extra,
            )
            found = sources.get(conn, sid)
        assert found is not None
        return found

    def list_sources(self) -> list[Source]:
        with self.reader() as conn:
            return sources.list_all(conn)

    def get_source(self, source_id: int) -> Source | None:
        with self.reader() as conn:
            return sources.get(conn, source_id)

    def get_source_by_url(self, url: str) -> Source | None:
        with self.reader() as conn:
            return sources.get_by_url(conn, url)

    def due_sources(self, now: datetime | None = None, limit: int | None = None) -> list[Source]:
        with self.reader() as conn:
            return sources.due(conn, now or _now(), limit)

    def update_source(self, source_id: int, **values: Any) -> None:
        with self.writer() as conn:
            sources.update_fields(conn, source_id, **values)

    def remove_source(self, source_id: int) -> bool:
        with self.writer() as conn:
            return sources.remove(conn, source_id)

    def set_icon(self, source_id: int, body: bytes, content_type: str) -> None:
        with self.writer() as conn:
            sources.set_icon(conn, source_id, body, content_type, _now())

    def get_icon(self, source_id: int) -> tuple[bytes, str] | None:
        with self.reader() as conn:
            return sources.get_icon(conn, source_id)

    # --- articles -----------------------------------------------------------------------
    def save_article(
        self,
        source_id: int,
        article: Article,
        fetched_at: datetime,
        guid: str | None = None,
        entry_key: str | None = None,
    ) -> int | Skipped:
        """Save an article (idempotent), and remember the feed entry it came from."""
        with self.writer() as conn:
            try:
                with conn.begin_nested():
                    result = articles.save(conn, source_id, article, fetched_at, guid)
            except IntegrityError:  # a concurrent writer stored the same URL first
                result = Skipped("duplicate (same URL, stored concurrently)")
            if entry_key is not None:
                article_id = result if isinstance(result, int) else None
                outcome = "stored" if article_id else result.reason  # type: ignore[union-attr]
                articles.mark_seen(conn, source_id, entry_key, article_id, outcome, fetched_at)
        return result

    def mark_seen(self, source_id: int, entry_key: str, outcome: str) -> None:
        with self.writer() as conn:
            articles.mark_seen(conn, source_id, entry_key, None, outcome, _now())

    def seen_keys(self, source_id: int, keys: list[str]) -> set[str]:
        with self.reader() as conn:
            return articles.seen_keys(conn, source_id, keys)

    def article_id_for_url(self, canonical_url: str) -> int | None:
        with self.reader() as conn:
            return articles.find_by_url(conn, canonical_url)

    def latest_articles(self, limit: int, offset: int = 0) -> list[StoredArticle]:
        with self.reader() as conn:
            return articles.latest(conn, limit, offset)

    def get_article(self, article_id: int) -> StoredArticle | None:
        with self.reader() as conn:
            return articles.get(conn, article_id)

    def count_articles(self) -> int:
        with self.reader() as conn:
            return articles.count(conn)

    def iter_articles(self) -> Iterator[StoredArticle]:
        with self.reader() as conn:
            yield from articles.iter_all(conn)

    def search_article_ids(self, words: str, limit: int = 50) -> list[int]:
        with self.reader() as conn:
            return search.search_ids(conn, words, limit)

    # --- understanding (issue 5; queries in store/understanding.py) ---------------------
    def save_understanding(
        self, article_id: int, values: dict[str, Any], versions: dict[str, str]
    ) -> list[str]:
        """Store features whose version changed (idempotent); the names written."""
        with self.writer() as conn:
            return understanding.save(conn, article_id, values, versions, _now())

    def understanding_versions(self, article_id: int) -> dict[str, str]:
        with self.reader() as conn:
            return understanding.versions(conn, article_id)

    def get_understanding(self, article_id: int) -> dict[str, Any]:
        with self.reader() as conn:
            return understanding.features(conn, article_id)

    def understood_article_ids(self, kind: str, key: str, limit: int = 50) -> list[int]:
        """Latest article ids naming an entity / about a country / in a topic."""
        query = {
            "entity": understanding.articles_for_entity,
            "country": understanding.articles_for_country,
            "topic": understanding.articles_for_topic,
        }[kind]
        with self.reader() as conn:
            return query(conn, key, limit)

    def entity_name(self, entity_id: str) -> tuple[str, str] | None:
        with self.reader() as conn:
            return understanding.entity_name(conn, entity_id)

    def get_ai_result(self, article_id: int, feature: str, key: str, version: str) -> Any:
        with self.reader() as conn:
            return understanding.ai_result(conn, article_id, feature, key, version)

    def save_ai_result(
        self, article_id: int, feature: str, key: str, version: str, value: Any
    ) -> None:
        with self.writer() as conn:
            understanding.save_ai_result(conn, article_id, feature, key, version, value, _now())

    def take_ai_request(self, budget: int) -> bool:
        with self.writer() as conn:
            return understanding.take_ai_request(conn, _now().date().isoformat(), budget)

    # --- furniture learning (issue 3; queries in store/furniture.py) -------------------
    def furniture_filter(self, outlet: str) -> LearnedFurniture:
        """The outlet's learned furniture filter for extract() (empty when switched off)."""
        with self.reader() as conn:
            return furniture.furniture_filter(conn, outlet)

    def learn_furniture(self, outlet: str, texts: list[str]) -> int:
        """Count one more page of the outlet with these blocks; blocks newly learned."""
        with self.writer() as conn:
            return furniture.learn(conn, outlet, texts, _now())

    def record_extraction(self, article_id: int, outlet: str, article: Article) -> None:
        """The outlet, modified date and pre-furniture body of a stored article."""
        with self.writer() as conn:
            furniture.record_article(conn, article_id, outlet, article)

    def reclean_outlet(
        self,
        outlet: str,
        article_id: int | None = None,
        *,
        site: SiteRules | None = None,
        ids: list[int] | None = None,
    ) -> int:
        """Re-apply what the outlet taught (learned furniture; with ``site`` its boundaries,
        teasers and date order) to its stored articles, or one, or ``ids``: in batches of
        RECLEAN_BATCH articles, one transaction each. The number of articles changed."""
        if article_id is not None:
            ids = [article_id]
        if ids is None:
            with self.reader() as conn:
                ids = furniture.outlet_article_ids(conn, outlet)
        changed = 0
        for start in range(0, len(ids), RECLEAN_BATCH):
            with self.writer() as conn:
                batch = ids[start : start + RECLEAN_BATCH]
                changed += furniture.reclean(conn, outlet, site=site, ids=batch)
        return changed

    def set_furniture_enabled(self, outlet: str, enabled: bool) -> int | None:
        """The per-outlet kill switch; re-cleans (or restores) the outlet's articles.
        None when the outlet is unknown, else the number of articles changed."""
        with self.writer() as conn:
            if not furniture.set_enabled(conn, outlet, enabled, _now()):
                return None
        return self.reclean_outlet(outlet, site=self.site_rules(outlet))

    # --- outlet layout (issue 15; queries in store/layout.py) -------------------------
    def site_rules(self, outlet: str, known: KnownArticles | None = None) -> SiteRules:
        """What the outlet taught, for extract(site=...) and re-cleaning; its recent
        stored articles stand for ``known`` when none is given."""
        with self.reader() as conn:
            if known is None:
                known = KnownArticles.build(layout.recent_articles(conn, outlet, RECENT_ARTICLES))
            return layout.site_rules(conn, outlet, known)

    def recent_outlet_articles(self, outlet: str, limit: int) -> list[tuple[str, str, str]]:
        """(url, headline, start of text) of the outlet's newest stored articles."""
        with self.reader() as conn:
            return layout.recent_articles(conn, outlet, limit)

    def articles_showing(self, ids: list[int], titles: set[str]) -> list[int]:
        """Those of ``ids`` whose stored body (before site rules) shows one of ``titles``
        as well as being another article: a cheap test before re-cleaning for teasers."""
        with self.reader() as conn:
            return layout.articles_showing(conn, ids, titles)

    def learn_layout(
        self,
        outlet: str,
        printed_date: str | None,
        known: KnownArticles,
        *,
        furniture_changed: bool,
    ) -> bool:
        """Count one more page of the outlet for its layout; True when its boundaries or
        date order changed (its stored articles should then be re-cleaned)."""
        with self.writer() as conn:
            return layout.learn(conn, outlet, printed_date, known,
                                furniture_changed=furniture_changed, now=_now())  # fmt: skip

    def outlet_furniture(self, outlet: str) -> OutletFurniture | None:
        with self.reader() as conn:
            return furniture.describe(conn, outlet)

    def list_outlet_furniture(self) -> list[OutletFurniture]:
        with self.reader() as conn:
            return furniture.list_outlets(conn)

    # --- stories (issue 4; queries in store/stories.py) ---------------------------------
    def apply_story_changes(self, changes: list[story_queries.Change]) -> dict[int, int]:
        """Store clustering decisions, in order, in one transaction; permanent ids for
        their provisional stories."""
        with self.writer() as conn:
            return story_queries.apply(conn, changes, _now())

    def get_story(self, story_id: int, with_members: bool = True) -> Story | None:
        with self.reader() as conn:
            return story_queries.get(conn, story_id, with_members)

    def story_of_article(self, article_id: int) -> int | None:
        with self.reader() as conn:
            return story_queries.story_of(conn, article_id)

    def story_export(self, article_id: int) -> tuple[int | None, int | None]:
        """(story id, duplicate_of) of an article."""
        with self.reader() as conn:
            return story_queries.export(conn, article_id)

    def story_members(self, story_ids: list[int]) -> list[StoryMember]:
        with self.reader() as conn:
            return story_queries.members(conn, story_ids)

    def recent_stories(self, since: datetime, limit: int = 2000) -> list[Story]:
        with self.reader() as conn:
            return story_queries.recent(conn, since, limit)

    def latest_stories(self, limit: int, offset: int = 0) -> list[Story]:
        with self.reader() as conn:
            return story_queries.latest(conn, limit, offset)

    def count_stories(self) -> int:
        with self.reader() as conn:
            return story_queries.count(conn)

    def related_story_ids(self, story_id: int, limit: int = 20) -> list[tuple[int, float]]:
        with self.reader() as conn:
            return story_queries.related(conn, story_id, limit)

    def story_events(self, story_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return story_queries.events(conn, story_id)

    def articles_for_clustering(
        self, after_id: int, oldest: datetime | None, upto: int | None = None
    ) -> Iterator[dict[str, Any]]:
        with self.reader() as conn:
            yield from story_queries.for_clustering(conn, after_id, oldest, upto)

    # --- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.reader() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        with self.writer() as conn:
            conn.execute(meta.delete().where(meta.c.key == key))
            conn.execute(meta.insert().values(key=key, value=value))

    def integrity_ok(self) -> bool:
        if not is_sqlite(self.engine):
            return True
        with self.reader() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


__all__ = ["Store"]
