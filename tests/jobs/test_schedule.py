from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadsheet.config import Settings
from broadsheet.errors import FetchTimeout, HTTPStatus
from broadsheet.jobs.schedule import after_failure, after_success, is_failing
from broadsheet.models import Source

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _source(**kw: object) -> Source:
    return Source(id=1, url="https://x.example/feed", name="X", **kw)  # type: ignore[arg-type]


def test_busy_feed_is_polled_more_often_quiet_feed_less(settings: Settings) -> None:
    busy = after_success(_source(poll_interval=1800), 5, NOW, settings)
    quiet = after_success(_source(poll_interval=1800), 0, NOW, settings)
    assert busy["poll_interval"] == 900 and busy["next_poll_at"] == NOW + timedelta(seconds=900)
    assert quiet["poll_interval"] == 2700
    floor = after_success(_source(poll_interval=settings.poll_interval_min), 9, NOW, settings)
    ceiling = after_success(_source(poll_interval=settings.poll_interval_max), 0, NOW, settings)
    assert floor["poll_interval"] == settings.poll_interval_min
    assert ceiling["poll_interval"] == settings.poll_interval_max
    assert busy["error_count"] == 0 and busy["last_error"] is None


def test_failures_back_off_exponentially_up_to_the_cap(settings: Settings) -> None:
    err = FetchTimeout("https://x.example/feed", "timed out after 20 s")
    delays = []
    source = _source(poll_interval=600)
    for _ in range(12):
        fields = after_failure(source, err, NOW, settings)
        delays.append((fields["next_poll_at"] - NOW).total_seconds())
        source = _source(poll_interval=600, error_count=fields["error_count"])
    assert delays[:4] == [600, 1200, 2400, 4800]
    assert max(delays) == settings.backoff_max
    assert "timed out" in fields["last_error"]
    assert is_failing(source, settings)


def test_retry_after_is_honoured_when_longer(settings: Settings) -> None:
    err = HTTPStatus("https://x.example/feed", 429, retry_after=7200)
    fields = after_failure(_source(poll_interval=600), err, NOW, settings)
    assert fields["next_poll_at"] == NOW + timedelta(seconds=7200)


def test_gone_disables_the_source(settings: Settings) -> None:
    fields = after_failure(_source(), HTTPStatus("https://x.example/feed", 410), NOW, settings)
    assert fields["enabled"] is False and "410" in fields["disabled_reason"]


def test_a_poll_that_left_a_backlog_comes_back_soon(settings: Settings) -> None:
    capped = after_success(_source(poll_interval=1800), 100, NOW, settings, backlog=True)
    assert capped["next_poll_at"] == NOW + timedelta(seconds=settings.backlog_repoll)
    assert capped["poll_interval"] == 900  # the feed is busy: its interval shrinks too
    # even when every entry of the capped poll failed (nothing new), it comes back soon
    failed = after_success(_source(poll_interval=1800), 0, NOW, settings, backlog=True)
    assert failed["next_poll_at"] == NOW + timedelta(seconds=settings.backlog_repoll)
