"""``/healthz``: is the site alive, and is ingestion alive?

Cheap on purpose (a few meta rows by primary key, no count over articles): the worker's
heartbeat (meta ``worker``, written by jobs/worker.py every ``worker_heartbeat`` seconds).
When it is missing, stopped or older than three beats, ingestion is dead and the answer is 503
with the reason, so a monitor that watches the status code sees it.

Procrastinate workers on PostgreSQL (jobs/queue.py) each beat under a key of their own,
``worker:<host>:<pid>``: ingestion is alive while any of them is, so one of several
stopping does not make the answer 503 (it is counted in ``workers``).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()

STALE_AFTER_BEATS = 3


def live(beat: dict[str, Any], now: float) -> bool:
    every = float(beat.get("every") or 10.0)
    return not beat.get("stopped") and now - float(beat["at"]) <= STALE_AFTER_BEATS * every


def current_beat(store: Any) -> tuple[dict[str, Any] | None, int]:
    """The beat that speaks for ingestion (the latest live one, else the latest one) and
    how many workers are live."""
    now = time.time()
    beats = sorted(store.worker_beats().values(), key=lambda b: float(b["at"]), reverse=True)
    alive = [b for b in beats if live(b, now)]
    return (alive or beats or [None])[0], len(alive)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    beat, alive = current_beat(request.app.state.store)
    if beat is None:
        return JSONResponse({"status": "no worker", "worker": None}, status_code=503)
    age = max(0.0, time.time() - float(beat["at"]))
    worker = {k: beat.get(k) for k in ("polls", "new_articles", "pool_restarts", "loop_lag_ms")}
    worker["last_beat_seconds_ago"] = round(age, 1)
    body = {"worker": worker, "workers": alive}
    if alive:
        return JSONResponse({"status": "ok", **body})
    if beat.get("stopped"):
        return JSONResponse({"status": "worker stopped", **body}, status_code=503)
    return JSONResponse({"status": "worker silent", **body}, status_code=503)
