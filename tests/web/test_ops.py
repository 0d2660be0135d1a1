"""/readyz and /metrics through the real ASGI app."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from broadsheet.store import Store
from tests.web.asgi import get
from tests.web.sample import NOW


def _samples(app: FastAPI) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = get(app, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_requests_by_route_template(app: FastAPI, ids: dict[str, int]) -> None:
    for article_id in list(ids.values())[:3]:
        assert get(app, f"/articles/{article_id}").status_code == 200
    get(app, "/articles/999999")
    samples = _samples(app)
    route = (("route", "/articles/{article_id}"),)
    assert samples[("broadsheet_requests_total", (*route, ("status", "200")))] == 3
    assert samples[("broadsheet_requests_total", (*route, ("status", "404")))] == 1
    assert samples[("broadsheet_request_seconds_count", route)] == 4
    assert samples[("broadsheet_articles", ())] == len(ids)
    assert samples[("broadsheet_sources", (("state", "enabled"),))] == 2


def test_readyz_checks_the_schema(app: FastAPI, ids: dict[str, int]) -> None:
    ready = get(app, "/readyz")
    assert ready.status_code == 200
    body = json.loads(ready.text)
    assert body["status"] == "ready" and body["schema"]["current"] is True


def test_readyz_wants_a_recent_worker_heartbeat_when_one_is_expected(
    app: FastAPI, store: Store
) -> None:
    app.state.expects_worker = True
    assert get(app, "/readyz").status_code == 503
    beat = {"at": (NOW - timedelta(minutes=20)).timestamp(), "every": 10}
    store.set_meta("worker", json.dumps(beat))  # as jobs/worker.py writes it
    stale = json.loads(get(app, "/readyz").text)
    assert stale["problems"] == ["no recent worker heartbeat"]
    beat["at"] = (NOW - timedelta(seconds=30)).timestamp()
    store.set_meta("worker", json.dumps(beat))
    assert get(app, "/readyz").status_code == 200
