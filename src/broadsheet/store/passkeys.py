"""Queries of passkeys (WebAuthn credentials): a reader's list, lookup by credential id at
sign-in, the signature counter, removal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from broadsheet.store.schema import passkeys


def add(
    conn: Connection,
    user_id: int,
    credential_id: str,
    public_key: bytes,
    sign_count: int,
    name: str,
    now: datetime,
) -> int:
    result = conn.execute(
        insert(passkeys).values(
            user_id=user_id,
            credential_id=credential_id,
            public_key=public_key,
            sign_count=sign_count,
            name=name,
            created_at=now,
        )
    )
    return int(result.inserted_primary_key[0])


def of_user(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            passkeys.c.id,
            passkeys.c.credential_id,
            passkeys.c.name,
            passkeys.c.created_at,
            passkeys.c.last_used_at,
        )
        .where(passkeys.c.user_id == user_id)
        .order_by(passkeys.c.id)
    )
    return [dict(r._mapping) for r in rows]


def by_credential(conn: Connection, credential_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(passkeys).where(passkeys.c.credential_id == credential_id)).first()
    return None if row is None else dict(row._mapping)


def used(conn: Connection, passkey_id: int, sign_count: int, now: datetime) -> None:
    conn.execute(
        update(passkeys)
        .where(passkeys.c.id == passkey_id)
        .values(sign_count=sign_count, last_used_at=now)
    )


def remove(conn: Connection, user_id: int, passkey_id: int) -> bool:
    found = conn.execute(
        delete(passkeys).where(passkeys.c.id == passkey_id, passkeys.c.user_id == user_id)
    )
    return found.rowcount > 0
