"""Kept-alive connections spread evenly over the web processes that share a port.

The kernel gives each new connection to one process's socket by a hash of its addresses
(``cli_worker.listening_sockets``), and a kept-alive connection stays where it landed. Ten
connections over two processes split 5/5 only one time in four; 7/3 or worse one time in
three. The process holding more serves its clients more slowly while the other core idles,
and a benchmark's latency then depends on the draw more than on the code.

Each process writes the number of connections it holds into an array shared by the
processes (made before they were forked) on every request. A process holding more than its
share (the total over the processes divided by their number, rounded up) answers with
``Connection: close``; the client opens a new connection for its next request, which
lands anew. A process at or below its share never closes one, so the split settles within
a few requests per extra connection and then stays. The counts of a process are only as
fresh as its last request: a stale count can only make another process close less.
"""

from __future__ import annotations

from collections.abc import Callable, MutableSequence
from typing import Any

CLOSE = (b"connection", b"close")


def over_share(counts: MutableSequence[int], index: int, held: int) -> bool:
    """Record that process ``index`` holds ``held`` connections; whether that is more
    than its share of all the processes' connections."""
    counts[index] = held
    total = sum(counts)
    share = -(-total // len(counts))  # rounded up: 11 over 2 is 6 and 5, both settled
    return held > share


class ConnectionShare:
    """ASGI middleware: ``Connection: close`` on the response while this process holds more
    than its share of the connections (``held`` says how many it holds now)."""

    def __init__(
        self, app: Any, counts: MutableSequence[int], index: int, held: Callable[[], int]
    ) -> None:
        self.app = app
        self.counts = counts
        self.index = index
        self.held = held

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or not over_share(self.counts, self.index, self.held()):
            await self.app(scope, receive, send)
            return

        async def closing(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), CLOSE]}
            await send(message)

        await self.app(scope, receive, closing)
