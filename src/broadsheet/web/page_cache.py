"""What the web process keeps between requests, in one small bounded LRU (``Kept``):

- ``PageCache``: a few seconds' cache of the home page as anonymous readers get it. Every
  anonymous request for the home page asks the same question; answering it again for each
  one is most of the page's cost under load. A rendered page is kept for
  ``page_cache_seconds`` (0: off) under what the response varies on (``Vary:
  Accept-Language, Cookie``: the URL, those two headers) and the ranking it was made from,
  so a new ranking (every minute) shows at once. Signed-in readers are never served from it
  (their page carries their name and form tokens), nor is anyone sending a session cookie.
  Relative times ("5 minutes ago") and comment counts may be up to ``page_cache_seconds``
  old.
- ``EntityNames``: entity pages' names, a few minutes each.
- the teasers' fragments (``web/templating.py``), kept under everything they show.
- parsed story digests (``story_digest.load``), kept under which digest is stored.
- the article page's anchored body and understanding panel sentences, kept under the
  article's id and a digest of its title, text and HTML (``pages.article_version``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from broadsheet.web.guard import SESSION_COOKIE

V = TypeVar("V")

MAX_PAGES = 256  # distinct (URL, Accept-Language, Cookie, ranking) kept at most
# parsed story digests kept at most: a 1,000-outlet story's is ~600 KB in memory (most are a
# few KB), so at worst ~40 MB a process
STORY_DIGESTS = 64
# article pages' anchored bodies and panel sentences (a body is a few KB to a few tens)
ARTICLE_PARTS = 1024


class Kept(Generic[V]):
    """A thread-safe LRU of at most ``max_items`` values, each served for ``seconds`` after
    it was put (None: until it is pushed out). Requests run on several threads."""

    def __init__(self, max_items: int, seconds: float | None = None) -> None:
        self.max_items = max_items
        self.seconds = seconds
        self._items: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if self.seconds is not None and time.monotonic() - found[0] > self.seconds:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: V) -> None:
        made = time.monotonic() if self.seconds is not None else 0.0
        with self._lock:
            self._items[key] = (made, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], V | None]) -> V | None:
        """The kept value, else ``make()``'s, kept unless None (made outside the lock:
        two threads may both make it, and the last one is kept)."""
        found = self.get(key)
        if found is None:
            found = make()
            if found is not None:
                self.put(key, found)
        return found

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._items)


class PageCache:
    def __init__(self, seconds: float, max_pages: int = MAX_PAGES) -> None:
        self.seconds = seconds
        self._pages: Kept[HTMLResponse] = Kept(max_pages, seconds)

    def key(self, request: Request, version: Hashable) -> Hashable | None:
        """What the page depends on, or None when it must not be cached."""
        if self.seconds <= 0 or SESSION_COOKIE in request.cookies:
            return None
        headers = request.headers
        return (str(request.url), headers.get("accept-language"), headers.get("cookie"), version)

    def get(self, key: Hashable | None) -> HTMLResponse | None:
        page = None if key is None else self._pages.get(key)
        if page is None:
            return None
        return HTMLResponse(page.body, page.status_code, headers=dict(page.headers))

    def put(self, key: Hashable | None, page: Response) -> None:
        if key is None or page.status_code != 200 or not isinstance(page, HTMLResponse):
            return
        if "no-store" in page.headers.get("cache-control", ""):
            return
        self._pages.put(key, page)


ENTITY_NAMES = 4096  # entities whose page name is kept at most
ENTITY_NAME_SECONDS = 300.0  # how long a kept name is served before it is chosen again


class EntityNames:
    """An entity's page name and label (``Store.entity_name``: the most used spelling among
    its latest 200 mentions, a group-by on every entity page), kept for ``seconds`` in a
    bounded LRU. A name changes only when the spelling most mentions use changes, so a
    name a few minutes old is what the page would have said; an unknown entity (404) is
    not kept, so a new entity's page shows as soon as its first mention is stored."""

    def __init__(self, seconds: float = ENTITY_NAME_SECONDS, max_names: int = ENTITY_NAMES) -> None:
        self.kept: Kept[tuple[str, str]] = Kept(max_names, seconds)

    def get(self, store: Any, entity_id: str) -> tuple[str, str] | None:
        return self.kept.get_or_make(entity_id, lambda: store.entity_name(entity_id))
