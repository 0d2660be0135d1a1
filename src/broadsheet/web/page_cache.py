"""A few seconds' cache of the home page as anonymous readers get it.

Every anonymous request for the home page asks the same question; answering it again for
each one is most of the page's cost under load. A rendered page is kept for
``page_cache_seconds`` (0: off) under what the response varies on (``Vary: Accept-Language,
Cookie``: the URL, those two headers) and the ranking it was made from, so a new ranking
(every minute) shows at once. Signed-in readers are never served from it (their page carries
their name and form tokens), nor is anyone sending a session cookie. Relative times ("5
minutes ago") and comment counts may be up to ``page_cache_seconds`` old.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from broadsheet.web.guard import SESSION_COOKIE

MAX_PAGES = 256  # distinct (URL, Accept-Language, Cookie, ranking) kept at most


class PageCache:
    def __init__(self, seconds: float, max_pages: int = MAX_PAGES) -> None:
        self.seconds = seconds
        self.max_pages = max_pages
        self._pages: OrderedDict[Hashable, tuple[float, HTMLResponse]] = OrderedDict()
        self._lock = threading.Lock()

    def key(self, request: Request, version: Hashable) -> Hashable | None:
        """What the page depends on, or None when it must not be cached."""
        if self.seconds <= 0 or SESSION_COOKIE in request.cookies:
            return None
        headers = request.headers
        return (str(request.url), headers.get("accept-language"), headers.get("cookie"), version)

    def get(self, key: Hashable | None) -> HTMLResponse | None:
        if key is None:
            return None
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            made, page = found
            if time.monotonic() - made > self.seconds:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
        return HTMLResponse(page.body, page.status_code, headers=dict(page.headers))

    def put(self, key: Hashable | None, page: Response) -> None:
        if key is None or page.status_code != 200 or not isinstance(page, HTMLResponse):
            return
        if "no-store" in page.headers.get("cache-control", ""):
            return
        with self._lock:
            self._pages[key] = (time.monotonic(), page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
