"""Politeness turns kept in the database, so every process that fetches shares them.

``StoreTurns`` is the ``SharedTurns`` the orchestrator gives the fetcher: before each
request to an origin it claims one of the origin's request slots and its next start
time in one transaction (store/coordination.py), waiting as long as the database says.
The store calls run in a thread, off the event loop. If the database cannot be reached
the request goes ahead under the in-process limits alone (they still hold), and a
warning is logged.
"""

from __future__ import annotations

import asyncio
import logging

from broadsheet.config import Settings
from broadsheet.errors import StoreError
from broadsheet.store import Store

log = logging.getLogger(__name__)

HOLD_MARGIN = 5.0  # s a slot is held beyond the fetch deadline (a crashed holder's expiry)


class StoreTurns:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.slots = max(1, settings.per_host_concurrency)
        self.gap = max(0.0, settings.per_host_delay)
        self.hold = settings.fetch_timeout + settings.connect_timeout + HOLD_MARGIN

    async def acquire(self, origin: str) -> object:
        while True:
            try:
                slot, wait = await asyncio.to_thread(
                    self.store.claim_host_turn, origin, self.slots, self.gap, self.hold
                )
            except StoreError as exc:
                log.warning("politeness across processes unavailable: %s", exc)
                return None
            if slot is not None:
                return slot
            await asyncio.sleep(wait)

    async def release(self, origin: str, token: object) -> None:
        if not isinstance(token, int):
            return
        try:
            await asyncio.to_thread(self.store.release_host_slot, origin, token)
        except StoreError as exc:  # the slot expires by itself
            log.warning("politeness slot for %s not released: %s", origin, exc)
