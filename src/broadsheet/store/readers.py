"""The store's methods for readers (issue 11): accounts, sessions, reset links, comments,
moderation, saved and read articles. ``Store`` inherits them; the SQL lives in users.py,
sessions.py, comments.py and saved.py."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from broadsheet.models import Comment, ReaderArticle, User
from broadsheet.store import comments, follows, saved, sessions, users


class ReaderQueries:
    # Provided by Store.
    def reader(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def writer(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    # --- accounts -----------------------------------------------------------------------
    def create_user(
        self,
        email: str,
        display_name: str,
        password_hash: str,
        role: str,
        now: datetime,
        verified: bool = True,
    ) -> int | None:
        """The new account's id, or None if the address has an account already."""
        try:
            with self.writer() as conn:
                return users.create(conn, email, display_name, password_hash, role, now, verified)
        except IntegrityError:
            return None

    def get_user(self, user_id: int) -> User | None:
        with self.reader() as conn:
            return users.get(conn, user_id)

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        with self.reader() as conn:
            return users.by_email(conn, email)

    def list_users(self) -> list[User]:
        with self.reader() as conn:
            return users.list_all(conn)

    def count_users(self) -> int:
        with self.reader() as conn:
            return users.count(conn)

    def update_user(self, user_id: int, **values: Any) -> bool:
        with self.writer() as conn:
            return users.set_fields(conn, user_id, **values)

    def set_password(self, user_id: int, password_hash: str) -> None:
        with self.writer() as conn:
            users.set_password(conn, user_id, password_hash)

    def disable_user(self, user_id: int, now: datetime) -> None:
        with self.writer() as conn:
            users.disable(conn, user_id, now)

    # --- sessions and reset links -------------------------------------------------------
    def meta_setdefault(self, key: str, value: str) -> str:
        with self.writer() as conn:
            return sessions.meta_setdefault(conn, key, value)

    def start_session(
        self,
        token_hash: str,
        user_id: int,
        now: datetime,
        expires: datetime,
        replaces: str | None = None,
    ) -> None:
        """A new session; the one it replaces (the cookie sent at sign-in) ends with it."""
        with self.writer() as conn:
            if replaces is not None:
                sessions.end(conn, replaces)
            sessions.purge_expired(conn, now)
            sessions.create(conn, token_hash, user_id, now, expires)

    def session_user(self, token_hash: str, now: datetime) -> User | None:
        with self.reader() as conn:
            return sessions.user_of(conn, token_hash, now)

    def end_session(self, token_hash: str) -> None:
        with self.writer() as conn:
            sessions.end(conn, token_hash)

    def create_reset(self, token_hash: str, user_id: int, now: datetime, expires: datetime) -> None:
        with self.writer() as conn:
            sessions.create_reset(conn, token_hash, user_id, now, expires)

    def reset_user(self, token_hash: str, now: datetime) -> int | None:
        with self.reader() as conn:
            return sessions.reset_user(conn, token_hash, now)

    def use_reset(self, token_hash: str, password_hash: str, now: datetime) -> int | None:
        """Spend the link and set the password in one transaction; None if it is not valid."""
        with self.writer() as conn:
            user_id = sessions.use_reset(conn, token_hash, now)
            if user_id is not None:
                users.set_password(conn, user_id, password_hash)
            return user_id

    # --- comments and moderation --------------------------------------------------------
    def add_comment(
        self,
        article_id: int | None,
        user_id: int,
        parent_id: int | None,
        body: str,
        now: datetime,
        held_reason: str | None,
        story_id: int | None = None,
    ) -> tuple[int, str]:
        """Store a comment on an article (or, with ``story_id``, on a story): held if
        ``held_reason`` or it is the reader's first. Returns (id, status)."""
        target = ("story", story_id) if story_id is not None else ("article", article_id)
        with self.writer() as conn:
            if held_reason is None and not comments.has_visible(conn, user_id):
                held_reason = "first comment of this reader"
            status = "held" if held_reason else "visible"
            cid = comments.add(conn, target, user_id, parent_id, body, status, held_reason, now)  # type: ignore[arg-type]
            return cid, status

    def get_comment(self, comment_id: int) -> Comment | None:
        with self.reader() as conn:
            return comments.get(conn, comment_id)

    def article_comments(
        self,
        article_id: int,
        viewer_id: int | None,
        newest_first: bool,
        cursor: int | None,
        limit: int,
        kind: str = "article",
    ) -> tuple[list[Comment], int | None, int]:
        """A page of comments on an article (or, kind="story", a story), the next page's
        cursor, and the visible count."""
        target = (kind, article_id)
        with self.reader() as conn:
            # the kept count (a primary-key read), not a count of the comments; with none
            # visible an anonymous reader has nothing to see (a signed-in one may have their
            # own held comments), so most article pages stop at this one read
            count = comments.kept_counts(conn, kind, [article_id]).get(article_id, 0)
            if count == 0 and viewer_id is None:
                return [], None, 0
            page, following = comments.for_target(
                conn, target, viewer_id, newest_first, cursor, limit
            )
            return page, following, count

    def edit_comment(self, comment_id: int, body: str, now: datetime) -> None:
        with self.writer() as conn:
            comments.set_body(conn, comment_id, body, now)

    def delete_own_comment(self, comment_id: int) -> None:
        with self.writer() as conn:
            comments.set_status(conn, comment_id, "deleted", clear_body=True)

    def report_comment(self, comment_id: int, user_id: int, now: datetime) -> bool:
        with self.writer() as conn:
            return comments.report(conn, comment_id, user_id, now)

    def moderation_queue(self, limit: int = 100) -> list[Comment]:
        with self.reader() as conn:
            return comments.queue(conn, limit)

    def moderate_comment(
        self, moderator_id: int, comment_id: int, action: str, now: datetime
    ) -> None:
        """hide | restore | delete, logged in the same transaction."""
        status = {"hide": "hidden", "restore": "visible", "delete": "deleted"}[action]
        with self.writer() as conn:
            found = comments.get(conn, comment_id)
            comments.set_status(conn, comment_id, status, clear_body=action == "delete")
            comments.log(
                conn,
                moderator_id,
                action,
                now,
                comment_id=comment_id,
                target_user_id=found.user_id if found else None,
            )

    def ban_user(self, moderator_id: int, user_id: int, now: datetime, ban: bool = True) -> None:
        with self.writer() as conn:
            users.set_fields(conn, user_id, banned_at=now if ban else None)
            comments.log(conn, moderator_id, "ban" if ban else "unban", now, target_user_id=user_id)

    def log_moderation(
        self, moderator_id: int | None, action: str, now: datetime, **what: Any
    ) -> None:
        with self.writer() as conn:
            comments.log(conn, moderator_id, action, now, **what)

    def moderation_log(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return comments.recent_log(conn, limit)

    # --- saved and read -----------------------------------------------------------------
    def save_for_later(self, user_id: int, article_id: int, now: datetime, keep: bool) -> None:
        with self.writer() as conn:
            if keep:
                saved.save(conn, user_id, article_id, now)
            else:
                saved.unsave(conn, user_id, article_id)

    def is_saved(self, user_id: int, article_id: int) -> bool:
        with self.reader() as conn:
            return saved.is_saved(conn, user_id, article_id)

    def saved_articles(self, user_id: int, limit: int = 200) -> list[ReaderArticle]:
        with self.reader() as conn:
            return saved.list_saved(conn, user_id, limit)

    def mark_read(self, user_id: int, article_id: int, now: datetime) -> None:
        with self.writer() as conn:
            saved.mark_read(conn, user_id, article_id, now)

    def read_history(self, user_id: int, limit: int = 200) -> list[ReaderArticle]:
        with self.reader() as conn:
            return saved.history(conn, user_id, limit)

    def read_article_ids(self, user_id: int, article_ids: list[int]) -> set[int]:
        with self.reader() as conn:
            return saved.read_ids(conn, user_id, article_ids)

    def clear_history(self, user_id: int) -> int:
        with self.writer() as conn:
            return saved.clear_history(conn, user_id)


class FollowQueries(ReaderQueries):
    # --- follows and "For you" -----------------------------------------------------------
    def set_follow(self, user_id: int, kind: str, key: str, muted: bool, now: datetime) -> None:
        with self.writer() as conn:
            follows.set_follow(conn, user_id, kind, key, muted, now)

    def unfollow(self, user_id: int, kind: str, key: str) -> None:
        with self.writer() as conn:
            follows.unfollow(conn, user_id, kind, key)

    def follows_of(self, user_id: int) -> list[dict[str, Any]]:
        with self.reader() as conn:
            return follows.list_for(conn, user_id)

    def for_you_inputs(
        self, user_id: int, since: datetime, per_follow: int
    ) -> tuple[list[dict[str, Any]], dict[int, list[tuple[str, str]]], dict[int, Any], set[int]]:
        """The reader's follows, the articles they (and the topics the reader often reads)
        bring in, those articles' facts, and which of them the reader has read."""
        with self.reader() as conn:
            followed = follows.list_for(conn, user_id)
            chosen = {(f["kind"], f["key"]) for f in followed}
            # Reading history: topics read often, unless followed or muted already.
            implicit = [
                {"kind": "read", "key": t, "muted": False}
                for t in follows.read_topics(conn, user_id, last=50, at_least=2)
                if ("topic", t) not in chosen
            ][:3]
            found = follows.candidates(conn, followed + implicit, since, per_follow)
            ids = list(found)
            return followed, found, follows.facts(conn, ids), saved.read_ids(conn, user_id, ids)


__all__ = ["FollowQueries", "ReaderQueries"]
