"""The stories stage with its store: ``StoryEngine`` rebuilds the stage's state from the
store and writes every decision back to it.

On first use it reads the articles of the last ``story_window_days`` (by the newest
article's date, not the wall clock, so old archives cluster too) with the stories they
already belong to, and clusters any article that has none yet. Before each article it
catches up with articles another process stored meanwhile, so a restart, or a CLI run
beside ``serve``, loses nothing.

    store.save_article ──> engine.process(id) ──> StoryState.cluster ──> store.apply_story_changes

Decisions are written in batches (one transaction for up to ``BATCH`` articles; each
touched story recounted once per batch): measured in bench/stories.py, per-article
transactions cost nearly as much as the clustering itself. A queued decision is written
when ``BATCH`` are queued, when the next article arrives ``FLUSH_SECONDS`` after the first
queued one, or at ``flush()`` (ingest flushes after each source's poll). A crash in
between loses nothing: articles without a story are clustered on the next start.
"""

from __future__ import annotations

import threading
import time
import weakref
from datetime import datetime, timedelta

from broadsheet.config import Settings
from broadsheet.models import StoryChange
from broadsheet.store import Store
from broadsheet.stories.state import Placed, StoryState

BATCH = 64  # decisions written per transaction at most
FLUSH_SECONDS = 1.0  # queued decisions older than this are written with the next article
SETTLE_SECONDS = 60.0  # a save commits within this of taking its id (PostgreSQL hands ids
# out before the commit): the to-do check's floor trails the ids seen by this much


class StoryEngine:
    """The stage with its store: rebuilt from it, writing every decision to it."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.state = StoryState(settings)
        self.lock = threading.RLock()
        self.high_water = 0  # the highest article id seen
        self.ready = False
        # the to-do check (``unplaced``) starts past ``floor``: every article up to it is in
        # a story, or dated before ``window_from`` (the window read at start), which this
        # engine never places. ``marks``: (monotonic time, high water) of recent checks.
        self.floor = 0
        self.window_from: datetime | None = None
        self.marks: list[tuple[float, int]] = []
        self.pending: list[StoryChange] = []  # decisions not yet written
        self.since = 0.0  # when the oldest of them was made (monotonic)

    def process(self, article_id: int, wait: bool = True) -> Placed | None:
        """Cluster every stored article up to ``article_id``; where that one went.

        With ``wait=False`` the decisions may stay queued (written in batches of
        ``BATCH``, or after ``FLUSH_SECONDS``, or at :meth:`flush`) and None is returned:
        ingest does that, and flushes after each source's poll."""
        with self.lock:
            self.catch_up(article_id)
            if not wait:
                if len(self.pending) >= BATCH or time.monotonic() - self.since >= FLUSH_SECONDS:
                    self.flush()
                return None
            self.flush()
            return self.placed(article_id)

    def flush(self) -> None:
        """Write the queued decisions in one transaction; learn the new stories' ids."""
        with self.lock:
            if not self.pending:
                return
            changes, self.pending = self.pending, []
            self.state.renamed(self.store.apply_story_changes(changes))

    def catch_up(self, upto: int | None = None) -> int:
        """Read (and cluster where needed) the articles stored since the last call, up to
        ``upto``: ingest understands articles concurrently, and a later article is
        clustered by its own call, once its entities are stored."""
        with self.lock:
            oldest = None
            if not self.ready:
                oldest = self.window_start()
                self.window_from = oldest
                self.ready = True
            done = 0
            for row in self.store.articles_for_clustering(self.high_water, oldest, upto):
                if oldest is not None and not done:  # the window's first article: none
                    self.floor = row["id"] - 1  # below it is dated in the window
                self.high_water = max(self.high_water, row["id"])
                if row["story_id"] is None:
                    if not self.pending:
                        self.since = time.monotonic()
                    self.pending.append(self.state.cluster(row, self.store.story_of_article))
                    if len(self.pending) >= BATCH:
                        self.flush()
                else:
                    self.state.remember(row)
                done += 1
            return done

    def window_start(self) -> datetime | None:
        """Where the window read at start begins: the newest article's date less the
        window (the newest, not the clock, so old archives cluster too)."""
        newest = self.store.latest_articles(1)
        return newest[0].shown_at - timedelta(seconds=self.state.window) if newest else None

    def unplaced(self, after_id: int = 0, first: bool = False) -> int | None:
        """The first article after ``after_id`` in no story yet that this engine places
        (or a rebuilt one, for an article below its high water), or None: the to-do check
        of the placement job and of the housekeeping. Its cost follows the window, not the
        store: before the engine is built, any one of the articles dated in the window
        (the first only if ``first``: in id order the database walks the ids up to the
        window, which the engine's first read does too, once per process); after, the
        first past ``floor``, which follows the placed articles ``SETTLE_SECONDS`` behind
        (a save slower than that to commit, below the floor, is found by the next
        engine)."""
        with self.lock:
            if not self.ready:
                since = self.window_start()
                if since is None:
                    return None  # no article at all
                return self.store.first_unplaced_article(after_id, since, first=first)
            first = self.store.first_unplaced_article(
                max(after_id, self.floor), self.window_from, self.high_water
            )
            now = time.monotonic()
            settled = [top for at, top in self.marks if now - at >= SETTLE_SECONDS]
            if settled and after_id <= self.floor:  # the check covered all past the floor
                top = max(settled)  # every id up to it is committed by now
                self.floor = max(self.floor, top if first is None else min(top, first - 1))
            self.marks = [m for m in self.marks if now - m[0] < SETTLE_SECONDS]
            self.marks.append((now, self.high_water))
            return first

    def placed(self, article_id: int) -> Placed | None:
        root = self.state.root_of.get(article_id)
        story = self.state.story_of(article_id)
        if story is None:
            story = self.store.story_of_article(article_id)
        return None if story is None else Placed(article_id, story, root)


_engines: weakref.WeakKeyDictionary[Store, StoryEngine] = weakref.WeakKeyDictionary()
_engines_lock = threading.Lock()


def engine_for(store: Store, settings: Settings) -> StoryEngine:
    """The one engine of an open store (its state lives as long as the store object)."""
    with _engines_lock:
        engine = _engines.get(store)
        if engine is None:
            engine = _engines[store] = StoryEngine(store, settings)
        return engine


def cluster_stored(
    store: Store, settings: Settings, article_id: int, wait: bool = True
) -> Placed | None:
    """The pipeline's stories stage for one stored article (see ``StoryEngine.process``)."""
    return engine_for(store, settings).process(article_id, wait)


def flush_stories(store: Store, settings: Settings) -> None:
    """Write the stories stage's queued decisions for this store."""
    engine_for(store, settings).flush()


def place_unplaced(store: Store, settings: Settings, understood_only: bool = False) -> int:
    """Place every stored article that is in no story yet; the articles read.

    Procrastinate's story task (jobs/queue.py) calls it, one at a time across all workers
    (a Procrastinate lock), so this process's engine learns what other processes placed
    (``catch_up`` remembers their decisions) before it decides anything. An article
    committed after this engine read past its id (PostgreSQL hands out ids before the
    commit) would be skipped by ``catch_up``: then the engine is rebuilt from the store.
    ``understood_only``: stop before the first article still waiting for its
    understanding (entities are a signal), which a later run places.
    """
    engine = engine_for(store, settings)
    with engine.lock:
        first = engine.unplaced(first=understood_only)  # the first: ``upto`` follows it
        if first is None:
            return 0
        if engine.ready and first <= engine.high_water:
            with _engines_lock:
                engine = _engines[store] = StoryEngine(store, settings)
        upto = None
        if understood_only:
            waiting = store.articles_without_understanding(first - 1, 1)
            upto = waiting[0][0] - 1 if waiting else None
            if upto is not None and upto < first:
                return 0
        read = engine.catch_up(upto)
        engine.flush()
        return read
