"""The orchestrator's per-outlet knowledge for site rules (issue 15), for one ingest run.

``extract()`` is pure: what an outlet's other pages taught reaches it as plain data
(``extract(site=SiteRules(...))``). This object gathers that data for the orchestrator:

* the outlet's **known articles** (``teasers.KnownArticles``): its recent stored articles
  (headline and lead), plus the entries of the feeds polled in this run, whose pages may
  not be stored yet (headline and standfirst), so that a page teasing an article of the
  same poll is recognised even before that article is stored. Built once per outlet and
  extended as articles are stored (rebuilt from the store when it grows past twice
  ``RECENT_ARTICLES``);
* after each stored page: the outlet's layout learning (its printed date's evidence of the
  date order, boundaries learned again when due: ``orchestrate.layout.learn_layout``);
* after each poll, the articles it stored that show the headline of another article
  stored in it are re-cleaned once more with the poll's final knowledge (a page stored
  before the page it teases), in bounded batches (``orchestrate.furniture.reclean_outlet``).

Switched off with ``Settings.site_learning``: then no rules are passed and nothing is
learned beyond the outlet's furniture (issue 3), which is what the benchmark's "before"
measures.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from broadsheet.config import Settings
from broadsheet.extract.blocks import fragment_blocks
from broadsheet.extract.learn import outlet_key
from broadsheet.extract.site import SiteRules
from broadsheet.extract.teasers import MIN_TITLE_CHARS, RECENT_ARTICLES, KnownArticles
from broadsheet.models import Article, FeedEntry
from broadsheet.orchestrate.furniture import reclean_outlet
from broadsheet.orchestrate.layout import learn_layout, site_rules
from broadsheet.store import Store

STANDFIRST_CHARS = 2000


class SiteKnowledge:
    def __init__(self, settings: Settings, store: Store) -> None:
        self.enabled = settings.site_learning
        self.store = store
        self._known: dict[str, KnownArticles] = {}
        self._entries: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
        self._new: dict[str, list[int]] = defaultdict(list)
        self._new_titles: dict[str, set[str]] = defaultdict(set)
        # the event loop (entries, rules for extract) and the writer thread (learning,
        # re-cleaning) both use the caches
        self._lock = threading.RLock()

    def note_entries(self, entries: list[FeedEntry]) -> None:
        """The entries of a poll: their headlines and standfirsts are known from now on."""
        if not self.enabled:
            return
        for entry in entries:
            outlet = outlet_key(entry.url)
            raw = entry.summary or entry.content or ""
            text = " ".join(b.text for b in fragment_blocks(raw[:STANDFIRST_CHARS]))
            with self._lock:
                entries = self._entries[outlet]
                entries.pop(entry.url, None)  # noted again: the newest
                entries[entry.url] = (entry.url, entry.title or "", text)
                while len(entries) > RECENT_ARTICLES:  # a worker keeps this for days
                    del entries[next(iter(entries))]
                self._known.pop(outlet, None)

    def known(self, outlet: str) -> KnownArticles:
        with self._lock:
            known = self._known.get(outlet)
            if known is None:
                stored = self.store.recent_outlet_articles(outlet, RECENT_ARTICLES)
                urls = {url for url, _, _ in stored}
                fresh = [e for url, e in self._entries[outlet].items() if url not in urls]
                known = self._known[outlet] = KnownArticles.build(stored + fresh)
            return known

    def rules(self, outlet: str) -> SiteRules | None:
        """What ``extract(site=...)`` and a re-clean get for a page of ``outlet``."""
        if not self.enabled or not outlet:
            return None
        return site_rules(self.store, outlet, self.known(outlet))

    def learn(
        self, outlet: str, article_id: int, article: Article, furniture_changed: bool
    ) -> bool:
        """A page of the outlet was stored: it is known from now on, and the outlet's
        layout learns from it. True when its stored articles should be re-cleaned."""
        if not self.enabled or not outlet:
            return False
        with self._lock:
            self._new[outlet].append(article_id)
            self._new_titles[outlet].add(article.title)
            known = self.known(outlet)
            if len(known) >= 2 * RECENT_ARTICLES:
                self._known.pop(outlet, None)
            else:
                self._known[outlet] = known.extended([(article.url, article.title, article.text)])
        return learn_layout(self.store, outlet, article.printed_date, self.known(outlet),
                            furniture_changed=furniture_changed)  # fmt: skip

    def reclean_new(self) -> int:
        """Re-clean the articles stored since the last call with what is known now: those
        whose stored body shows the headline of another article stored since (it may have
        been extracted before that article was known)."""
        with self._lock:
            new, self._new = self._new, defaultdict(list)
            new_titles, self._new_titles = self._new_titles, defaultdict(set)
        changed = 0
        for outlet, ids in new.items():
            titles = {t for t in new_titles[outlet] if len(t) >= MIN_TITLE_CHARS}
            teasing = self.store.articles_showing(ids, titles)
            if teasing:
                changed += reclean_outlet(self.store, outlet, site=self.rules(outlet), ids=teasing)
        return changed
