"""Locale negotiation and date formatting, with Babel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from babel import Locale

from broadsheet.web.i18n import (
    absolute_datetime,
    html_lang,
    iso_datetime,
    negotiate,
    parse_accept_language,
    relative_time,
)

NOW = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de_DE"),
        ("en;q=0.5, fr-CH", "fr_CH"),  # quality wins over position
        ("x-klingon, ja;q=0.1", "ja"),  # unknown to Babel: skipped
        ("zh-Hant-TW", "zh_Hant_TW"),
        ("*", "en"),
        ("de;q=0", "en"),
        ("de;q=nan, fr;q=inf, it;q=-1", "en"),
        ("../../etc/passwd, \x00de", "en"),
        (None, "en"),
        ("a" * 10_000, "en"),
        ("," * 10_000 + "de", "en"),  # past the part limit: ignored, not parsed
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert str(negotiate(header, "en")) == expected


def test_negotiate_falls_back_to_the_setting_then_english() -> None:
    assert str(negotiate("tlh", "pt_BR")) == "pt_BR"
    assert str(negotiate(None, "not a locale")) == "en"


def test_parse_accept_language_keeps_order_for_equal_quality() -> None:
    assert parse_accept_language("fr, de;q=0.8, en, it;q=0.8") == ["fr", "en", "de", "it"]


@pytest.mark.parametrize(
    ("locale", "age", "expected"),
    [
        ("en", timedelta(minutes=26), "26 minutes ago"),
        ("de", timedelta(minutes=26), "vor 26 Minuten"),
        ("fr", timedelta(hours=3), "il y a 3 heures"),
        ("en", timedelta(days=2), "2 days ago"),
        ("en", timedelta(seconds=5), "1 minute ago"),
        ("en", timedelta(seconds=-30), "1 minute ago"),  # a little in the future: skew
    ],
)
def test_relative_time(locale: str, age: timedelta, expected: str) -> None:
    assert relative_time(NOW - age, NOW, Locale.parse(locale)) == expected


def test_naive_datetimes_are_utc() -> None:
    naive = datetime(2024, 5, 14, 11, 34)
    assert relative_time(naive, NOW, Locale("en")) == "26 minutes ago"
    assert iso_datetime(naive) == "2024-05-14T11:34:00+00:00"


def test_absolute_datetime_in_zone_and_locale() -> None:
    dt = datetime(2024, 5, 14, 11, 34, 56, tzinfo=UTC)
    assert absolute_datetime(dt, "UTC", Locale("en")).replace("\u202f", " ") == (
        "May 14, 2024, 11:34 AM UTC"
    )
    assert absolute_datetime(dt, "Europe/Berlin", Locale("de")) == "14. Mai 2024, 13:34 MESZ"
    assert absolute_datetime(dt, "UTC", Locale("de"), "medium") == "14.05.2024, 11:34 UTC"


def test_html_lang() -> None:
    assert html_lang(Locale.parse("zh_Hant_TW")) == "zh-Hant-TW"
    assert html_lang(Locale("de")) == "de"


def _babel_relative(dt: datetime, now: datetime, locale: Locale) -> str:
    """What relative_time said before it kept its texts: Babel on every call."""
    from babel.dates import format_timedelta

    minutes = min(round((dt - now).total_seconds() / 60), -1)
    return format_timedelta(
        timedelta(minutes=minutes), granularity="minute", add_direction=True, locale=locale
    )


def _babel_absolute(dt: datetime, tz: str, locale: Locale, width: str) -> str:
    """What absolute_datetime said before it kept its parts: Babel on every call."""
    from babel.dates import format_date, format_time, get_datetime_format, get_timezone

    zone = get_timezone(tz)
    local = dt.replace(second=0, microsecond=0).astimezone(zone)
    short_time = locale.time_formats["short"].pattern
    time_part = format_time(local, f"{short_time} z", tzinfo=zone, locale=locale)
    date_part = format_date(local, width, locale=locale)
    pattern = str(get_datetime_format(width, locale=locale)).replace("'", "")
    return pattern.replace("{0}", time_part).replace("{1}", date_part)


@pytest.mark.parametrize("locale_id", ["en", "en_GB", "fr", "ar", "de_CH", "ja", "ru"])
def test_kept_date_texts_are_what_babel_says(locale_id: str) -> None:
    """Relative and absolute times are kept by what their text depends on (the unit and
    its number; the date, and the minute of the day with the zone's offset and DST):
    across ages from a minute to years, and zones with and without daylight saving, each
    text is Babel's own for that time."""
    import random

    locale = Locale.parse(locale_id)
    rng = random.Random(locale_id)
    ages = [*range(1, 200), *(rng.randint(1, 3 * 365 * 24 * 60) for _ in range(1500))]
    for minutes in ages:
        dt = NOW - timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        assert relative_time(dt, NOW, locale) == _babel_relative(dt, NOW, locale), minutes
        for tz in ("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"):
            for width in ("medium", "long"):
                expected = _babel_absolute(dt, tz, locale, width)
                assert absolute_datetime(dt, tz, locale, width) == expected, (dt, tz)
    future = NOW + timedelta(minutes=5)  # clock skew: still "1 minute ago"
    assert relative_time(future, NOW, locale) == _babel_relative(future, NOW, locale)
