"""The reader's interface language, its gettext catalogs, and dates formatted with Babel.

The interface speaks English, French and Arabic (``LANGUAGES``). ``choose_language`` picks
one for a request: the signed-in reader's saved choice, else the ``lang`` cookie the
switcher sets, else the first offered language in Accept-Language, else the site's locale
if offered, else English. ``InterfaceLanguage`` (ASGI middleware) makes the request
current, and ``gettext``/``ngettext`` (``_`` in Python, ``_()`` and ``{% trans %}`` in the
templates) translate into its language, resolved lazily on first use. The languages and
catalogs themselves (the ``.po`` files, compiled in memory) are ``broadsheet/i18n.py``'s,
below the web, so the worker's mail uses them too.

``negotiate(accept_language, fallback)`` picks a Babel ``Locale`` from an untrusted
``Accept-Language`` header (garbage in, fallback out: it never raises).
``relative_time`` ("26 minutes ago", "vor 26 Minuten") and ``absolute_datetime``
("March 5, 2024 at 2:30 PM UTC") are what the templates call.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import (
    TIMEDELTA_UNITS,
    format_date,
    format_time,
    format_timedelta,
    get_datetime_format,
)
from babel.dates import get_timezone as babel_timezone
from starlette.types import ASGIApp, Receive, Scope, Send

from broadsheet.i18n import (  # noqa: F401 (the web's names for them, kept)
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    RTL_LANGUAGES,
    catalog,
    cldr_country_name,
    language_name,
    offered,
    parse_locale,
    po_path,
    text_direction,
)
from broadsheet.i18n import TAG as _TAG

log = logging.getLogger(__name__)

MAX_HEADER_CHARS = 512  # a real Accept-Language is a few dozen characters
MAX_TAGS = 16

LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
_SCOPE_KEY = "broadsheet.ui_language"
_request_scope: ContextVar[Scope | None] = ContextVar("broadsheet_request_scope", default=None)
_forced: ContextVar[str | None] = ContextVar("broadsheet_forced_language", default=None)


# --- the interface language -------------------------------------------------------------


def choose_language(request: Any) -> str:
    """The interface language for a request (see the module's docstring for the order)."""
    from broadsheet.web import guard

    reader = guard.current_reader(request)
    chosen = offered(reader.language) if reader is not None else None
    chosen = chosen or offered(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    for tag in parse_accept_language(request.headers.get("accept-language")):
        if found := offered(tag):
            return found
    return offered(request.app.state.settings.locale) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language of the request being answered (worked out once), else English."""
    forced = _forced.get()
    if forced:
        return forced
    scope = _request_scope.get()
    if scope is None:
        return DEFAULT_LANGUAGE
    lang = scope.get(_SCOPE_KEY)
    if lang is None:
        from starlette.requests import Request

        try:
            lang = choose_language(Request(scope))
        except Exception:  # a store that cannot say who is signed in: still a page
            log.warning("interface language not worked out; English", exc_info=True)
            lang = DEFAULT_LANGUAGE
        scope[_SCOPE_KEY] = lang
    return str(lang)


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Translate into ``lang`` inside the block, whatever the request (mail, tests)."""
    token = _forced.set(offered(lang) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _forced.reset(token)


class InterfaceLanguage:
    """Pure ASGI middleware: the request is current while it is answered, so ``gettext``
    in page code and templates (run in the thread pool, which copies the context) finds
    its language. Nothing is worked out unless something is translated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _request_scope.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _request_scope.reset(token)


@contextmanager
def for_request(scope: Scope) -> Iterator[None]:
    """Make ``scope`` current where the middleware does not reach (the 500 page, which
    Starlette renders outside the middleware stack); a no-op inside it."""
    if _request_scope.get() is not None:
        yield
        return
    token = _request_scope.set(scope)
    try:
        yield
    finally:
        _request_scope.reset(token)


def forget_language(scope: Scope) -> None:
    """After a reader changes language, the rest of the request speaks the new one."""
    scope.pop(_SCOPE_KEY, None)


# --- catalogs ---------------------------------------------------------------------------


def gettext(message: str) -> str:
    return catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return catalog(current_language()).pgettext(context, message)


def country_name(code: str | None, ui: str | None = None) -> str:
    """A country's name in the interface's language ("Allemagne", "ألمانيا"; ``ui``, else the
    request's), from Babel's CLDR data; the gazetteer's English name when CLDR has none."""
    if not code:
        return ""
    name = cldr_country_name(code, (ui if ui and parse_locale(ui) else None) or current_language())
    if name:
        return name
    from broadsheet.understand.gazetteer import country_name as english_name

    return str(english_name(code))


def format_number(n: int | float) -> str:
    """A number as the interface's language writes it: "2,000" in English, "2 000" in French."""
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=current_language()))


def date_locale(lang: str, accept_language: str | None, fallback: str) -> Locale:
    """The Babel locale for dates and numbers: the one Accept-Language asks for when it is
    in the interface's language (``en-GB`` keeps day-month order), else the language's own,
    so an English page never says "vor 3 Stunden"."""
    negotiated = negotiate(accept_language, fallback)
    if negotiated.language == lang:
        return negotiated
    return Locale.parse(lang)


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
    "1 minute ago": a news list never says "in 0 seconds". Whole minutes are what is
    formatted (the granularity shown), so a list's many times are formatted once each.
    """
    minutes = round((_aware(dt) - _aware(now)).total_seconds() / 60)
    return _relative_minutes(min(minutes, -1), locale)


RELATIVE_THRESHOLD = 0.85  # Babel's default: where format_timedelta moves to a larger unit


def _relative_minutes(minutes: int, locale: Locale) -> str:
    """Babel's ``format_timedelta`` of ``minutes``, kept under what its text depends on:
    the unit it chooses and the whole number of that unit (so "3 months ago" is formatted
    once, not once per minute of those months: a large store's times are nearly all
    different minutes)."""
    seconds = minutes * 60
    key: tuple[Any, ...] = ("minute", minutes, seconds >= 0, locale)
    for unit, per_unit in TIMEDELTA_UNITS:  # Babel's own choice of unit and number
        value = abs(seconds) / per_unit
        if value >= RELATIVE_THRESHOLD or unit == "minute":
            if unit == "minute" and value > 0:
                value = max(1, value)
            key = (unit, int(round(value)), seconds >= 0, locale)
            break
    found = _RELATIVE.get(key)
    if found is None:
        found = format_timedelta(
            timedelta(minutes=minutes), granularity="minute", add_direction=True, locale=locale
        )
        if len(_RELATIVE) >= KEPT_RELATIVE:
            _RELATIVE.clear()
        _RELATIVE[key] = found
    return found


KEPT_RELATIVE = 8192  # (unit, number, direction, locale): a few hundred per locale in use
_RELATIVE: dict[tuple[Any, ...], str] = {}


def absolute_datetime(dt: datetime, tz: str, locale: Locale, width: str = "long") -> str:
    """The date and time in ``tz``, locale-aware, to the minute, with the zone.

    ``width`` is Babel's date width (``medium`` or ``long``); the time is always the
    locale's short time plus the zone ("March 5, 2024 at 2:30 PM UTC"). The date and the
    time are formatted apart and kept (a day's date, a minute of the day in a zone's
    offset): a large store's times are nearly all different minutes, and formatting one
    with Babel costs some 50 µs.
    """
    zone = _zone(tz)
    local = _aware(dt).astimezone(zone)
    offset, dst = local.utcoffset(), local.dst()
    key = (local.hour, local.minute, offset, dst, tz, locale)
    time_part = _TIMES.get(key)
    if time_part is None:  # the short time and the zone's name (by its offset and DST)
        short_time = locale.time_formats["short"].pattern
        time_part = str(format_time(local, f"{short_time} z", tzinfo=zone, locale=locale))
        if len(_TIMES) >= KEPT_TIMES:
            _TIMES.clear()
        _TIMES[key] = time_part
    date_part = _local_date(local.date(), locale, width)
    return _datetime_pattern(width, locale).replace("{0}", time_part).replace("{1}", date_part)


KEPT_TIMES = 16384  # minutes of the day by zone offset and locale (1,440 per pair)
_TIMES: dict[tuple[Any, ...], str] = {}
_zone = functools.lru_cache(maxsize=64)(babel_timezone)


@functools.lru_cache(maxsize=4096)
def _local_date(day: date, locale: Locale, width: str) -> str:
    return str(format_date(day, width, locale=locale))


@functools.lru_cache(maxsize=64)
def _datetime_pattern(width: str, locale: Locale) -> str:
    return str(get_datetime_format(width, locale=locale)).replace("'", "")


def iso_datetime(dt: datetime) -> str:
    """For ``<time datetime>``: ISO 8601 in UTC."""
    return _aware(dt).astimezone(UTC).isoformat(timespec="seconds")


def html_lang(locale: Locale) -> str:
    """A BCP 47 tag for a ``lang`` attribute: ``de-CH``, ``zh-Hant-TW``."""
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def _aware(dt: datetime) -> datetime:
    """Datetimes are UTC throughout Broadsheet; a naive one is taken as UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
