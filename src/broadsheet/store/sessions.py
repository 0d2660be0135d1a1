"""Queries of sign-in sessions and password-reset links.

Only SHA-256 digests of tokens are stored: a copy of the database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from broadsheet.models import User
from broadsheet.store.schema import meta, password_resets, sessions, users
from broadsheet.store.users import _user


def create(
    conn: Connection, token_hash: str, user_id: int, now: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(sessions).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires
        )
    )


def user_of(conn: Connection, token_hash: str, now: datetime) -> User | None:
    """The signed-in account, if the session exists, is current, and the account enabled."""
    row = conn.execute(
        select(users)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now)
        .where(users.c.disabled_at.is_(None))
    ).first()
    return None if row is None else _user(row)


def end(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))


def purge_expired(conn: Connection, now: datetime) -> int:
    gone = conn.execute(delete(sessions).where(sessions.c.expires_at <= now)).rowcount
    gone += conn.execute(
        delete(password_resets).where(password_resets.c.expires_at <= now)
    ).rowcount
    return int(gone)


def create_reset(
    conn: Connection, token_hash: str, user_id: int, now: datetime, expires: datetime
) -> None:
    conn.execute(
        insert(password_resets).values(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires
        )
    )


def reset_user(conn: Connection, token_hash: str, now: datetime) -> int | None:
    """The account a reset link is for, if it is current and unused (does not use it)."""
    row = conn.execute(
        select(password_resets.c.user_id)
        .join(users, users.c.id == password_resets.c.user_id)
        .where(password_resets.c.token_hash == token_hash)
        .where(password_resets.c.used_at.is_(None), password_resets.c.expires_at > now)
        .where(users.c.disabled_at.is_(None))
    ).first()
    return None if row is None else int(row[0])


def use_reset(conn: Connection, token_hash: str, now: datetime) -> int | None:
    """Spend a reset link (once: a second use finds it used); every link of the account
    is spent with it. Returns the account, or None."""
    user_id = reset_user(conn, token_hash, now)
    if user_id is None:
        return None
    taken = conn.execute(
        update(password_resets)
        .where(password_resets.c.token_hash == token_hash, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if taken != 1:
        return None
    conn.execute(
        update(password_resets)
        .where(password_resets.c.user_id == user_id, password_resets.c.used_at.is_(None))
        .values(used_at=now)
    )
    return user_id


def meta_setdefault(conn: Connection, key: str, value: str) -> str:
    """The kept value of ``key``; ``value`` is stored only if there was none (the first
    writer wins, also between processes: the primary key refuses a second insert)."""
    kept = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
    if kept is not None:
        return str(kept)
    try:
        with conn.begin_nested():
            conn.execute(insert(meta).values(key=key, value=value))
    except IntegrityError:
        return str(conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one())
    return value
