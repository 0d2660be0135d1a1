"""The reader's locale and the dates shown to them, formatted with Babel.

``negotiate(accept_language, fallback)`` picks a Babel ``Locale`` from an untrusted
``Accept-Language`` header (garbage in, fallback out: it never raises).
``relative_time`` ("26 minutes ago", "vor 26 Minuten") and ``absolute_datetime``
("March 5, 2024 at 2:30 PM UTC") are what the templates call.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta, get_datetime_format
from babel.dates import get_timezone as babel_timezone

MAX_HEADER_CHARS = 512  # a real Accept-Language is a few dozen characters
MAX_TAGS = 16
_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")
_ONE_MINUTE = timedelta(minutes=1)


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, most preferred first.

    Malformed parts are dropped one by one; ``*`` and ``q=0`` mean nothing to us.
    """
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header[:MAX_HEADER_CHARS].split(",")[:MAX_TAGS]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not _TAG.match(tag):
            continue
        quality = 1.0
        params = params.strip()
        if params:
            name, _, value = params.partition("=")
            if name.strip().lower() != "q":
                continue
            try:
                quality = float(value.strip())
            except ValueError:
                continue
            if not 0.0 < quality <= 1.0:  # also rejects nan
                continue
        weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def parse_locale(tag: str) -> Locale | None:
    """A Babel locale for a BCP 47 tag (``de-CH``) or identifier (``de_CH``), else None."""
    tag = tag.replace("_", "-")
    if not _TAG.match(tag):
        return None
    try:
        return Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def negotiate(accept_language: str | None, fallback: str) -> Locale:
    """The first locale the reader asked for that Babel knows; else ``fallback``; else en."""
    for tag in parse_accept_language(accept_language):
        locale = parse_locale(tag)
        if locale is not None:
            return locale
    return parse_locale(fallback) or Locale("en")


def relative_time(dt: datetime, now: datetime, locale: Locale) -> str:
    """``dt`` relative to ``now``: "26 minutes ago", "vor 3 Stunden", "il y a 2 jours".

    Anything under a minute old, or a little in the future (clock skew), reads as
    "1 minute ago": a news list never says "in 0 seconds".
    """
    delta = _aware(dt) - _aware(now)
    delta = min(delta, -_ONE_MINUTE)
    return format_timedelta(delta, granularity="minute", add_direction=True, locale=locale)


def absolute_datetime(dt: datetime, tz: str, locale: Locale, width: str = "long") -> str:
    """The date and time in ``tz``, locale-aware, to the minute, with the zone.

    ``width`` is Babel's date width (``medium`` or ``long``); the time is always the
    locale's short time plus the zone ("March 5, 2024 at 2:30 PM UTC").
    """
    zone = babel_timezone(tz)
    local = _aware(dt).astimezone(zone)
    short_time = locale.time_formats["short"].pattern
    time_part = format_time(local, f"{short_time} z", tzinfo=zone, locale=locale)
    date_part = format_date(local, width, locale=locale)
    pattern = str(get_datetime_format(width, locale=locale)).replace("'", "")
    return pattern.replace("{0}", time_part).replace("{1}", date_part)


def iso_datetime(dt: datetime) -> str:
    """For ``<time datetime>``: ISO 8601 in UTC."""
    return _aware(dt).astimezone(UTC).isoformat(timespec="seconds")


def html_lang(locale: Locale) -> str:
    """A BCP 47 tag for a ``lang`` attribute: ``de-CH``, ``zh-Hant-TW``."""
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def _aware(dt: datetime) -> datetime:
    """Datetimes are UTC throughout Broadsheet; a naive one is taken as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def language_name(code: str | None, ui: str) -> str:
    """A language code's name in the interface language: ``de`` → "German" (en),
    "allemand" (fr); ``pt-BR`` → "Portuguese (Brazil)". An unknown code is shown as is."""
    if not code:
        return ""
    where = parse_locale(ui) or Locale("en")
    wanted = parse_locale(code)
    if wanted is None:
        return code
    name = wanted.get_display_name(where)
    return name[:1].upper() + name[1:] if name else code


def country_name(code: str | None, ui: str) -> str:
    """An ISO 3166 code's name in the interface language: ``CL`` → "Chile"; unknown codes
    are shown as they are."""
    if not code:
        return ""
    where = parse_locale(ui) or Locale("en")
    return str(where.territories.get(code.upper(), code.upper()))
