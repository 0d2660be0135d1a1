"""Each Procrastinate worker beats under a key of its own (jobs/queue.py), so /healthz says
"ok" while any worker is alive: one of several stopping no longer reads as "worker stopped"
(they all wrote meta ``worker`` before). Old beats of gone workers are forgotten. The beats
are meta rows, so this runs on either backend; no queue is opened."""

from __future__ import annotations

import json
import time

from broadsheet.config import Settings
from broadsheet.jobs.queue import BEATS_KEPT, Work
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.asgi import get


def _health(settings: Settings, store: Store) -> tuple[int, dict]:
    response = get(create_app(settings, store), "/healthz")
    return response.status_code, response.json()


def test_one_queue_worker_of_two_stopping_leaves_health_ok(
    settings: Settings, store: Store
) -> None:
    first, second = Work(settings, store), Work(settings, store)
    second.beat_key = first.beat_key + "-other"  # another process (same pid in this test)
    first._beat(4, stopped=False)
    second._beat(4, stopped=False)
    assert set(store.worker_beats()) == {first.beat_key, second.beat_key}
    code, body = _health(settings, store)
    assert (code, body["status"], body["workers"]) == (200, "ok", 2)

    first._beat(4, stopped=True)  # SIGTERM: its last beat says stopped
    code, body = _health(settings, store)
    assert (code, body["status"], body["workers"]) == (200, "ok", 1)

    second._beat(4, stopped=True)
    code, body = _health(settings, store)
    assert (code, body["status"], body["workers"]) == (503, "worker stopped", 0)


def test_a_gone_workers_old_beat_is_forgotten_and_a_silent_one_reported(
    settings: Settings, store: Store
) -> None:
    work = Work(settings, store)
    work._beat(4, stopped=False)
    now = time.time()
    killed = {"at": now - BEATS_KEPT - 60, "every": 10.0, "polls": 3}  # kill -9: no "stopped"
    store.set_meta("worker:gone-host:1", json.dumps(killed))
    store.set_meta("worker:bad:2", "not json")  # unreadable: ignored, never an error
    assert work.forget_old_beats(now) == 1
    assert set(store.worker_beats()) == {work.beat_key}
    assert _health(settings, store)[0] == 200

    silent = {"at": now - 10 * settings.worker_heartbeat, "every": settings.worker_heartbeat}
    store.set_meta(work.beat_key, json.dumps(silent))  # hung: beats stopped, no "stopped"
    code, body = _health(settings, store)
    assert (code, body["status"], body["workers"]) == (503, "worker silent", 0)
