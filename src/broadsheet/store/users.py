"""Queries of reader accounts: create, find, list, change role, password, disable, ban."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from broadsheet.models import User
from broadsheet.store.schema import sessions, users


def _user(row: Any) -> User:
    m = row._mapping
    return User(
        id=m["id"],
        email=m["email"],
        display_name=m["display_name"],
        role=m["role"],
        created_at=m["created_at"],
        disabled=m["disabled_at"] is not None,
        banned=m["banned_at"] is not None,
        language=m["language"],
        digest=bool(m["digest"]),
        edition=m["edition"],
        verified=m["verified_at"] is not None,
        visit_mark_at=m["visit_mark_at"],
        seen_at=m["seen_at"],
    )


def create(
    conn: Connection,
    email: str,
    display_name: str,
    password_hash: str,
    role: str,
    now: datetime,
    verified: bool = True,
) -> int:
    result = conn.execute(
        insert(users).values(
            email=email,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            created_at=now,
            verified_at=now if verified else None,
        )
    )
    return int(result.inserted_primary_key[0])


def get(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def by_email(conn: Connection, email: str) -> tuple[User, str] | None:
    """The account and its password hash, for signing in."""
    row = conn.execute(select(users).where(users.c.email == email)).first()
    return None if row is None else (_user(row), row._mapping["password_hash"])


def list_all(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.id))]


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def set_fields(conn: Connection, user_id: int, **values: Any) -> bool:
    return conn.execute(update(users).where(users.c.id == user_id).values(**values)).rowcount > 0


def set_password(conn: Connection, user_id: int, password_hash: str) -> None:
    """A new password; every session of the account ends (the caller opens a new one)."""
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))


def disable(conn: Connection, user_id: int, now: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(disabled_at=now))
    conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
