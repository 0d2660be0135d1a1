"""The orchestrator: the stages in order, as in DESIGN.md's diagram.

    source ──> fetch feed ──> parse ──> new entries ──> fetch page ──> extract ──> store
      ──> (orchestrate.steps) learn furniture ──> understand ──> place in a story

Only this module and ``broadsheet.orchestrate`` wire stages together; ``Steps`` owns the
order after extraction (and ``import`` and ``cluster`` go through it too). Each stage is
a plain function (``parse_feed``, ``extract``, ``schedule.after_success``...); the
fetcher is the only network I/O and the store the only database I/O. A source's failure
is recorded on its row and in the report; it never stops the other sources.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from broadsheet.config import Settings
from broadsheet.errors import (
    BroadsheetError,
    ExtractError,
    FetchError,
    ParseError,
    StoreError,
    StoreUnavailable,
    failure_reason,
)
from broadsheet.extract import canonical_url, extract_from_entry, timed_extract
from broadsheet.extract.learn import outlet_key
from broadsheet.ingest.feeds import parse_feed
from broadsheet.ingest.fetch import Fetcher
from broadsheet.ingest.icons import icon_urls, sniff_image
from broadsheet.jobs import schedule
from broadsheet.jobs.pool import WorkerPool
from broadsheet.jobs.turns import StoreTurns
from broadsheet.models import Article, FeedEntry, FetchResult, ParsedFeed, Skipped, Source
from broadsheet.orchestrate.furniture import furniture_filter
from broadsheet.orchestrate.site import SiteKnowledge
from broadsheet.orchestrate.steps import Steps
from broadsheet.store import Store

log = logging.getLogger("broadsheet.pipeline")

MAX_CHILD_SITEMAPS = 5
ICON_RECHECK = timedelta(days=7)

Progress = Callable[[str, int], None]


@dataclass
class IngestReport:
    sources_polled: int = 0
    new_articles: int = 0
    duplicates: int = 0
    not_modified: int = 0
    fallbacks: int = 0  # articles whose body came from the feed, not the page
    backing_off: int = 0  # entries skipped this time: they failed before, retried later
    leased_elsewhere: int = 0  # sources another process was polling: left to it
    backlog: set[int] = field(default_factory=set)  # sources with new entries left over
    failures: list[tuple[str, str]] = field(default_factory=list)
    # the database refused a write (full disk, read-only file...): the run cannot go on well
    store_error: str | None = None
    # seconds of work per stage, summed over concurrent tasks; waiting for a slot excluded
    stage_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    # every fetch by kind and outcome ("feed ok", "page http_4xx"…) and each page's
    # extraction time: what the worker's heartbeat keeps for /metrics
    fetches: Counter[str] = field(default_factory=Counter)
    extract_times: list[float] = field(default_factory=list)

    def fetched(self, kind: str, failure: BaseException | None = None) -> None:
        self.fetches[f"{kind} {failure_reason(str(failure)) if failure else 'ok'}"] += 1

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] += time.perf_counter() - start


def entry_key(entry: FeedEntry) -> str:
    """A stable key for a feed entry: its GUID when it has one, else its link."""
    return hashlib.sha256((entry.guid or entry.url).encode("utf-8", "replace")).hexdigest()


def entry_keys(entries: list[FeedEntry]) -> list[str]:
    """``entry_key`` of each entry, except that an entry whose GUID an earlier entry of the
    same feed already used for another link is keyed by GUID and link: a publisher that
    reuses GUIDs loses no article, and the keys stay the same from one fetch to the next."""
    keys: list[str] = []
    first_link: dict[str, str] = {}
    for entry in entries:
        key = entry_key(entry)
        if first_link.setdefault(key, entry.url) != entry.url:
            key = hashlib.sha256(
                f"{entry.guid}\n{entry.url}".encode("utf-8", "replace")
            ).hexdigest()
        keys.append(key)
    return keys


def _now() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        fetcher: Fetcher,
        pool: WorkerPool,
        place_stories: bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher
        self.pool = pool
        self.sites = SiteKnowledge(settings, store)  # issue 15: what each outlet taught
        self.steps = Steps(settings, store, pool, sites=self.sites, place_stories=place_stories)
        self._retrying: set[tuple[int, str]] = set()  # (source, entry key) retried after failing

    # --- one source ---------------------------------------------------------------------
    async def poll(self, source: Source, report: IngestReport) -> None:
        """Poll a source unless another process is polling it (or just did): the source's
        lease is held across processes for the whole poll."""
        until = _now() + timedelta(seconds=self.settings.poll_lease)
        if not await asyncio.to_thread(self.store.claim_source, source, until):
            report.leased_elsewhere += 1
            return
        try:
            await self._poll(source, report)
        finally:
            await self._release(source.id)

    async def _release(self, source_id: int) -> None:
        """Give the source's poll lease back; while the database cannot be reached (a
        PostgreSQL restart) try again, backing off, for up to the lease's length: a lease
        left with a live worker is renewed by its heartbeat and would keep the source from
        ever being polled again. A write the database refuses (a full disk) is not retried:
        the lease then lapses by itself."""
        delay, deadline = 0.5, time.monotonic() + self.settings.poll_lease
        while True:
            try:
                await asyncio.to_thread(self.store.release_source, source_id)
                return
            except StoreUnavailable:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("source %s: lease not released yet (database unreachable)", source_id)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _poll(self, source: Source, report: IngestReport) -> None:
        report.sources_polled += 1
        now = _now()
        try:
            result = await self.fetcher.get(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
            report.stage_seconds["fetch_feed"] += result.elapsed
            report.fetched("feed")
            if result.not_modified:
                report.not_modified += 1
                await asyncio.to_thread(self._succeeded, source, 0, now)
                return
            with report.timed("parse"):
                feed = await self._parse(result)
            if feed.kind == "sitemapindex":
                feed = await self._expand_index(feed, report)
        except BroadsheetError as exc:
            report.failures.append((source.name, str(exc)))
            report.fetched("feed", exc)
            fields = schedule.after_failure(source, exc, now, self.settings)
            await asyncio.to_thread(self.store.update_source, source.id, **fields)
            return
        try:
            await asyncio.to_thread(self._learn_about_source, source, feed)
            new = await self.ingest_entries(source, feed, report)
            self.flush_stories(report)
            await asyncio.to_thread(
                self._succeeded,
                source,
                new,
                now,
                etag=result.etag,
                last_modified=result.last_modified,
                backlog=source.id in report.backlog,
            )
        except StoreError as exc:  # e.g. a full disk: on the source's row if it still fits
            report.failures.append((source.name, str(exc)))
            report.store_error = str(exc)
            fields = schedule.after_failure(source, exc, now, self.settings)
            with suppress(StoreError):
                await asyncio.to_thread(self.store.update_source, source.id, **fields)
            return
        await self._ensure_icon(source, feed)

    def _succeeded(
        self,
        source: Source,
        new: int,
        now: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        backlog: bool = False,
    ) -> None:
        fields = schedule.after_success(source, new, now, self.settings, backlog=backlog)
        if backlog:  # the unchanged feed still holds entries to fetch: no 304 next time
            fields.update(etag=None, last_modified=None)
        elif etag is not None or last_modified is not None:
            fields.update(etag=etag, last_modified=last_modified)
        self.store.update_source(source.id, **fields)

    async def _expand_index(self, index: ParsedFeed, report: IngestReport) -> ParsedFeed:
        """A sitemap index: read its first few child sitemaps (one level, no cycles)."""
        merged = ParsedFeed(kind="sitemap", title=index.title, site_url=index.site_url)
        for child in index.children[:MAX_CHILD_SITEMAPS]:
            try:
                result = await self.fetcher.get(child)
                report.stage_seconds["fetch_feed"] += result.elapsed
                with report.timed("parse"):
                    parsed = await self._parse(result)
            except BroadsheetError as exc:
                merged.warnings.append(str(exc))
                continue
            merged.entries.extend(parsed.entries)
        return merged

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        """Parse off the event loop, inflating a gzip body no further than the body cap."""
        return await asyncio.to_thread(
            parse_feed,
            result.final_url,
            result.body,
            result.content_type,
            max_bytes=self.settings.max_body_bytes,
        )

    def _learn_about_source(self, source: Source, feed: ParsedFeed) -> None:
        fields: dict[str, str] = {}
        if source.name == source.url and feed.title:
            fields["name"] = feed.title[:300]
        if not source.site_url and feed.site_url:
            fields["site_url"] = feed.site_url
        if not source.language and feed.language:
            fields["language"] = feed.language[:16]
        if fields:
            self.store.update_source(source.id, **fields)
            for key, value in fields.items():
                setattr(source, key, value)

    # --- entries ------------------------------------------------------------------------
    async def ingest_entries(self, source: Source, feed: ParsedFeed, report: IngestReport) -> int:
        keys = entry_keys(feed.entries)
        seen = await asyncio.to_thread(self.store.seen_keys, source.id, keys)
        # failed before: back off
        failed = await asyncio.to_thread(self.store.failed_entries, source.id, keys)
        now = _now()
        waiting = {k for k, retry_at in failed.items() if retry_at > now}
        self._retrying.update((source.id, k) for k in failed.keys() - waiting)
        fresh: dict[str, FeedEntry] = {}
        for key, entry in zip(keys, feed.entries, strict=True):
            if key not in seen and key not in waiting and key not in fresh:
                fresh[key] = entry
        report.backing_off += len(waiting - seen)
        report.duplicates += len(feed.entries) - len(fresh) - len(waiting - seen)
        todo = list(fresh.items())[: self.settings.max_new_per_poll]
        if len(fresh) > len(todo):
            report.backlog.add(source.id)
        await asyncio.to_thread(self.sites.note_entries, [e for _, e in todo])
        results = await asyncio.gather(*(self.ingest_entry(source, e, k, report) for k, e in todo))
        # pages stored before the pages they tease, re-cleaned in the writer thread
        await self.steps.write(self.sites.reclean_new, stage="furniture", timed=report.timed)
        return sum(1 for r in results if isinstance(r, int))

    async def ingest_entry(
        self, source: Source, entry: FeedEntry, key: str, report: IngestReport
    ) -> int | Skipped:
        known = await asyncio.to_thread(self.store.article_id_for_url, canonical_url(entry.url))
        if known is not None:
            report.duplicates += 1
            skipped = Skipped("duplicate_url", known)
            await asyncio.to_thread(self.store.mark_seen, source.id, key, skipped.reason)
            return skipped
        article = await self._article_for(entry, report)
        if isinstance(article, Skipped):
            report.failures.append((entry.url, article.reason))
            await asyncio.to_thread(self._entry_failed, source, entry, key, article.reason)
            return article  # not marked seen: retried later, with back-off
        added = await self.steps.add(
            source.id, _fill_in(article, entry, source), _now(),
            guid=entry.guid, entry_key=key, timed=report.timed,
        )  # fmt: skip
        if (source.id, key) in self._retrying:  # it failed before; it is done now
            self._retrying.discard((source.id, key))
            await asyncio.to_thread(self.store.clear_entry_failure, source.id, key)
        if isinstance(added.result, Skipped):
            report.duplicates += 1
        else:
            report.new_articles += 1
        report.failures.extend((entry.url, failure) for failure in added.failures)
        return added.result

    def _entry_failed(self, source: Source, entry: FeedEntry, key: str, reason: str) -> None:
        """Count the failure; the entry backs off, and is given up after enough tries."""
        failures = self.store.record_entry_failure(
            source.id,
            key,
            entry.url,
            reason,
            self.settings.entry_retry_after,
            self.settings.entry_retry_max,
        )
        if failures >= self.settings.entry_max_failures:
            self.store.mark_seen(source.id, key, f"gave up after {failures} failures: {reason}")

    def flush_stories(self, report: IngestReport) -> None:
        """Write the stories' queued decisions, in the writer thread (not waited for)."""

        def flush() -> None:
            failed = self.steps.flush()
            if failed:
                report.failures.append(("stories", failed))

        self.steps.write_later(flush)

    async def _article_for(self, entry: FeedEntry, report: IngestReport) -> Article | Skipped:
        """The page's article; the feed's own content when the page fails or times out."""
        reason = ""
        try:
            page = await self.fetcher.get(entry.url)
            report.stage_seconds["fetch_page"] += page.elapsed
            outlet = outlet_key(page.final_url)
            furniture, site = await asyncio.to_thread(self._outlet_knowledge, outlet)
            article, seconds = await self.pool.run(
                self.settings.extract_timeout,
                timed_extract,
                page.final_url,
                page.body,
                entry=entry,
                max_bytes=self.settings.max_html_bytes,
                encoding=_charset(page.headers.get("content-type", "")),
                furniture=furniture,
                budget=max(1.0, self.settings.extract_timeout - 1.0),
                site=site,
            )
            report.stage_seconds["extract"] += seconds
            report.extract_times.append(seconds)
            report.fetched("page")
            return article
        except FetchError as exc:
            reason = str(exc)
            report.fetched("page", exc)
        except ExtractError as exc:
            reason = str(exc)
            report.fetched("page", exc)
        except TimeoutError:
            reason = f"extract {entry.url}: over the {self.settings.extract_timeout:.0f} s budget"
            report.fetched("page", TimeoutError(reason))
        try:
            article = await asyncio.to_thread(extract_from_entry, entry)
        except ExtractError:
            return Skipped("fetch_failed", detail=reason)
        report.fallbacks += 1
        return article

    def _outlet_knowledge(self, outlet: str) -> tuple[Any, Any]:
        """What extraction needs to know of an outlet (read from the store): its learned
        furniture and its site rules."""
        return furniture_filter(self.store, outlet), self.sites.rules(outlet)

    # --- icons --------------------------------------------------------------------------
    async def _ensure_icon(self, source: Source, feed: ParsedFeed) -> None:
        if source.has_icon:
            return
        checked = source.icon_checked_at
        if checked and _now() - checked < ICON_RECHECK:
            return
        await asyncio.to_thread(self.store.update_source, source.id, icon_checked_at=_now())
        site = source.site_url or feed.site_url or source.url
        try:
            home = await self.fetcher.get(site)
            candidates = icon_urls(home.final_url, home.body)
        except BroadsheetError:
            candidates = icon_urls(site, b"")
        for url in candidates[:3]:
            try:
                icon = await self.fetcher.get(url)
            except BroadsheetError:
                continue
            content_type = sniff_image(icon.body)
            if content_type:
                await asyncio.to_thread(self.store.set_icon, source.id, icon.body, content_type)
                return


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")[:40]
    return None


def _fill_in(article: Article, entry: FeedEntry, source: Source) -> Article:
    """Complete what the page did not say with what the feed said."""
    if not article.title and entry.title:
        article.title = entry.title
    if not article.title:
        article.title = article.canonical_url
    article.author = article.author or entry.author
    article.published = article.published or entry.published
    article.language = article.language or entry.language or source.language
    article.image = article.image or entry.image
    return article


# --- entry points ---------------------------------------------------------------------------
@asynccontextmanager
async def open_pipeline(
    settings: Settings, store: Store, pool: WorkerPool, place_stories: bool = True
) -> AsyncIterator[Pipeline]:
    """A pipeline for as long as the block lasts, shared by every poll in it: one fetcher
    (so ``fetch_concurrency`` bounds the requests of all polls together, and robots.txt
    answers and connections are kept), one writer thread, one view of each outlet. What
    the writer has queued is written before the block ends."""
    async with Fetcher(settings, StoreTurns(store, settings)) as fetcher:
        pipeline = Pipeline(settings, store, fetcher, pool, place_stories)
        try:
            yield pipeline
        finally:
            await pipeline.steps.close()


async def poll_source(pipeline: Pipeline, source: Source) -> IngestReport:
    """One poll of ``source`` through a shared pipeline (the worker's)."""
    report = IngestReport()
    await pipeline.poll(source, report)
    return report


async def ingest_once(
    settings: Settings,
    store: Store,
    *,
    sources: list[Source] | None = None,
    progress: Progress | None = None,
    pool: WorkerPool | None = None,
    place_stories: bool = True,
) -> IngestReport:
    """Poll every due source (or the ones given) once, concurrently.

    A long-running caller (the poller) passes its own ``pool`` so worker processes are
    started once, not every cycle. ``place_stories=False``: save and understand only
    (Procrastinate's workers place stories in a task of its own, jobs/queue.py).
    """
    report = IngestReport()
    due = sources if sources is not None else await asyncio.to_thread(store.due_sources)
    limit = asyncio.Semaphore(max(1, settings.poll_concurrency))  # requests: the fetcher's
    with ExitStack() as stack:
        if pool is None:
            pool = stack.enter_context(
                WorkerPool(settings.extract_workers, solo_workers=settings.understand_workers)
            )
        async with open_pipeline(settings, store, pool, place_stories) as pipeline:
            await repair(pipeline, report)

            async def one(source: Source) -> None:
                async with limit:
                    await pipeline.poll(source, report)
                if progress:
                    progress("source", 1)

            await asyncio.gather(*(one(s) for s in due))
    return report


async def repair(pipeline: Pipeline, report: IngestReport) -> None:
    """Finish what a killed process left undone (understanding, stories) before polling."""
    try:
        with report.timed("repair"):
            await pipeline.steps.repair()
    except Exception as exc:  # a bug here must not stop the poll; the next cycle retries
        log.exception("repair")
        report.failures.append(("repair", f"{type(exc).__name__}: {exc}"))


async def subscribe(settings: Settings, store: Store, url: str, name: str | None = None) -> Source:
    """Add a source from a feed URL, or a site URL whose feed is discovered from its page."""
    from broadsheet.ingest.discover import discover_feeds

    async with Fetcher(settings) as fetcher:
        result = await fetcher.get(url)
        try:
            feed = parse_feed(result.final_url, result.body, result.content_type)
            feed_url = url
        except ParseError as first:
            candidates = discover_feeds(result.final_url, result.body)
            if not candidates:
                raise ParseError(
                    f"{url}: not a feed, and the page links to no feed ({first})"
                ) from first
            feed_url = candidates[0]
            found = await fetcher.get(feed_url)
            feed = parse_feed(found.final_url, found.body, found.content_type)
    kind = "sitemap" if feed.kind in ("sitemap", "sitemapindex") else "feed"
    return store.add_source(
        feed_url,
        name=name or feed.title or feed_url,
        site_url=feed.site_url,
        kind=kind,
        language=(feed.language or None) and feed.language[:16],
    )
