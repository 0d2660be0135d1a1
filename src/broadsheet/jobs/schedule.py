"""When to poll a source next: pure functions of the outcome, the source and the settings.

- Success with new articles: the interval shrinks (the feed is busy), never below the
  minimum. Success with nothing new (or 304): it grows, never above the maximum.
- A poll that left new entries behind (it hit ``max_new_per_poll``): the source is due
  again after ``backlog_repoll`` seconds, so a big new feed drains in minutes.
- Failure: exponential back-off from the current interval, capped; a server's
  Retry-After is honoured when longer. HTTP 410 Gone disables the source.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError, HTTPStatus
from broadsheet.models import Source

SHRINK = 0.5
GROW = 1.5


def _clamp(value: float, low: int, high: int) -> int:
    return int(max(low, min(high, value)))


def after_success(
    source: Source,
    new_articles: int,
    now: datetime,
    settings: Settings,
    *,
    backlog: bool = False,
) -> dict[str, Any]:
    factor = SHRINK if new_articles > 0 or backlog else GROW
    interval = _clamp(
        source.poll_interval * factor, settings.poll_interval_min, settings.poll_interval_max
    )
    wait = min(interval, settings.backlog_repoll) if backlog else interval
    return {
        "poll_interval": interval,
        "next_poll_at": now + timedelta(seconds=wait),
        "last_polled_at": now,
        "last_success_at": now,
        "error_count": 0,
        "last_error": None,
    }


def after_failure(
    source: Source, error: BroadsheetError, now: datetime, settings: Settings
) -> dict[str, Any]:
    errors = source.error_count + 1
    delay = min(settings.backoff_max, source.poll_interval * (2 ** min(errors - 1, 16)))
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        delay = max(delay, min(retry_after, settings.retry_after_max))
    fields: dict[str, Any] = {
        "error_count": errors,
        "last_error": str(error)[:1000],
        "last_polled_at": now,
        "next_poll_at": now + timedelta(seconds=delay),
    }
    if isinstance(error, HTTPStatus) and error.status == 410:
        fields["enabled"] = False
        fields["disabled_reason"] = "the feed is gone (HTTP 410); remove it or re-enable it"
    return fields


def is_failing(source: Source, settings: Settings) -> bool:
    return source.error_count >= settings.failing_after
