"""Webhooks: find the new stories each webhook asked for, queue them, and deliver what is
due, signed, through the fetcher's private-network guard. The worker runs ``run_once``
every ``webhook_every`` seconds.

A delivery is a POST of JSON with
``X-Broadsheet-Signature: sha256=<HMAC-SHA256(secret, "<timestamp>." + body)>`` and
``X-Broadsheet-Timestamp: <unix seconds>`` (a receiver recomputes the HMAC and refuses
old timestamps, so a captured delivery cannot be replayed later). A 2xx answer delivers
it; anything else (another status, a timeout, a refused private address) is recorded on
the delivery and the webhook, and retried after ``webhook_retry_base`` × 4^(n-1) seconds
(at most 6 hours), ``webhook_attempts`` times in all. Redirects are not followed.
Deliveries done with (delivered or given up) are forgotten after 30 days.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from broadsheet.config import Settings
from broadsheet.errors import PrivateNetwork
from broadsheet.ingest.guard import guarded_transport
from broadsheet.store.search import SearchFilters, parse_query

if TYPE_CHECKING:
    from broadsheet.store import Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=6)
LOOK_BACK = timedelta(days=7)  # a new story's articles may be older than the story
BATCH = 20  # deliveries attempted per round
KEEP = timedelta(days=30)  # delivered and given-up deliveries are forgotten after this


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before attempt ``attempts + 1``."""
    seconds = settings.webhook_retry_base * 4 ** max(0, attempts - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


# --- what is new for each webhook ------------------------------------------------------------
def _matching(store: Store, hook: dict[str, Any], new: set[int]) -> list[int]:
    since = hook["seen_until"] - LOOK_BACK
    found: set[int] = set()
    if hook["kind"] == "search":
        results = store.search(parse_query(hook["query"] or ""), SearchFilters(since=since), 50)
        found = {h.story_id for h in results.hits if h.story_id is not None}
    else:
        _, articles, facts, _ = store.for_you_inputs(hook["user_id"], since, 200)
        for article_id, reasons in articles.items():
            if any(kind != "read" for kind, _ in reasons):  # a follow, not reading history
                story = facts.get(article_id, {}).get("story")
                if story is not None:
                    found.add(story)
    return sorted(found & new)


def _payload(settings: Settings, hook: dict[str, Any], story: Any) -> str:
    site = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return json.dumps(
        {
            "event": "story.new",
            "webhook": hook["id"],
            "matched": "search" if hook["kind"] == "search" else "follows",
            "query": hook["query"],
            "story": {
                "id": story.id,
                "title": story.title,
                "url": f"{site}/stories/{story.id}",
                "articles": story.article_count,
                "outlets": story.source_count,
                "first_at": story.first_at.isoformat() if story.first_at else None,
                "last_at": story.last_at.isoformat() if story.last_at else None,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def queue_new(store: Store, settings: Settings, now: datetime) -> int:
    """Queue, for every webhook, the stories created since its mark that it matches (and
    forget deliveries older than ``KEEP`` that are done with)."""
    store.purge_webhook_deliveries(now - KEEP)
    queued = 0
    for hook in store.all_webhooks():
        new = set(store.stories_created(hook["seen_until"], now))
        picked = _matching(store, hook, new) if new else []
        stories = store.stories_by_ids(picked)
        pairs = [(s.id, _payload(settings, hook, s)) for s in stories]
        queued += store.queue_webhook_stories(hook["id"], pairs, now, now)
    return queued


# --- delivery ----------------------------------------------------------------------------------
def _reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, PrivateNetwork):
            return "refused: the address is on a private network"
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"no answer: {type(exc).__name__}"


async def _attempt(
    client: httpx.AsyncClient, settings: Settings, d: dict[str, Any], now: datetime
) -> dict[str, Any]:
    body = d["payload"].encode()
    stamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": settings.user_agent,
        "x-broadsheet-event": "story.new",
        "x-broadsheet-delivery": str(d["id"]),
        "x-broadsheet-timestamp": str(stamp),
        "x-broadsheet-signature": signature(d["secret"], stamp, body),
    }
    status: int | None = None
    try:
        response = await client.post(d["url"], content=body, headers=headers)
        status = response.status_code
        error = None if 200 <= status < 300 else f"answered {status}"
    except (httpx.HTTPError, PrivateNetwork, OSError) as exc:
        error = _reason(exc)
    attempts = d["attempts"] + 1
    if error is None:
        state, later = "delivered", now
    elif attempts >= settings.webhook_attempts:
        state, later = "failed", now
    else:
        state, later = "pending", now + backoff(settings, attempts)
    return {"state": state, "status": status, "error": error, "next_attempt_at": later}


async def deliver_due(store: Store, settings: Settings, now: datetime) -> int:
    """Attempt the deliveries that are due; returns how many were delivered."""
    import asyncio

    due = await asyncio.to_thread(store.due_deliveries, now, BATCH)
    if not due:
        return 0
    transport = guarded_transport(
        settings.allow_private_networks, settings.allow_private_addresses, retries=0
    )
    delivered = 0
    async with httpx.AsyncClient(
        transport=transport,
        timeout=settings.webhook_timeout,
        follow_redirects=False,
        trust_env=False,
    ) as client:
        for d in due:
            outcome = await _attempt(client, settings, d, now)
            await asyncio.to_thread(store.record_delivery, d, outcome, now)
            delivered += outcome["state"] == "delivered"
            if outcome["error"]:
                log.info("webhook %s: delivery %s: %s", d["webhook_id"], d["id"], outcome["error"])
    return delivered


async def run_once(store: Store, settings: Settings, now: datetime) -> tuple[int, int]:
    """One round: queue what is new, deliver what is due. (queued, delivered)."""
    import asyncio

    queued = await asyncio.to_thread(queue_new, store, settings, now)
    return queued, await deliver_due(store, settings, now)
