"""``/healthz``: is the site alive, and is ingestion alive?

Cheap on purpose (one primary-key read, no count over articles): the worker's heartbeat
(meta ``worker``, written by jobs/worker.py every ``worker_heartbeat`` seconds). When it
is missing, stopped or older than three beats, ingestion is dead and the answer is 503
with the reason, so a monitor that watches the status code sees it.
"""

from __future__ import annotations

import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()

HEARTBEAT_KEY = "worker"  # jobs/worker.py writes it
STALE_AFTER_BEATS = 3


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    raw = request.app.state.store.get_meta(HEARTBEAT_KEY)
    try:
        beat = json.loads(raw) if raw else None
    except ValueError:
        beat = None
    if not isinstance(beat, dict) or not isinstance(beat.get("at"), int | float):
        return JSONResponse({"status": "no worker", "worker": None}, status_code=503)
    age = max(0.0, time.time() - float(beat["at"]))
    every = float(beat.get("every") or 10.0)
    worker = {k: beat.get(k) for k in ("polls", "new_articles", "pool_restarts", "loop_lag_ms")}
    worker["last_beat_seconds_ago"] = round(age, 1)
    if beat.get("stopped"):
        return JSONResponse({"status": "worker stopped", "worker": worker}, status_code=503)
    if age > STALE_AFTER_BEATS * every:
        return JSONResponse({"status": "worker silent", "worker": worker}, status_code=503)
    return JSONResponse({"status": "ok", "worker": worker})
