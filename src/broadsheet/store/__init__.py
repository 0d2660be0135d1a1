"""The store: the one package that talks to the database.

``Store`` is a thin facade: it owns the engine and the single-writer lock, and delegates to
one module per entity (``sources``, ``articles``) and to ``search``. Nobody else writes SQL.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

from broadsheet.config import Settings
from broadsheet.errors import StoreError, StoreUnavailable
from broadsheet.models import (
    Article,
    ArticleTeaser,
    CleanBody,
    Cursor,
    OutletLayout,
    Page,
    Skipped,
    Source,
    StoredArticle,
    StoredBody,
    Story,
    StoryChange,
    StoryMember,
)
from broadsheet.store import (
    articles,
    bulk,
    coordination,
    daily,
    furniture,
    layout,
    migrate,
    search,
    sources,
    story_pages,
    understanding,
    upsert,
)
from broadsheet.store import stories as story_queries
from broadsheet.store.app_passwords import CredentialQueries
from broadsheet.store.engine import is_sqlite, make_engine
from broadsheet.store.furniture import OutletFurniture
from broadsheet.store.ops import OpsQueries
from broadsheet.store.readers_more import MoreReaderQueries
from broadsheet.store.schema import meta
from broadsheet.store.sync_marks import SyncQueries
from broadsheet.store.webhooks import WebhookQueries

ANALYSIS_ROWS = 1000  # rows of each index ANALYZE samples on SQLite


def _now() -> datetime:
    return datetime.now(UTC)


def _first_cause(exc: SQLAlchemyError) -> object:
    """The database's first complaint: on a full disk SQLite may roll the transaction
    back itself, and the savepoint's rollback then fails ("no such savepoint"), hiding
    the "database or disk is full" that caused it."""
    first: BaseException = exc
    seen, hops = exc.__context__, 0
    while seen is not None and hops < 10:  # SQLAlchemy error -> DB-API error -> ...
        if isinstance(seen, SQLAlchemyError):
            first = seen
        seen, hops = seen.__context__, hops + 1
    return getattr(first, "orig", None) or first


# readers' methods (issues 11, 12) in store/readers.py and readers_more.py; credentials and
# sync (issue 13) in store/app_passwords.py, sync.py, webhooks.py
def _failure(doing: str, exc: SQLAlchemyError) -> StoreError:
    """The StoreError for ``exc``: StoreUnavailable when the connection itself was lost."""
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    kind = StoreUnavailable if lost else StoreError
    return kind(f"database {doing} failed: {_first_cause(exc)}")


class Store(MoreReaderQueries, CredentialQueries, SyncQueries, WebhookQueries, OpsQueries):
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._write_lock = threading.RLock()
        self._together = threading.local()  # the connection of reading_together, per thread
        self._pid = 0
        self._owner = ""
        self._polling: set[int] = set()  # sources whose lease this process's polls hold
        self._polling_lock = threading.Lock()

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
    def _connect(self, doing: str) -> Connection:
        """A connection, or a StoreError when the database cannot be reached (a PostgreSQL
        restart): callers that go on after a StoreError (the worker) go on after this."""
        try:
            return self.engine.connect()
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"database {doing} failed: {_first_cause(exc)}") from exc

    @contextmanager
    def reader(self) -> Iterator[Connection]:
        """A connection to read with; a connection lost on the way is a StoreError. Inside
        :meth:`reading_together` on this thread, the one connection shared by its reads."""
        shared = getattr(self._together, "conn", None)
        if shared is not None:
            try:
                yield shared
            except (OperationalError, InterfaceError) as exc:
                raise _failure("read", exc) from exc
            return
        with self._connect("read") as conn:
            try:
                yield conn
            except (OperationalError, InterfaceError) as exc:
                raise _failure("read", exc) from exc

    @contextmanager
    def reading_together(self) -> Iterator[None]:
        """Every read this thread makes inside the block (through :meth:`reader`) on one
        connection, in one read transaction: a page of many small reads (the article
        page's story, coverage, related stories, understanding...) checks out one
        connection and begins one transaction instead of one per read, and sees one
        snapshot. Writes still take their own connection (:meth:`writer`); nested blocks
        share the outer one."""
        if getattr(self._together, "conn", None) is not None:
            yield
            return
        with self._connect("read") as conn:
            self._together.conn = conn
            try:
                yield
            finally:
                self._together.conn = None

    @contextmanager
    def writer(self) -> Iterator[Connection]:
        """One writer at a time (SQLite); the transaction commits on success."""
        with self._write_lock, self._connect("write") as conn:
            conn.info["writer"] = True
            try:
                with conn.begin():
                    yield conn
            except IntegrityError:
                raise
            except SQLAlchemyError as exc:
                raise _failure("write", exc) from exc
            finally:
                # a connection the server dropped would reconnect to read its info
                with suppress(SQLAlchemyError):
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

    def list_sources(self, counts: bool = True) -> list[Source]:
        """Every source by name; without ``counts`` their articles are not counted
        (sources.list_all): for readers' pages and the sync APIs."""
        with self.reader() as conn:
            return sources.list_all(conn, counts)

    def failed_jobs(self) -> int | None:
        """Jobs that failed for good on PostgreSQL's job queue; None on SQLite."""
        with self.reader() as conn:
            return coordination.failed_jobs(conn)

    def articles_since(self, since: datetime) -> dict[int, int]:
        """source id -> articles dated since ``since`` (the admin's articles per day)."""
        with self.reader() as conn:
            return sources.dated_since(conn, since)

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

    def source_name(self, source_id: int) -> str | None:
        """A source's name, without counting its articles (for pages)."""
        with self.reader() as conn:
            return sources.name_of(conn, source_id)

    def source_country(self, source_id: int) -> str | None:
        """A source's country (ISO code), without counting its articles (for pages)."""
        with self.reader() as conn:
            return sources.country_of(conn, source_id)

    def outlet_of(self, source_id: int) -> tuple[str | None, str | None, str | None]:
        """(site URL, country, language) of a source, without counting its articles (the
        API's article endpoint: ``get_source`` counts them, a cost growing with the store)."""
        with self.reader() as conn:
            return sources.outlet_of(conn, source_id)

    def enabled_outlets(self, ids: list[int] | None = None) -> list[tuple[int, str]]:
        """(id, name) of the enabled sources (of ``ids`` only, when given), without counting
        their articles."""
        with self.reader() as conn:
            return sources.enabled_outlets(conn, ids)

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
                result = Skipped("stored_concurrently")
            if entry_key is not None:
                article_id = result if isinstance(result, int) else None
                outcome = "stored" if article_id else result.reason  # type: ignore[union-attr]
                articles.mark_seen(conn, source_id, entry_key, article_id, outcome, fetched_at)
        return result

    def save_articles(self, items: list[tuple[int, Article, datetime]]) -> list[int | Skipped]:
        """Save (source id, article, fetched at) items in one transaction, in order; a
        later item that repeats an earlier one is skipped like any duplicate."""
        out: list[int | Skipped] = []
        with self.writer() as conn:
            for source_id, article, fetched_at in items:
                try:
                    with conn.begin_nested():
                        out.append(articles.save(conn, source_id, article, fetched_at, None))
                except IntegrityError:
                    out.append(Skipped("stored_concurrently"))
        return out

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
        """The kept count of stored articles (no scan)."""
        with self.reader() as conn:
            return articles.count(conn)

    # --- lists for pages: teasers, keyset pages (issue 10) -------------------------------
    def latest_page(
        self, limit: int, before: Cursor | None = None, after: Cursor | None = None
    ) -> Page[ArticleTeaser]:
        with self.reader() as conn:
            return articles.latest_page(conn, limit, before, after)

    def source_page(
        self, source_id: int, limit: int, before: Cursor | None = None, after: Cursor | None = None
    ) -> Page[ArticleTeaser]:
        with self.reader() as conn:
            return articles.source_page(conn, source_id, limit, before, after)

    def listing_page(
        self,
        kind: str,
        key: str,
        limit: int,
        before: Cursor | None = None,
        after: Cursor | None = None,
    ) -> Page[ArticleTeaser]:
        """Latest articles naming an entity / about a country / in a topic
        (``kind``: entity, country, topic)."""
        with self.reader() as conn:
            return understanding.listing_page(conn, kind, key, limit, before, after)

    def place_page(
        self,
        country: str,
        limit: int,
        before: Cursor | None = None,
        after: Cursor | None = None,
    ) -> Page[ArticleTeaser]:
        """Latest articles about a country or from its outlets (one ``ISO`` code)."""
        with self.reader() as conn:
            return understanding.place_page(conn, country.upper(), limit, before, after)

    def article_teasers(self, ids: list[int]) -> dict[int, ArticleTeaser]:
        with self.reader() as conn:
            return articles.teasers(conn, ids)

    def article_texts(self, ids: list[int]) -> dict[int, tuple[str, str]]:
        with self.reader() as conn:
            return articles.texts(conn, ids)

    def optimize(self) -> None:
        """Refresh the planner's statistics: ``PRAGMA optimize`` on SQLite (it analyses
        only the tables whose size changed enough, each from a bounded sample of rows, so
        it stays short under the write lock at any size), ``ANALYZE`` elsewhere. For the
        worker to run from time to time (say hourly, and after a large import)."""
        with self.writer() as conn:
            if is_sqlite(self.engine):
                conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_ROWS}")
                conn.exec_driver_sql("PRAGMA optimize=0x10002")  # every table, not only used
            else:
                conn.exec_driver_sql("ANALYZE")

    def trim_recent_search(self) -> int:
        """Trim the search's recent index (store/search.py ``trim_recent``: SQLite's FTS5
        index, PostgreSQL's table of documents) back to its size, one batch a transaction
        (~0.4 s of SQLite's write lock a batch of 2,000; built again in one, ~7 s, when it
        holds more than twice its size, after a bulk import), then on SQLite a few bounded
        merge steps (``merge_recent``, ~0.1 s each) if it trimmed, and on PostgreSQL the
        missing tier indexes (:meth:`ensure_search_tiers`); how many articles left it. For
        the worker's housekeeping and after bulk imports."""
        trimmed = 0
        while True:
            with self.writer() as conn:
                done = search.trim_recent(conn)
            trimmed += done
            if done != search.RECENT_TRIM_BATCH:  # fewer: done; more: built again
                break
        for _step in range(search.RECENT_MERGE_STEPS if trimmed else 0):
            with self.writer() as conn:
                if not search.merge_recent(conn):
                    break
        if not is_sqlite(self.engine):
            self.ensure_search_tiers()
        return trimmed

    def ensure_search_tiers(self) -> int:
        """PostgreSQL: build the whole search index's missing tier indexes (store/search.py
        ``ensure_tiers``), each CONCURRENTLY on a connection of its own in autocommit;
        how many were built. Part of :meth:`trim_recent_search`."""
        try:
            with self._connect("index") as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                return search.ensure_tiers(conn)
        except SQLAlchemyError as exc:
            raise _failure("index", exc) from exc

    def iter_articles(self) -> Iterator[StoredArticle]:
        with self.reader() as conn:
            yield from articles.iter_all(conn)

    def search_article_ids(self, words: str, limit: int = 50) -> list[int]:
        with self.reader() as conn:
            return search.search_ids(conn, words, limit)

    def search_beginnings_may_help(self, query: search.ParsedQuery) -> bool:
        """See ``store.search.beginnings_may_help``."""
        with self.reader() as conn:
            return search.beginnings_may_help(conn, query)

    def search(
        self,
        query: search.ParsedQuery,
        filters: search.SearchFilters,
        limit: int = 20,
        offset: int = 0,
        outlets: bool = False,
    ) -> search.SearchResults:
        """Ranked, story-grouped results (see store/search.py); with ``outlets`` the
        outlets of the matches too."""
        with self.reader() as conn:
            return search.search(conn, query, filters, _now(), limit, offset, outlets)

    # --- the Daily 8 (issue 12; queries in store/daily.py) ---------------------------------
    def daily_candidates(
        self, start: datetime, end: datetime
    ) -> tuple[list[Story], dict[int, str]]:
        """Stories first reported in [start, end) with members, and their leads' topics."""
        with self.reader() as conn:
            found = daily.stories_of_day(conn, start, end)
            leads = [s.lead_article_id for s in found if s.lead_article_id]
            return found, daily.main_topics(conn, leads)

    def stories_naming(self, country: str, story_ids: list[int]) -> set[int]:
        """The ids among ``story_ids`` of the stories one of whose reports names
        ``country`` in its text (one statement per 500 stories)."""
        if not story_ids:
            return set()
        with self.reader() as conn:
            return daily.stories_naming(conn, country.upper(), story_ids)

    def daily_edition(self, day: str, edition: str) -> dict[str, Any] | None:
        with self.reader() as conn:
            return daily.get_edition(conn, day, edition)

    def save_daily_edition(
        self, day: str, edition: str, items: list[dict[str, Any]], final: bool
    ) -> None:
        with self.writer() as conn:
            daily.save_edition(conn, day, edition, items, final, _now())

    def recent_daily_editions(self, edition: str, limit: int = 30) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return daily.recent_editions(conn, edition, limit)

    # --- understanding (issue 5; queries in store/understanding.py) ---------------------
    def save_understanding(
        self, article_id: int, values: dict[str, Any], versions: dict[str, str]
    ) -> list[str]:
        """Store features whose version changed (idempotent); the names written."""
        with self.writer() as conn:
            return understanding.save(conn, article_id, values, versions, _now())

    def save_understandings(
        self, results: list[tuple[int, dict[str, Any], dict[str, str]]]
    ) -> None:
        """Several articles' features (id, values, versions) in one transaction."""
        if results:
            with self.writer() as conn:
                for article_id, values, versions in results:
                    understanding.save(conn, article_id, values, versions, _now())

    def articles_without_understanding(
        self, after_id: int, limit: int
    ) -> list[tuple[int, str, str, str | None]]:
        """(id, title, text, language) of articles with no features yet, in id order."""
        with self.reader() as conn:
            return understanding.not_understood(conn, after_id, limit)

    def understanding_versions(self, article_id: int) -> dict[str, str]:
        with self.reader() as conn:
            return understanding.versions(conn, article_id)

    def get_understanding(self, article_id: int) -> dict[str, Any]:
        with self.reader() as conn:
            return understanding.features(conn, article_id)

    def understood_article_ids(self, kind: str, key: str, limit: int = 50) -> list[int]:
        """Latest article ids naming an entity / about a country / in a topic."""
        with self.reader() as conn:
            return understanding.listed_ids(conn, kind, key, limit)

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
    def furniture_fingerprints(self, outlet: str) -> frozenset[str]:
        """The outlet's learned furniture (none when its kill switch is off)."""
        with self.reader() as conn:
            return furniture.active_fingerprints(conn, outlet)

    def learn_furniture(
        self, outlet: str, seen: dict[str, str], is_learned: Callable[[int, int], bool]
    ) -> int:
        """Count one more page of the outlet with these blocks; blocks newly learned."""
        with self.writer() as conn:
            return furniture.learn(conn, outlet, seen, _now(), is_learned)

    def record_extraction(self, article_id: int, outlet: str, article: Article) -> None:
        """The outlet, modified date and pre-furniture body of a stored article."""
        with self.writer() as conn:
            furniture.record_article(conn, article_id, outlet, article)

    def furniture_bodies(
        self,
        outlet: str,
        after_id: int,
        limit: int,
        article_id: int | None = None,
        ids: list[int] | None = None,
    ) -> list[StoredBody]:
        """The outlet's articles after ``after_id`` (or one, or ``ids``), for re-cleaning."""
        with self.reader() as conn:
            return furniture.bodies(conn, outlet, after_id, limit, article_id, ids)

    def save_cleaned(self, cleaned: list[tuple[int, CleanBody, str | None]]) -> None:
        """Re-cleaned bodies, in one transaction."""
        if cleaned:
            with self.writer() as conn:
                furniture.save_cleaned(conn, cleaned)

    def set_furniture_enabled(self, outlet: str, enabled: bool) -> bool:
        """The per-outlet kill switch; False when the outlet is unknown (the orchestrator
        re-cleans or restores its articles)."""
        with self.writer() as conn:
            return furniture.set_enabled(conn, outlet, enabled, _now())

    # --- outlet layout (issue 15; queries in store/layout.py) -------------------------
    def outlet_layout(self, outlet: str) -> OutletLayout:
        """What the store keeps of the outlet's layout (empty when nothing learned)."""
        with self.reader() as conn:
            return layout.read(conn, outlet)

    def save_layout(
        self,
        outlet: str,
        *,
        dmy_add: int = 0,
        mdy_add: int = 0,
        boundaries: frozenset[str] | None = None,
        learned_at_page: int | None = None,
    ) -> None:
        """Count pages of date-order evidence; store boundaries learned (None: unchanged)."""
        with self.writer() as conn:
            layout.save(conn, outlet, dmy_add=dmy_add, mdy_add=mdy_add, boundaries=boundaries,
                        learned_at_page=learned_at_page, now=_now())  # fmt: skip

    def recent_outlet_articles(self, outlet: str, limit: int) -> list[tuple[str, str, str]]:
        """(url, headline, start of text) of the outlet's newest stored articles."""
        with self.reader() as conn:
            return layout.recent_articles(conn, outlet, limit)

    def recent_outlet_bodies(self, outlet: str, limit: int) -> list[tuple[str, str, str]]:
        """(url, headline, body html before learned rules) of the outlet's newest pages."""
        with self.reader() as conn:
            return layout.recent_bodies(conn, outlet, limit)

    def articles_showing(self, ids: list[int], titles: set[str]) -> list[int]:
        """Those of ``ids`` whose stored body (before site rules) shows one of ``titles``
        other than their own: a cheap test before re-cleaning for teasers."""
        with self.reader() as conn:
            return layout.articles_showing(conn, ids, titles)

    def learned_fingerprints(self, outlet: str) -> frozenset[str]:
        """The outlet's learned furniture, kill switch or not."""
        with self.reader() as conn:
            return furniture.learned_fingerprints(conn, outlet)

    def save_dates(self, dates: list[tuple[int, datetime, datetime]]) -> None:
        """Corrected (article id, published, sort date), in one transaction."""
        if dates:
            with self.writer() as conn:
                layout.save_dates(conn, dates)

    def outlet_furniture(self, outlet: str) -> OutletFurniture | None:
        with self.reader() as conn:
            return furniture.describe(conn, outlet)

    def list_outlet_furniture(self) -> list[OutletFurniture]:
        with self.reader() as conn:
            return furniture.list_outlets(conn)

    # --- stories (issue 4; queries in store/stories.py) ---------------------------------
    def apply_story_changes(self, changes: list[StoryChange]) -> dict[int, int]:
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

    def stories_page(
        self, limit: int, before: Cursor | None = None, after: Cursor | None = None
    ) -> Page[Story]:
        with self.reader() as conn:
            return story_pages.latest_page(conn, limit, before, after)

    def stories_by_ids(self, story_ids: list[int]) -> list[Story]:
        with self.reader() as conn:
            return story_pages.by_ids(conn, story_ids)

    def story_member_page(
        self, story_id: int, limit: int, before: Cursor | None = None, after: Cursor | None = None
    ) -> Page[StoryMember]:
        with self.reader() as conn:
            return story_pages.member_page(conn, story_id, limit, before, after)

    def story_digest(self, story_id: int) -> tuple[str, datetime, str, datetime] | None:
        with self.reader() as conn:
            return story_pages.digest(conn, story_id)

    def story_digest_stamp(self, story_id: int) -> tuple[str, datetime, datetime] | None:
        with self.reader() as conn:
            return story_pages.digest_stamp(conn, story_id)

    def save_story_digests(self, rows: list[dict[str, Any]]) -> None:
        with self.writer() as conn:
            story_pages.save_digests(conn, rows)

    def stories_needing_digest(
        self, since: datetime, version: str, min_articles: int = 2, limit: int = 1000
    ) -> list[int]:
        with self.reader() as conn:
            return story_pages.updated_since(conn, since, min_articles, limit, version)

    def count_stories(self) -> int:
        with self.reader() as conn:
            return story_queries.count(conn)

    def related_story_ids(self, story_id: int, limit: int = 20) -> list[tuple[int, float]]:
        with self.reader() as conn:
            return story_queries.related(conn, story_id, limit)

    def story_events(self, story_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return story_queries.events(conn, story_id)

    def first_unplaced_article(
        self,
        after_id: int = 0,
        since: datetime | None = None,
        seen: int | None = None,
        first: bool = True,
    ) -> int | None:
        """The first article after ``after_id`` in no story yet (the stories' to-do); with
        ``since``, dated from then on or with an id above ``seen`` (with ``since`` alone
        and not ``first``: any one such)."""
        with self.reader() as conn:
            return story_queries.first_unplaced(conn, after_id, since, seen, first)

    def last_article_id(self) -> int:
        """The highest article id stored (0 when none): one read of the primary key."""
        with self.reader() as conn:
            return story_queries.last_article_id(conn)

    def articles_for_clustering(
        self, after_id: int, oldest: datetime | None, upto: int | None = None
    ) -> Iterator[dict[str, Any]]:
        with self.reader() as conn:
            yield from story_queries.for_clustering(conn, after_id, oldest, upto)

    # --- bulk loading (imports, the web benchmark; queries in store/bulk.py) -----------
    def bulk_insert(self, batch: list[bulk.Loaded]) -> tuple[list[int], dict[int, int]]:
        """Store understood, clustered articles in one transaction; their ids and the
        permanent id of every provisional story."""
        with self.writer() as conn:
            return bulk.insert_batch(conn, batch, _now())

    def sample_keys(self, count: int, seed: int = 0) -> bulk.Sample:
        """Random articles and what a reader can click from them (stories, outlets...)."""
        with self.reader() as conn:
            return bulk.sample(conn, count, seed)

    # --- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        with self.reader() as conn:
            return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()

    def worker_beats(self) -> dict[str, dict[str, Any]]:
        """Every worker's last heartbeat by meta key: the single worker's (``worker``) and
        each queue worker's (``worker:<host>:<pid>``); unreadable ones left out."""
        with self.reader() as conn:
            rows = conn.execute(
                select(meta.c.key, meta.c.value).where(
                    (meta.c.key == "worker") | meta.c.key.startswith("worker:", autoescape=True)
                )
            )
            found = {}
            for key, raw in rows:
                try:
                    beat = json.loads(raw) if raw else None
                except ValueError:
                    continue
                if isinstance(beat, dict) and isinstance(beat.get("at"), int | float):
                    found[key] = beat
            return found

    def delete_meta(self, key: str) -> None:
        with self.writer() as conn:
            conn.execute(meta.delete().where(meta.c.key == key))

    def set_meta(self, key: str, value: str) -> None:
        with self.writer() as conn:  # one upsert: workers on PostgreSQL beat at once
            conn.execute(
                upsert.insert(conn, meta)
                .values(key=key, value=value)
                .on_conflict_do_update(index_elements=[meta.c.key], set_={"value": value})
            )

    def schema_revision(self) -> dict[str, Any]:
        """Where the database's schema is and where the migrations lead (for /readyz)."""
        at, head = migrate.current(self.engine), migrate.head()
        return {"revision": at, "head": head, "current": at == head}

    # --- several processes, one database (issue 10; queries in store/coordination.py) ----
    @property
    def process_id(self) -> str:
        """Who this process is in leases: host, pid and a token unique to this store."""
        if self._pid != os.getpid():  # recomputed in a child process
            self._pid = os.getpid()
            self._owner = f"{socket.gethostname()[:40]}:{self._pid}:{uuid.uuid4().hex[:8]}"
        return self._owner

    def claim_source(self, source: Source, until: datetime) -> bool:
        """The source's poll lease, if free and nobody polled it since ``source`` was read."""
        with self.writer() as conn:
            claimed = coordination.claim_source(
                conn, source.id, self.process_id, source.next_poll_at, _now(), until
            )
        if claimed:
            with self._polling_lock:
                self._polling.add(source.id)
        return claimed

    def release_source(self, source_id: int) -> None:
        """Give the lease back. The poll is over even if the write fails (the database
        unreachable): the lease is no longer renewed and lapses by itself."""
        with self._polling_lock:
            self._polling.discard(source_id)
        with self.writer() as conn:
            coordination.release_source(conn, source_id, self.process_id)

    def renew_source_leases(self, until: datetime) -> int:
        """Extend the leases of this process's polls in flight (the heartbeat). Only
        theirs: a lease a finished poll could not give back (PostgreSQL restarting for
        longer than the lease) was renewed by every beat after the database came back,
        so its source was never polled again."""
        with self._polling_lock:
            polling = sorted(self._polling)
        if not polling:
            return 0
        with self.writer() as conn:
            return coordination.renew_sources(conn, self.process_id, until, polling)

    def claim_host_turn(
        self, origin: str, slots: int, gap: float, hold: float
    ) -> tuple[int | None, float]:
        """A request slot for ``origin`` now, or how long to wait (politeness shared by
        every process on this database)."""
        with self.writer() as conn:
            return coordination.claim_turn(
                conn, origin, slots, gap, self.process_id, time.time(), hold
            )

    def release_host_slot(self, origin: str, slot: int) -> None:
        with self.writer() as conn:
            coordination.release_slot(conn, origin, slot, self.process_id)

    def claim_lease(self, name: str, ttl: float) -> bool:
        with self.writer() as conn:
            return coordination.claim_lease(conn, name, self.process_id, time.time(), ttl)

    def release_lease(self, name: str) -> None:
        with self.writer() as conn:
            coordination.release_lease(conn, name, self.process_id)

    def lease_holder(self, name: str) -> str | None:
        with self.reader() as conn:
            return coordination.lease_holder(conn, name, time.time())

    def failed_entries(self, source_id: int, keys: list[str]) -> dict[str, datetime]:
        """Feed entries among ``keys`` that failed before, with when to retry each."""
        with self.reader() as conn:
            return coordination.failed(conn, source_id, keys)

    def record_entry_failure(
        self, source_id: int, key: str, url: str, reason: str, retry_after: float, cap: float
    ) -> int:
        """One more failure of a feed entry, retried after ``retry_after`` s doubling with
        every failure up to ``cap``; the number of failures so far."""
        with self.writer() as conn:
            return coordination.record_failure(
                conn, source_id, key, url, reason, _now(), retry_after, cap
            )

    def clear_entry_failure(self, source_id: int, key: str) -> None:
        with self.writer() as conn:
            coordination.clear_failure(conn, source_id, key)

    def integrity_ok(self) -> bool:
        if not is_sqlite(self.engine):
            return True
        with self.reader() as conn:
            return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


__all__ = ["Store"]
