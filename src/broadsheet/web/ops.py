"""Operations: ``/readyz`` (can this process serve?) and ``/metrics`` (Prometheus).

``/healthz`` (in pages.py) only says the process is alive. ``/readyz`` checks what a load
balancer needs before sending readers: the database answers, its schema is at the
migrations' head, and — when the site runs a worker — the worker's heartbeat is recent.
``/metrics`` exposes, from a registry of this app (never the process-global one, so two
apps in one process do not collide): every request's latency by route template and its
count by status, and at each scrape the store's kept totals (articles, stories) and the
sources failing now.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet import logs

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
    from broadsheet.web.health import HEARTBEAT_KEY

    raw = store.get_meta(HEARTBEAT_KEY)
    try:
        beat = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(beat, dict) or not isinstance(beat.get("at"), int | float):
        return None
    if beat.get("stopped"):
        return None
    return datetime.fromtimestamp(float(beat["at"]), UTC)
