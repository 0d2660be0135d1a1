"""Politeness: how many requests may be in flight, in total and per origin, and the
minimum gap between two request starts to one origin (scheme, host and port).

The limits hold inside one process by themselves. When several processes fetch (a
``serve`` beside an ``ingest``, two workers), a ``SharedTurns`` given by the caller makes
them hold across processes too: each request start is also claimed there (the
orchestrator passes one kept in the database).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol


class SharedTurns(Protocol):
    """Request turns per origin shared with other processes."""

    async def acquire(self, origin: str) -> object:
        """Wait until a request to ``origin`` may start; a token for ``release``."""
        ...

    async def release(self, origin: str, token: object) -> None: ...


_MAX_ORIGINS = 4096  # entries kept before idle ones are pruned


@dataclass
class _Origin:
    slots: asyncio.Semaphore
    turn: asyncio.Lock
    next_start: float = -math.inf
    users: int = 0


class Politeness:
    """A global concurrency limit, a per-origin one, and a minimum gap between request
    starts to one origin."""

    def __init__(
        self, total: int, per_origin: int, gap: float, shared: SharedTurns | None = None
    ) -> None:
        self._shared = shared
        self._total = asyncio.Semaphore(total)
        self._per_origin = per_origin
        self._gap = gap
        self._origins: dict[str, _Origin] = {}

    @asynccontextmanager
    async def slot(self, origin: str) -> AsyncIterator[None]:
        state = self._origins.get(origin) or self._add(origin)
        state.users += 1
        try:
            async with state.slots:
                async with state.turn:
                    loop = asyncio.get_running_loop()
                    wait = state.next_start - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    token = await self._shared.acquire(origin) if self._shared else None
                    await self._total.acquire()
                    state.next_start = loop.time() + self._gap
                try:
                    yield
                finally:
                    self._total.release()
                    if self._shared:
                        await asyncio.shield(self._shared.release(origin, token))
        finally:
            state.users -= 1

    def _add(self, origin: str) -> _Origin:
        if len(self._origins) >= _MAX_ORIGINS:
            now = asyncio.get_running_loop().time()
            for key, old in list(self._origins.items()):
                if old.users == 0 and old.next_start <= now:
                    del self._origins[key]
        state = _Origin(asyncio.Semaphore(self._per_origin), asyncio.Lock())
        self._origins[origin] = state
        return state
