"""Queries of app passwords and API tokens (``app_credentials``): make, list, revoke, and
find the account a presented secret belongs to. Only digests are stored and looked up.

A credential of a disabled account, an expired one, or a revoked one (its row is deleted)
finds nobody.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from broadsheet.models import User
from broadsheet.store.schema import app_credentials, users
from broadsheet.store.users import _user

KINDS = ("app_password", "api_token")
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is written at most this often


def create(
    conn: Connection,
    user_id: int,
    kind: str,
    label: str,
    secret_hash: str,
    now: datetime,
    expires_at: datetime | None = None,
    fever_hash: str | None = None,
) -> int:
    if kind not in KINDS:
        raise ValueError(f"unknown credential kind {kind!r}")
    result = conn.execute(
        insert(app_credentials).values(
            user_id=user_id,
            kind=kind,
            label=label,
            secret_hash=secret_hash,
            fever_hash=fever_hash,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return int(result.inserted_primary_key[0])


def list_for(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            app_credentials.c.id,
            app_credentials.c.kind,
            app_credentials.c.label,
            app_credentials.c.created_at,
            app_credentials.c.last_used_at,
            app_credentials.c.expires_at,
        )
        .where(app_credentials.c.user_id == user_id)
        .order_by(app_credentials.c.created_at.desc(), app_credentials.c.id.desc())
    )
    return [dict(r._mapping) for r in rows]


def revoke(conn: Connection, user_id: int, credential_id: int) -> bool:
    """Delete one of the reader's own credentials (another reader's id deletes nothing)."""
    gone = conn.execute(
        delete(app_credentials).where(
            app_credentials.c.id == credential_id, app_credentials.c.user_id == user_id
        )
    ).rowcount
    return bool(gone)


def find(
    conn: Connection,
    kind: str,
    now: datetime,
    *,
    secret_hash: str | None = None,
    fever_hash: str | None = None,
    credential_id: int | None = None,
) -> tuple[User, dict[str, Any]] | None:
    """The enabled account and the (current) credential matching one of the keys."""
    query = (
        select(
            users,
            app_credentials.c.id.label("cred_id"),
            app_credentials.c.secret_hash,
            app_credentials.c.last_used_at,
        )
        .join(app_credentials, app_credentials.c.user_id == users.c.id)
        .where(app_credentials.c.kind == kind, users.c.disabled_at.is_(None))
        .where(or_(app_credentials.c.expires_at.is_(None), app_credentials.c.expires_at > now))
    )
    if secret_hash is not None:
        query = query.where(app_credentials.c.secret_hash == secret_hash)
    elif fever_hash is not None:
        query = query.where(app_credentials.c.fever_hash == fever_hash)
    elif credential_id is not None:
        query = query.where(app_credentials.c.id == credential_id)
    else:
        return None
    row = conn.execute(query).first()
    if row is None:
        return None
    m = row._mapping
    return _user(row), {
        "id": m["cred_id"],
        "secret_hash": m["secret_hash"],
        "last_used_at": m["last_used_at"],
    }


def touch(conn: Connection, credential_id: int, now: datetime) -> None:
    conn.execute(
        update(app_credentials)
        .where(app_credentials.c.id == credential_id)
        .where(
            or_(
                app_credentials.c.last_used_at.is_(None),
                app_credentials.c.last_used_at < now - TOUCH_EVERY,
            )
        )
        .values(last_used_at=now)
    )


class CredentialQueries:
    """The Store's methods for credentials (``Store`` inherits them)."""

    def reader(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def writer(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def create_credential(
        self,
        user_id: int,
        kind: str,
        label: str,
        secret_hash: str,
        now: datetime,
        expires_at: datetime | None = None,
        fever_hash: str | None = None,
    ) -> int:
        with self.writer() as conn:
            return create(conn, user_id, kind, label, secret_hash, now, expires_at, fever_hash)

    def credentials_of(self, user_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return list_for(conn, user_id)

    def revoke_credential(self, user_id: int, credential_id: int) -> bool:
        with self.writer() as conn:
            return revoke(conn, user_id, credential_id)

    def credential_user(
        self, kind: str, now: datetime, **key: Any
    ) -> tuple[User, dict[str, Any]] | None:
        """The account a credential belongs to; its last use is noted (at most every few
        minutes, so a syncing app does not turn every read into a write)."""
        with self.reader() as conn:
            found = find(conn, kind, now, **key)
        if found is not None:
            used = found[1]["last_used_at"]
            if used is None or used < now - TOUCH_EVERY:
                with self.writer() as conn:
                    touch(conn, found[1]["id"], now)
        return found


__all__ = ["KINDS", "CredentialQueries"]
