"""robots.txt, fetched once per origin and cached, read as RFC 9309 says.

- 200: parse it (protego) and obey the group for our product token;
- 4xx: no robots.txt, everything allowed (429 is the exception: the site asks us to
  slow down, so it counts as unreachable);
- 5xx, timeout, network error, body too large: unreachable, everything disallowed;
- too many redirects: RFC 9309 says treat as unavailable, so allowed.

A URL blocked by the private-network guard or the scheme check raises that error, not
RobotsDisallowed, so the reason shown is the real one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from broadsheet.errors import (
    BlockedURL,
    FetchError,
    HTTPStatus,
    RobotsDisallowed,
    TooManyRedirects,
)
from broadsheet.models import FetchResult

Fetch = Callable[[str], Awaitable[FetchResult]]
_MAX_ORIGINS = 4096  # cache entries kept before expired ones are pruned


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says, and why (for messages)."""

    parser: Protego | None  # None: every path gets ``allow_all``
    allow_all: bool
    why: str

    def allows(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(url, agent)


def product_token(user_agent: str) -> str:
    """``Broadsheet/0.1 (+https://...)`` -> ``Broadsheet``: what robots.txt groups name."""
    token = user_agent.strip().split("/", 1)[0].split(None, 1)
    return token[0] if token else "*"


def robots_url(url: str) -> str:
    """The robots.txt URL for the origin of ``url``."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    return f"{parts.scheme.lower()}://{host}/robots.txt"


def rules_from(result: FetchResult | FetchError) -> RobotsRules:
    """Turn a robots.txt fetch outcome into rules, following RFC 9309."""
    if isinstance(result, FetchResult):
        text = result.body.decode("utf-8", errors="replace")
        return RobotsRules(Protego.parse(text), True, "robots.txt")
    if isinstance(result, HTTPStatus) and 400 <= result.status < 500 and result.status != 429:
        return RobotsRules(None, True, f"robots.txt answered {result.status}")
    if isinstance(result, TooManyRedirects):
        return RobotsRules(None, True, "robots.txt redirects too often")
    return RobotsRules(None, False, f"robots.txt unreachable ({result.reason})")


class RobotsCache:
    """Answers "may we fetch this URL?" with one robots.txt fetch per origin per ``ttl``."""

    def __init__(
        self,
        fetch: Fetch,
        user_agent: str,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._agent = product_token(user_agent)
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[str, tuple[float, RobotsRules]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str) -> None:
        """Raise RobotsDisallowed if robots.txt forbids ``url``."""
        rules = await self.rules(url)
        if not rules.allows(url, self._agent):
            raise RobotsDisallowed(url, f"disallowed by {rules.why}")

    async def rules(self, url: str) -> RobotsRules:
        key = robots_url(url)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:  # concurrent pages of one origin share one robots.txt fetch
            cached = self._cache.get(key)
            if cached is not None and cached[0] > self._clock():
                return cached[1]
            rules = await self._load(key, url)
            self._store(key, rules)
            return rules

    async def _load(self, key: str, url: str) -> RobotsRules:
        try:
            return rules_from(await self._fetch(key))
        except BlockedURL as exc:
            raise type(exc)(url, exc.reason) from None
        except FetchError as exc:
            return rules_from(exc)

    def _store(self, key: str, rules: RobotsRules) -> None:
        now = self._clock()
        if len(self._cache) >= _MAX_ORIGINS:
            expired = [k for k, (until, _) in self._cache.items() if until <= now and k != key]
            for old in expired:
                del self._cache[old]
                self._locks.pop(old, None)
        self._cache[key] = (now + self._ttl, rules)
