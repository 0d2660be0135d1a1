"""Readers' accounts without I/O: address and name checks, password rules, argon2id
hashing, and the random tokens of sessions and reset links (stored only as digests)."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MAX_PASSWORD_CHARS = 1024
MAX_NAME_CHARS = 60
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,252}\.[^@\s.]{2,63}$")


def normalize_email(raw: str) -> str | None:
    """The address, trimmed and lower case, or None when it cannot be one."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email) or not email.isprintable():
        return None
    return email


def _same(message: str) -> str:
    return message


def display_name(raw: str, _: Callable[[str], str] = _same) -> tuple[str | None, str]:
    """(name, "") or (None, what is wrong). Letters of any script; no control characters.

    ``_`` translates the problem (the web passes the reader's gettext; the CLI keeps
    English); the messages are extracted into the web's catalogs from here."""
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        return None, _("Give a name to show with your comments.")
    if len(name) > MAX_NAME_CHARS:
        return None, _("Keep the name to %(count)s characters.") % {"count": MAX_NAME_CHARS}
    if not all(_allowed_char(c) for c in name):
        return None, _("The name contains characters that cannot be shown.")
    return name, ""


def _allowed_char(char: str) -> bool:
    return unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def password_problem(password: str, min_chars: int, _: Callable[[str], str] = _same) -> str:
    """What is wrong with a new password, or "" (``_`` as in ``display_name``)."""
    if len(password) < min_chars:
        return _("Use at least %(count)s characters for the password.") % {"count": min_chars}
    if len(password) > MAX_PASSWORD_CHARS:
        return _("Use at most %(count)s characters for the password.") % {
            "count": MAX_PASSWORD_CHARS
        }
    if "\x00" in password:
        return _("The password contains a character that cannot be used.")
    return ""


class Passwords:
    """argon2id with the configured cost. ``verify`` does the same work whether or not the
    account exists (a stand-in hash is checked for unknown addresses)."""

    def __init__(self, memory_kib: int, time_cost: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=1, type=Type.ID
        )
        self._stand_in = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(stored or self._stand_in, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self._hasher.check_needs_rehash(stored)


def new_token() -> str:
    """A random token for a cookie or a link: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the store keeps of a token."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# --- app passwords and API tokens (issue 13) --------------------------------------------
# Both are random secrets of 150+ bits made here, never chosen by a person, so a fast
# digest (SHA-256, ``digest``) is enough to keep them: guessing one from its digest means
# searching 2**150 values, which no slow hash would make harder, and a fast, unsalted
# digest lets a request find its credential by an indexed lookup instead of running
# argon2 against every credential. (Passwords people choose keep argon2id.)
_APP_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
API_TOKEN_PREFIX = "bsk_"


def new_app_password() -> str:
    """An app password: six groups of five letters/digits (150 bits), easy to type on a
    phone, e.g. ``k3vqa-pm7xd-...``."""
    groups = ("".join(secrets.choice(_APP_ALPHABET) for _ in range(5)) for _ in range(6))
    return "-".join(groups)


def new_api_token() -> str:
    """An API token (256 bits), recognisable by its prefix in a leaked-secret scan."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def fever_api_key(email: str, password: str) -> str:
    """The Fever protocol's api_key: md5("email:password") in lower-case hex (the protocol
    fixes it; it is only ever compared, as a digest of its own)."""
    return hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()
