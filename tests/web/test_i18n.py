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
