"""Queries that let several processes share one database safely (issue 10).

Every claim is one conditional ``UPDATE ... WHERE <still free>`` whose row count says who
won, so it holds on SQLite (whose writers are serialised by ``BEGIN IMMEDIATE``) and on
PostgreSQL (where the row lock makes the second UPDATE re-check its WHERE) alike:

- a source's poll lease (``sources.lease_owner`` / ``lease_until``): one poll of a source
  at a time, across processes;
- politeness per origin (``host_turns``: when the next request may start; ``host_slots``:
  requests in flight), so two pollers together are as polite as one;
- named leases (``leases``: e.g. the one worker) and entry failures with back-off.

Times in ``host_turns``, ``host_slots`` and ``leases`` are epoch seconds (floats).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, delete, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from broadsheet.store import upsert
from broadsheet.store.schema import entry_failures, host_slots, host_turns, leases, sources

# --- source leases ---------------------------------------------------------------------------


def claim_source(
    conn: Connection,
    source_id: int,
    owner: str,
    seen_next_poll_at: datetime | None,
    now: datetime,
    until: datetime,
) -> bool:
    """Take the source's poll lease if it is free and nobody polled the source since the
    caller read it (its ``next_poll_at`` is unchanged)."""
    free = or_(sources.c.lease_until.is_(None), sources.c.lease_until < now)
    same = sources.c.next_poll_at.is_not_distinct_from(seen_next_poll_at)
    result = conn.execute(
        update(sources)
        .where(sources.c.id == source_id, free, same)
        .values(lease_owner=owner, lease_until=until)
    )
    return result.rowcount == 1


def release_source(conn: Connection, source_id: int, owner: str) -> None:
    conn.execute(
        update(sources)
        .where(sources.c.id == source_id, sources.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )


def renew_sources(conn: Connection, owner: str, until: datetime, source_ids: list[int]) -> int:
    """Extend the leases ``owner`` holds on ``source_ids`` (a long poll keeps its lease)."""
    result = conn.execute(
        update(sources)
        .where(sources.c.lease_owner == owner, sources.c.id.in_(source_ids))
        .values(lease_until=until)
    )
    return int(result.rowcount)


# --- politeness shared across processes ------------------------------------------------------


def claim_turn(
    conn: Connection,
    origin: str,
    slots: int,
    gap: float,
    owner: str,
    now: float,
    hold: float,
) -> tuple[int | None, float]:
    """(slot, 0) when a request to ``origin`` may start now: one of its ``slots`` is
    taken until ``now + hold`` and the next start is pushed to ``now + gap``; else
    (None, seconds to wait before asking again)."""
    turn = conn.execute(select(host_turns.c.next_at).where(host_turns.c.origin == origin)).first()
    if turn is None:
        _add_origin(conn, origin)
        next_at = 0.0
    else:
        next_at = float(turn.next_at)
    if next_at > now:
        return None, next_at - now
    rows = conn.execute(
        select(host_slots.c.slot, host_slots.c.busy_until).where(host_slots.c.origin == origin)
    ).all()
    busy = {r.slot: float(r.busy_until) for r in rows}
    free = [s for s in range(slots) if busy.get(s, 0.0) <= now]
    if not free:
        soonest = min(busy[s] for s in range(slots))
        return None, min(max(soonest - now, 0.02), 0.5)
    slot = free[0]
    if slot not in busy:
        _add_slot(conn, origin, slot)
    taken = conn.execute(
        update(host_slots)
        .where(
            host_slots.c.origin == origin,
            host_slots.c.slot == slot,
            host_slots.c.busy_until <= now,
        )
        .values(owner=owner, busy_until=now + hold)
    ).rowcount
    if taken != 1:
        return None, 0.02
    moved = conn.execute(
        update(host_turns)
        .where(host_turns.c.origin == origin, host_turns.c.next_at <= now)
        .values(next_at=now + gap)
    ).rowcount
    if moved != 1:  # another process started a request just now: give the slot back
        release_slot(conn, origin, slot, owner)
        return None, 0.02
    return slot, 0.0


def release_slot(conn: Connection, origin: str, slot: int, owner: str) -> None:
    conn.execute(
        update(host_slots)
        .where(
            host_slots.c.origin == origin,
            host_slots.c.slot == slot,
            host_slots.c.owner == owner,
        )
        .values(owner=None, busy_until=0.0)
    )


def _add_origin(conn: Connection, origin: str) -> None:
    conn.execute(  # another process may add it first
        upsert.insert(conn, host_turns)
        .values(origin=origin, next_at=0.0)
        .on_conflict_do_nothing(index_elements=[host_turns.c.origin])
    )


def _add_slot(conn: Connection, origin: str, slot: int) -> None:
    conn.execute(
        upsert.insert(conn, host_slots)
        .values(origin=origin, slot=slot, busy_until=0.0)
        .on_conflict_do_nothing(index_elements=[host_slots.c.origin, host_slots.c.slot])
    )


# --- named leases ----------------------------------------------------------------------------


def claim_lease(conn: Connection, name: str, owner: str, now: float, ttl: float) -> bool:
    """Take (or renew, when ``owner`` holds it) the lease ``name`` for ``ttl`` seconds.

    Taken over from a holder whose lease lapsed (a worker killed with ``kill -9`` renews
    nothing), it also frees the poll leases that holder still had on sources: they would
    otherwise keep those sources from being polled for ``poll_lease`` seconds (15 minutes)
    after the crash; its politeness slots (requests in flight) likewise. The holder is
    gone or stalled past three heartbeats; if it wakes, a source it was polling may be
    fetched twice, and the store keeps each article once."""
    row = conn.execute(select(leases.c.owner).where(leases.c.name == name)).first()
    if row is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(leases).values(name=name, owner=owner, expires_at=now + ttl))
            return True
        except IntegrityError:
            row = conn.execute(select(leases.c.owner).where(leases.c.name == name)).first()
    result = conn.execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.owner == owner, leases.c.expires_at < now))
        .values(owner=owner, expires_at=now + ttl)
    )
    previous = row.owner if row is not None else None
    if result.rowcount == 1 and previous not in (None, owner):
        conn.execute(
            update(sources)
            .where(sources.c.lease_owner == previous)
            .values(lease_owner=None, lease_until=None)
        )
        conn.execute(  # and its requests in flight, which died with it
            update(host_slots)
            .where(host_slots.c.owner == previous)
            .values(owner=None, busy_until=0.0)
        )
    return result.rowcount == 1


def release_lease(conn: Connection, name: str, owner: str) -> None:
    conn.execute(
        update(leases)
        .where(leases.c.name == name, leases.c.owner == owner)
        .values(owner=None, expires_at=0.0)
    )


def lease_holder(conn: Connection, name: str, now: float) -> str | None:
    row = conn.execute(
        select(leases.c.owner).where(leases.c.name == name, leases.c.expires_at >= now)
    ).first()
    return row.owner if row else None


# --- entries that keep failing ---------------------------------------------------------------


def failed(conn: Connection, source_id: int, keys: list[str]) -> dict[str, datetime]:
    """The keys among ``keys`` that failed before, with when each may be retried."""
    found: dict[str, datetime] = {}
    for i in range(0, len(keys), 500):
        rows = conn.execute(
            select(entry_failures.c.key, entry_failures.c.retry_at).where(
                entry_failures.c.source_id == source_id,
                entry_failures.c.key.in_(keys[i : i + 500]),
            )
        )
        found.update((row.key, row.retry_at) for row in rows)
    return found


def record_failure(
    conn: Connection,
    source_id: int,
    key: str,
    url: str,
    reason: str,
    now: datetime,
    base: float,
    cap: float,
) -> int:
    """Count one more failure of an entry and set when to retry it (exponential back-off
    from ``base`` seconds, at most ``cap``); the number of failures so far."""
    where = and_(entry_failures.c.source_id == source_id, entry_failures.c.key == key)
    failures = conn.execute(select(entry_failures.c.failures).where(where)).scalar() or 0
    failures += 1
    values = {
        "url": url[:2048],
        "failures": failures,
        "last_error": reason[:300],
        "failed_at": now,
        "retry_at": now + timedelta(seconds=min(cap, base * 2 ** min(failures - 1, 30))),
    }
    if failures == 1:
        conn.execute(insert(entry_failures).values(source_id=source_id, key=key, **values))
    else:
        conn.execute(update(entry_failures).where(where).values(**values))
    return failures


def clear_failure(conn: Connection, source_id: int, key: str) -> None:
    conn.execute(
        delete(entry_failures).where(
            entry_failures.c.source_id == source_id, entry_failures.c.key == key
        )
    )


# --- the job queue (PostgreSQL: Procrastinate's tables, jobs/queue.py) ------------------------


def failed_jobs(conn: Connection) -> int | None:
    """Jobs of the queue that failed for good (retries spent); None without a queue."""
    if conn.dialect.name != "postgresql":
        return None
    if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
        return None
    found = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"))
    return int(found.scalar() or 0)
