"""Cleaning the untrusted fields every source parser hands over: text, languages, dates.

Publishers send anything: HTML in titles, NUL bytes, lone surrogates, 32 KB authors, the
year 0, the year 99999, offsets of +25:00 and dates next month. These helpers turn such
values into plain, bounded strings and plausible aware UTC datetimes, or None.
"""

from __future__ import annotations

import email.utils
import html
import re
import time
from datetime import UTC, datetime, timedelta, timezone

TITLE_MAX = 1000
AUTHOR_MAX = 200
CATEGORY_MAX = 100
CATEGORIES_MAX = 20
SUMMARY_MAX = 100_000
CONTENT_MAX = 1_000_000
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before that: an epoch-zero bug, not news
FUTURE_SLACK = timedelta(days=2)

_UNSAFE_CHARS = re.compile("[\x00\ud800-\udfff]")  # NUL never reaches the database
# Controls, lone surrogates, and the bidi embeddings, overrides and isolates: a U+202E in
# an outlet's name would reverse the text after it wherever the name is shown. (The bidi
# marks U+200E, U+200F and U+061C stay: they are real text and affect nothing beyond.)
_CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.S)
_SPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,4}$")


def safe_string(value: object, limit: int | None = None) -> str | None:
    """A string without NUL or lone surrogates, optionally capped; None for non-strings."""
    if not isinstance(value, str):
        return None
    value = _UNSAFE_CHARS.sub("", value[: limit * 2] if limit else value)
    return value[:limit] if limit else value


def plain_text(value: object, limit: int = TITLE_MAX) -> str:
    """Plain text from a title-like field: tags stripped, entities unescaped, one line."""
    if not isinstance(value, str):
        return ""
    value = value[: limit * 20]  # bound the work on giant fields before any regex
    if "<" in value:
        value = _TAG.sub(" ", value)
    if "&" in value:
        value = html.unescape(value)
    value = _CONTROL_CHARS.sub("", value)
    value = _SPACE.sub(" ", value).strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def categories(values: object) -> tuple[str, ...]:
    """Cleaned, deduplicated category names, at most CATEGORIES_MAX."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return ()
    seen: dict[str, None] = {}
    for value in values[: CATEGORIES_MAX * 5]:
        name = plain_text(value, CATEGORY_MAX)
        if name and name.casefold() not in {s.casefold() for s in seen}:
            seen[name] = None
        if len(seen) >= CATEGORIES_MAX:
            break
    return tuple(seen)


def language(value: object) -> str | None:
    """A BCP 47-looking language tag ("en", "pt-BR"), or None."""
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-")
    return value if _LANGUAGE.match(value) else None


# --- dates -----------------------------------------------------------------------------

_ISO = re.compile(
    r"^\s*(\d{4,})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$"
)
_YEAR_TOKEN = re.compile(r"(?<![\d:+-])(\d{3,})(?![\d:])")


class _Unrecognized:
    pass


_UNRECOGNIZED = _Unrecognized()


def _iso8601(raw: str) -> datetime | None | _Unrecognized:
    m = _ISO.match(raw)
    if not m:
        return _UNRECOGNIZED
    year, month, day, hour, minute, second, zone = m.groups()
    offset = 0
    if zone and zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = (hours * 60 + minutes) * (1 if zone[0] == "+" else -1)
    try:
        tz = timezone(timedelta(minutes=offset))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except (ValueError, OverflowError):
        return None


def _rfc822(raw: str) -> datetime | None | _Unrecognized:
    try:
        parts = email.utils.parsedate_tz(raw)
    except (ValueError, IndexError, TypeError):
        parts = None
    if parts is None:
        return _UNRECOGNIZED
    token = _YEAR_TOKEN.search(raw)
    if token and int(token.group(1)) != parts[0]:  # "0000" silently became 2000
        return None
    offset = parts[9] or 0
    if abs(offset) >= 24 * 3600:
        return None
    try:
        return datetime(*parts[:6], tzinfo=timezone(timedelta(seconds=offset)))
    except (ValueError, OverflowError):
        return None


def parse_date(
    raw: object, now: datetime, fallback: time.struct_time | None = None
) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 / RFC 3339 / RFC 822 string, or None.

    ``fallback`` (a UTC struct_time a library parsed from a rarer format) is used only
    when ``raw`` is in neither common format. Implausible results (before 1990, more
    than two days after ``now``) are None: the pipeline then uses the fetch time.
    """
    result: datetime | None | _Unrecognized = _UNRECOGNIZED
    if isinstance(raw, str) and len(raw) <= 200:
        result = _iso8601(raw)
        if result is _UNRECOGNIZED:
            result = _rfc822(raw)
    if result is _UNRECOGNIZED:
        result = None
        if fallback is not None:
            try:
                result = datetime(*fallback[:6], tzinfo=UTC)
            except (ValueError, TypeError, OverflowError):
                return None
    if not isinstance(result, datetime):
        return None
    try:
        result = result.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    if result < EARLIEST or result > now + FUTURE_SLACK:
        return None
    return result
