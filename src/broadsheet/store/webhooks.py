"""Queries of webhooks and their deliveries: register, list, delete (the reader's own
only), which webhooks to look at, queue a story for one, the deliveries due, and what an
attempt came to."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from broadsheet.store.schema import stories, webhook_deliveries, webhooks


def create(conn: Connection, user_id: int, url: str, secret: str, kind: str,
           query: str | None, now: datetime) -> int:  # fmt: skip
    result = conn.execute(
        insert(webhooks).values(
            user_id=user_id,
            url=url,
            secret=secret,
            kind=kind,
            query=query,
            created_at=now,
            seen_until=now,
        )  # fmt: skip
    )
    return int(result.inserted_primary_key[0])


def list_for(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    pending = (
        select(func.count())
        .where(webhook_deliveries.c.webhook_id == webhooks.c.id)
        .where(webhook_deliveries.c.state == "pending")
        .scalar_subquery()
    )
    rows = conn.execute(
        select(webhooks, pending.label("pending"))
        .where(webhooks.c.user_id == user_id)
        .order_by(webhooks.c.id)
    )
    return [dict(r._mapping) for r in rows]


def remove(conn: Connection, user_id: int, webhook_id: int) -> bool:
    gone = conn.execute(
        delete(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.user_id == user_id)
    ).rowcount
    return bool(gone)


def all_hooks(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(webhooks).order_by(webhooks.c.id))]


def queue(conn: Connection, webhook_id: int, story_id: int, payload: str, now: datetime) -> bool:
    """Queue a story for a webhook (once: a story already queued for it is not again)."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(webhook_deliveries).values(
                    webhook_id=webhook_id,
                    story_id=story_id,
                    payload=payload,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )  # fmt: skip
            )
    except IntegrityError:
        return False
    return True


def seen(conn: Connection, webhook_id: int, until: datetime) -> None:
    conn.execute(update(webhooks).where(webhooks.c.id == webhook_id).values(seen_until=until))


def due(conn: Connection, now: datetime, limit: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            webhook_deliveries.c.id,
            webhook_deliveries.c.payload,
            webhook_deliveries.c.attempts,
            webhook_deliveries.c.webhook_id,
            webhooks.c.url,
            webhooks.c.secret,
        )  # fmt: skip
        .join(webhooks, webhooks.c.id == webhook_deliveries.c.webhook_id)
        .where(webhook_deliveries.c.state == "pending")
        .where(webhook_deliveries.c.next_attempt_at <= now)
        .order_by(webhook_deliveries.c.next_attempt_at, webhook_deliveries.c.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def record(conn: Connection, delivery: dict[str, Any], outcome: dict[str, Any],
           now: datetime) -> None:  # fmt: skip
    """What one attempt came to: ``outcome`` has state, status, error, next_attempt_at."""
    conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == delivery["id"])
        .values(
            state=outcome["state"],
            attempts=delivery["attempts"] + 1,
            next_attempt_at=outcome["next_attempt_at"],
            last_status=outcome["status"],
            last_error=outcome["error"],
            delivered_at=now if outcome["state"] == "delivered" else None,
        )
    )
    conn.execute(
        update(webhooks)
        .where(webhooks.c.id == delivery["webhook_id"])
        .values(last_status=outcome["status"], last_error=outcome["error"], last_attempt_at=now)
    )


def purge(conn: Connection, before: datetime) -> int:
    """Forget delivered and given-up deliveries made before ``before``."""
    gone = conn.execute(
        delete(webhook_deliveries).where(
            webhook_deliveries.c.state.in_(("delivered", "failed")),
            webhook_deliveries.c.created_at < before,
        )
    ).rowcount
    return int(gone)


def deliveries_of(conn: Connection, webhook_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(webhook_deliveries)
        .where(webhook_deliveries.c.webhook_id == webhook_id)
        .order_by(webhook_deliveries.c.id)
    )
    return [dict(r._mapping) for r in rows]


def created(conn: Connection, since: datetime, until: datetime, limit: int) -> list[int]:
    """Live stories created after ``since`` up to ``until``, oldest first."""
    rows = conn.execute(
        select(stories.c.id)
        .where(stories.c.created_at > since, stories.c.created_at <= until)
        .where(stories.c.merged_into.is_(None), stories.c.article_count > 0)
        .order_by(stories.c.created_at, stories.c.id)
        .limit(limit)
    )
    return [r[0] for r in rows]


class WebhookQueries:
    """The Store's methods for webhooks (``Store`` inherits them)."""

    def reader(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def writer(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def create_webhook(self, user_id: int, url: str, secret: str, kind: str,
                       query: str | None, now: datetime) -> int:  # fmt: skip
        with self.writer() as conn:
            return create(conn, user_id, url, secret, kind, query, now)

    def webhooks_of(self, user_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return list_for(conn, user_id)

    def delete_webhook(self, user_id: int, webhook_id: int) -> bool:
        with self.writer() as conn:
            return remove(conn, user_id, webhook_id)

    def all_webhooks(self) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return all_hooks(conn)

    def queue_webhook_stories(self, webhook_id: int, stories: list[tuple[int, str]],
                              until: datetime, now: datetime) -> int:  # fmt: skip
        """Queue (story id, payload) pairs and move the webhook's mark, in one transaction."""
        with self.writer() as conn:
            queued = sum(queue(conn, webhook_id, sid, payload, now) for sid, payload in stories)
            seen(conn, webhook_id, until)
            return queued

    def stories_created(self, since: datetime, until: datetime, limit: int = 500) -> list[int]:
        with self.reader() as conn:
            return created(conn, since, until, limit)

    def due_deliveries(self, now: datetime, limit: int = 20) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return due(conn, now, limit)

    def record_delivery(self, delivery: dict[str, Any], outcome: dict[str, Any],
                        now: datetime) -> None:  # fmt: skip
        with self.writer() as conn:
            record(conn, delivery, outcome, now)

    def purge_webhook_deliveries(self, before: datetime) -> int:
        with self.writer() as conn:
            return purge(conn, before)

    def webhook_deliveries(self, webhook_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return deliveries_of(conn, webhook_id)


__all__ = ["WebhookQueries"]
