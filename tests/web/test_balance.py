"""The share of kept-alive connections a web process may hold (web/balance.py); the
processes themselves are tried in tests/jobs/test_processes.py."""

from __future__ import annotations

import asyncio

from broadsheet.web.balance import CLOSE, ConnectionShare, over_share


def test_a_process_over_its_share_closes_and_one_at_or_below_it_does_not() -> None:
    counts = [0, 3]
    assert over_share(counts, 0, 7)  # 10 over 2: a share of 5
    assert counts == [7, 3]  # its own count recorded for the others
    assert not over_share(counts, 1, 3)
    assert not over_share([0, 5], 0, 5)
    assert not over_share([0, 5], 0, 6)  # 11 over 2: 6 and 5 is as even as it gets
    assert over_share([0, 4], 0, 7)
    assert not over_share([0, 0, 0], 2, 1)  # alone, nothing to balance


def _served(share: ConnectionShare, scope_type: str = "http") -> list[dict]:
    async def app(scope: dict, receive: object, send: object) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"1")]})
        await send({"type": "http.response.body", "body": b"ok"})

    share.app = app
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(share({"type": scope_type}, None, send))
    return sent


def test_the_middleware_adds_connection_close_only_over_the_share() -> None:
    over = _served(ConnectionShare(None, [0, 2], 0, lambda: 8))
    assert over[0]["headers"] == [(b"a", b"1"), CLOSE]
    assert over[1] == {"type": "http.response.body", "body": b"ok"}
    within = _served(ConnectionShare(None, [0, 5], 0, lambda: 5))
    assert within[0]["headers"] == [(b"a", b"1")]
    # lifespan and websocket scopes pass through untouched
    assert _served(ConnectionShare(None, [0, 2], 0, lambda: 8), "lifespan")[0]["headers"] == [
        (b"a", b"1")
    ]
