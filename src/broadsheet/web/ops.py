"""Operations: ``/readyz`` (can this process serve?) and ``/metrics`` (Prometheus).

``/healthz`` (in pages.py) only says the process is alive. ``/readyz`` checks what a load
balancer needs before sending readers: the database answers, its schema is at the
migrations' head, and — when the site runs a worker — the worker's heartbeat is recent.
``/metrics`` exposes, from a registry of this app (never the process-global one, so two
apps in one process do not collide): every request's latency by route template and its
count by status, and at each scrape what the database shows: the kept totals (articles,
stories), the articles and stories of the last hour, the queues (sources due, entries
waiting for a retry, webhook deliveries), sources failing now by reason, and the worker's
own counts from its heartbeat (fetches by kind and outcome, polls, the extraction-time
histogram): the worker is another process, so in-process counters here would miss it.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet import logs
from broadsheet.errors import failure_reason

router = APIRouter()

HEARTBEAT_STALE = 300.0  # seconds without a heartbeat after which the worker is not ready
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class StoreCollector:
    """Totals read from the store at scrape time (kept counters, never a table scan)."""

    def __init__(self, app_state: Any) -> None:
        self.state = app_state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        store = self.state.store
        settings = self.state.settings
        articles = GaugeMetricFamily("broadsheet_articles", "Articles stored.")
        articles.add_metric([], store.count_articles())
        yield articles
        stories = GaugeMetricFamily("broadsheet_stories", "Stories with at least one article.")
        stories.add_metric([], store.count_stories())
        yield stories
        sources = store.list_sources()
        failing = GaugeMetricFamily("broadsheet_sources", "Sources by state.", labels=["state"])
        bad = sum(1 for s in sources if s.enabled and s.error_count >= settings.failing_after)
        failing.add_metric(["failing"], bad)
        failing.add_metric(["enabled"], sum(1 for s in sources if s.enabled))
        failing.add_metric(["disabled"], sum(1 for s in sources if not s.enabled))
        yield failing
        reasons = GaugeMetricFamily(
            "broadsheet_source_failures",
            "Enabled sources whose last poll failed, by reason (from their last error).",
            labels=["reason"],
        )
        by_reason = collections.Counter(
            failure_reason(s.last_error or "") for s in sources if s.enabled and s.error_count
        )
        for reason, n in sorted(by_reason.items()):
            reasons.add_metric([reason], n)
        yield reasons
        yield from self._recent(store)
        yield from worker_metrics(_beat(store))

    def _recent(self, store: Any) -> Iterator[GaugeMetricFamily]:
        now: datetime = self.state.clock()
        found = store.ops_counts(now - timedelta(hours=1), now)
        articles = GaugeMetricFamily(
            "broadsheet_articles_last_hour", "Articles stored in the last hour."
        )
        articles.add_metric([], found["articles"])
        yield articles
        stories = GaugeMetricFamily(
            "broadsheet_stories_last_hour", "Stories made in the last hour (merged ones left out)."
        )
        stories.add_metric([], found["stories"])
        yield stories
        queues = GaugeMetricFamily(
            "broadsheet_queue_depth",
            "Work waiting: sources due to be polled, feed entries waiting for a retry, "
            "webhook deliveries pending.",
            labels=["queue"],
        )
        for queue in ("sources_due", "entries_retrying", "webhook_deliveries"):
            queues.add_metric([queue], found[queue])
        yield queues


def worker_metrics(beat: dict[str, Any] | None) -> Iterator[Any]:
    """The worker's own counts, from its last heartbeat (meta ``worker``): the worker is
    another process (or a thread of ``serve``), so its counters live in the database.
    They start again from zero when the worker restarts, as Prometheus counters may."""
    up = GaugeMetricFamily("broadsheet_worker_up", "1 when the worker's heartbeat is recent.")
    age = time.time() - float(beat["at"]) if beat else None
    alive = beat is not None and not beat.get("stopped") and age is not None
    up.add_metric([], 1 if alive and age is not None and age <= HEARTBEAT_STALE else 0)
    yield up
    if beat is None:
        return
    seconds = GaugeMetricFamily(
        "broadsheet_worker_heartbeat_age_seconds", "Seconds since the worker's heartbeat."
    )
    seconds.add_metric([], max(0.0, age or 0.0))
    yield seconds
    for key, name, text in (
        ("polls", "broadsheet_worker_polls", "Feeds polled by the worker."),
        ("new_articles", "broadsheet_worker_new_articles", "Articles the worker stored."),
        ("failures", "broadsheet_worker_failures", "Failed sources and entries."),
        ("crashed_polls", "broadsheet_worker_crashed_polls", "Polls that raised (bugs)."),
    ):
        counter = CounterMetricFamily(name, text)
        counter.add_metric([], _number(beat.get(key)))
        yield counter
    in_flight = GaugeMetricFamily("broadsheet_worker_polls_in_flight", "Polls under way.")
    in_flight.add_metric([], _number(beat.get("polls_in_flight")))
    yield in_flight
    fetches = CounterMetricFamily(
        "broadsheet_fetches",
        "Fetches by the worker: kind (feed or page) and outcome (ok, or the failure's "
        "reason: http_4xx, http_5xx, timeout, dns, connection, blocked, robots, too_large, "
        "parse, extraction, other).",
        labels=["kind", "outcome"],
    )
    raw = beat.get("fetches")
    for label, n in sorted(raw.items() if isinstance(raw, dict) else []):
        kind, _, outcome = str(label).partition(" ")
        fetches.add_metric([kind, outcome or "ok"], _number(n))
    yield fetches
    extract = beat.get("extract_seconds")
    if isinstance(extract, dict) and isinstance(extract.get("le"), list):
        histogram = HistogramMetricFamily(
            "broadsheet_extraction_seconds", "Time to extract one page's article."
        )
        bounds = [str(float(b)) for b in extract["le"]] + ["+Inf"]
        counts = [_number(c) for c in extract.get("counts", [])] + [_number(extract.get("count"))]
        if len(counts) == len(bounds):
            histogram.add_metric(
                [], list(zip(bounds, counts, strict=True)), _number(extract.get("sum"))
            )
            yield histogram


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _beat(store: Any) -> dict[str, Any] | None:
    from broadsheet.web.health import current_beat

    return current_beat(store)[0]


class Metrics:
    """The app's registry and its request instruments."""

    def __init__(self, app_state: Any) -> None:
        self.registry = CollectorRegistry()  # collectors are read at scrape time only
        self.latency = Histogram(
            "broadsheet_request_seconds",
            "Time to answer a request, by route.",
            ["route"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.requests = Counter(
            "broadsheet_requests",
            "Requests answered, by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.registry.register(StoreCollector(app_state))


class RequestMetrics:
    """Pure ASGI middleware: times every HTTP request, labelled by its route template
    (``/articles/{article_id}``, never the raw path, so labels stay few)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            took = time.perf_counter() - start
            self.metrics.latency.labels(label).observe(took)
            self.metrics.requests.labels(label, str(status)).inc()
            client = scope.get("client") or ("", 0)
            query = scope.get("query_string", b"").decode("latin-1")
            logs.request_event(scope["method"], scope["path"], query, status, took, client[0])


@router.get("/metrics")
def metrics(request: Request) -> Response:
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when this process can serve readers, else 503 with what is wrong."""
    state = request.app.state
    store = state.store
    problems: list[str] = []
    checks: dict[str, Any] = {}
    try:
        checks["schema"] = store.schema_revision()
        if not checks["schema"]["current"]:
            problems.append("database schema is behind the migrations (run broadsheet migrate)")
    except Exception as exc:  # any failure to read is "not ready", said plainly
        problems.append(f"database not reachable ({type(exc).__name__})")
    if getattr(state, "expects_worker", False):
        beat = _heartbeat(store)
        now: datetime = state.clock()
        age = None if beat is None else (now - beat).total_seconds()
        checks["worker_heartbeat_age"] = age
        if age is None or age > HEARTBEAT_STALE:
            problems.append("no recent worker heartbeat")
    status = 503 if problems else 200
    return JSONResponse(
        {"status": "ready" if not problems else "not ready", "problems": problems, **checks},
        status_code=status,
    )


def _heartbeat(store: Any) -> datetime | None:
    """When the worker last said it was alive (its meta row, written by jobs/worker.py)."""
    beat = _beat(store)
    if beat is None or beat.get("stopped"):
        return None
    return datetime.fromtimestamp(float(beat["at"]), UTC)
