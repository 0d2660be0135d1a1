"""Queries of the Daily 8 digest by mail: who asked for it, and the one row per reader and
day that makes a second send impossible.

The order is claim, send, record: ``claim`` inserts (reader, day) as ``sending`` and
commits before the mail goes to the SMTP server; ``finish`` marks it ``sent`` after. A
crash between the server's acceptance and ``finish`` leaves ``sending``, which is never
sent again: at most once, by choice (a reader who misses one day's mail loses less than
one who gets it twice every time a worker restarts). A definite refusal (the server could
not be reached, or it refused sender, recipient or data) is ``failed`` and tried again,
up to ``MAX_ATTEMPTS`` times; it never reached the reader.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from broadsheet.store.schema import digest_sends, users

MAX_ATTEMPTS = 3


def readers_due(conn: Connection, day: str, limit: int) -> list[dict[str, Any]]:
    """Readers who asked for the digest, can receive it, and have no row for the day (or
    a ``failed`` one with attempts left)."""
    sent = digest_sends.alias("sent")
    rows = conn.execute(
        select(users.c.id, users.c.email, users.c.display_name, users.c.edition, users.c.language)
        .outerjoin(sent, and_(sent.c.user_id == users.c.id, sent.c.day == day))
        .where(
            users.c.digest.is_(True),
            users.c.disabled_at.is_(None),
            users.c.verified_at.is_not(None),
            (sent.c.user_id.is_(None))
            | and_(sent.c.status == "failed", sent.c.attempts < MAX_ATTEMPTS),
        )
        .order_by(users.c.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def claim(conn: Connection, user_id: int, day: str, edition: str, now: datetime) -> bool:
    """Take (reader, day) for sending; False if another round has it (or sent it)."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(digest_sends).values(
                    user_id=user_id,
                    day=day,
                    edition=edition,
                    status="sending",
                    claimed_at=now,
                    attempts=1,
                )
            )
        return True
    except IntegrityError:
        pass
    retried = conn.execute(
        update(digest_sends)
        .where(
            digest_sends.c.user_id == user_id,
            digest_sends.c.day == day,
            digest_sends.c.status == "failed",
            digest_sends.c.attempts < MAX_ATTEMPTS,
        )
        .values(
            status="sending",
            edition=edition,
            claimed_at=now,
            attempts=digest_sends.c.attempts + 1,
            error=None,
        )
    )
    return retried.rowcount == 1


def finish(
    conn: Connection, user_id: int, day: str, status: str, now: datetime, error: str | None
) -> None:
    conn.execute(
        update(digest_sends)
        .where(digest_sends.c.user_id == user_id, digest_sends.c.day == day)
        .values(status=status, sent_at=now if status == "sent" else None, error=error)
    )


def day_counts(conn: Connection, day: str) -> dict[str, int]:
    rows = conn.execute(
        select(digest_sends.c.status, func.count())
        .where(digest_sends.c.day == day)
        .group_by(digest_sends.c.status)
    )
    return {status: int(n) for status, n in rows}
