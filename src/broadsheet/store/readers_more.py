"""More of the store's methods for readers (0010): the Daily 8 digest's sends, kept
comment counts, visits and passkeys. ``Store`` inherits them; the SQL is in digests.py,
comments.py, passkeys.py and users.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from broadsheet.store import comments, digests, passkeys
from broadsheet.store.readers import FollowQueries


class MoreReaderQueries(FollowQueries):
    # --- the Daily 8 by mail ------------------------------------------------------------
    def digest_readers_due(self, day: str, limit: int = 500) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return digests.readers_due(conn, day, limit)

    def claim_digest(self, user_id: int, day: str, edition: str, now: datetime) -> bool:
        """Committed before the mail is sent (see store/digests.py for why)."""
        with self.writer() as conn:
            return digests.claim(conn, user_id, day, edition, now)

    def finish_digest(
        self, user_id: int, day: str, status: str, now: datetime, error: str | None = None
    ) -> None:
        with self.writer() as conn:
            digests.finish(conn, user_id, day, status, now, error)

    def digest_day_counts(self, day: str) -> dict[str, int]:
        with self.reader() as conn:
            return digests.day_counts(conn, day)

    # --- kept comment counts ------------------------------------------------------------
    def comment_counts(self, kind: str, ids: list[int]) -> dict[int, int]:
        """Visible comments per article or story (kind), for teasers; absent: none."""
        if not ids:
            return {}
        with self.reader() as conn:
            return comments.kept_counts(conn, kind, ids)

    # --- passkeys -----------------------------------------------------------------------
    def add_passkey(
        self,
        user_id: int,
        credential_id: str,
        public_key: bytes,
        sign_count: int,
        name: str,
        now: datetime,
    ) -> int | None:
        """The new passkey's id, or None when that credential is registered already."""
        try:
            with self.writer() as conn:
                return passkeys.add(conn, user_id, credential_id, public_key, sign_count, name, now)
        except IntegrityError:
            return None

    def passkeys_of(self, user_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return passkeys.of_user(conn, user_id)

    def passkey_by_credential(self, credential_id: str) -> dict[str, Any] | None:
        with self.reader() as conn:
            return passkeys.by_credential(conn, credential_id)

    def passkey_used(self, passkey_id: int, sign_count: int, now: datetime) -> None:
        with self.writer() as conn:
            passkeys.used(conn, passkey_id, sign_count, now)

    def remove_passkey(self, user_id: int, passkey_id: int) -> bool:
        with self.writer() as conn:
            return passkeys.remove(conn, user_id, passkey_id)
