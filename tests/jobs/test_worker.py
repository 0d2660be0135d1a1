"""The worker: one long-lived loop that polls due sources, beats, and stops cleanly."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from broadsheet.config import Settings
from broadsheet.jobs.worker import LEASE, Worker, WorkerThread
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.jobs.test_failures_as_data import conditional_feed
from tests.support.httpserver import Reply, TestServer
from tests.test_pipeline import page, rss
from tests.web.asgi import get


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    """Wait for a state the test needs (a bound for failure, not a measure of speed)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def quick(settings: Settings) -> Settings:
    # the default 10 s heartbeat: the worker lease (3 beats) and /healthz's "silent" (3
    # beats) must not lapse while the worker waits for a core on a loaded machine (0.2 s
    # beats gave 0.6 s, 1 s beats 3 s: a standby took the lease from a live worker)
    return settings.model_copy(
        update={"scheduler_tick": 0.2, "worker_heartbeat": 10.0, "understand": False}
    )


def test_the_worker_polls_due_sources_beats_and_stops(
    server: TestServer, quick: Settings, store: Store
) -> None:
    server.route(
        "/feed.xml",
        rss(server.base, [("Pier story 1", "/news/1", "s")]),
        headers={"content-type": "application/rss+xml"},
    )
    server.route("/news/1", page("Pier story 1", 1))
    src = store.add_source(server.url("/feed.xml"))
    # 1 s beats (the waits below are for beats): one worker, so nothing can take its lease
    # when a beat is late, and /healthz's verdict is read from the very answer the wait
    # accepted, never from a later one a late beat could have made "silent"
    beating = quick.model_copy(update={"worker_heartbeat": 1.0})
    app = create_app(beating, store)
    thread = WorkerThread(beating, store)
    thread.start()
    try:
        wait_for(lambda: store.count_articles() == 1)
        answers: list = []
        wait_for(lambda: answers.append(get(app, "/healthz")) or answers[-1].status_code == 200)
        assert answers[-1].json()["status"] == "ok"
        wait_for(lambda: get(app, "/healthz").json()["worker"]["new_articles"] == 1)
        # a source that is not due is left alone while the worker goes on beating
        beat = json.loads(store.get_meta("worker") or "{}")["at"]
        wait_for(lambda: json.loads(store.get_meta("worker") or "{}")["at"] > beat)
        assert len(server.hits("/feed.xml")) == 1
        # once due again, it is polled again
        store.update_source(src.id, next_poll_at=datetime.now(UTC))
        wait_for(lambda: len(server.hits("/feed.xml")) == 2)
    finally:
        thread.stop()
    assert not thread.is_alive() and thread.error is None
    assert store.lease_holder(LEASE) is None  # the lease is given back
    response = get(app, "/healthz")
    assert response.status_code == 503 and response.json()["status"] == "worker stopped"


def test_one_worker_per_database_and_a_standby_takes_over(quick: Settings, store: Store) -> None:
    first = WorkerThread(quick, store)
    first.start()
    other = Store.open(quick)  # another process
    # the standby tries for the lease at each of its beats: 0.5 s ones, so it takes over
    # soon after the first gives the lease back. The first keeps 10 s beats (a 30 s lease):
    # a standby trying more often gets no more chance to take it from a live worker
    second = WorkerThread(quick.model_copy(update={"worker_heartbeat": 0.5}), other)
    try:
        assert first.worker.ready.wait(120) and first.error is None
        second.start()
        assert second.worker.standby.wait(120)  # waits: the database has its worker
        assert not second.worker.ready.is_set()
        assert other.lease_holder(LEASE) == store.process_id
        first.stop()  # (a killed worker's lease lapses after three heartbeats instead)
        assert second.worker.ready.wait(120)  # and takes over (at its next try, a beat on)
        # its lease lasts 3 of its beats (1.5 s) and each beat renews it: waited for, so a
        # beat late on a loaded machine does not read as another holder
        wait_for(lambda: other.lease_holder(LEASE) == other.process_id)
    finally:
        first.stop()
        second.stop()
        other.close()
    assert second.error is None


def test_a_silent_worker_is_reported(quick: Settings, store: Store) -> None:
    """A worker that stopped beating (killed, hung) makes /healthz say so."""
    worker = Worker(quick, store)
    stale = {**worker.describe(), "at": time.time() - 10 * quick.worker_heartbeat}
    store.set_meta("worker", json.dumps(stale))
    response = get(create_app(quick, store), "/healthz")
    assert response.status_code == 503 and response.json()["status"] == "worker silent"


def test_the_worker_drains_a_big_new_feed(
    server: TestServer, quick: Settings, store: Store
) -> None:
    settings = quick.model_copy(update={"max_new_per_poll": 10, "backlog_repoll": 1})
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(35)]
    conditional_feed(server, rss(server.base, items))  # 304 unless we drop its ETag
    for n in range(35):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    store.add_source(server.url("/feed.xml"))
    thread = WorkerThread(settings, store)
    thread.start()
    try:
        wait_for(lambda: store.count_articles() == 35)
    finally:
        thread.stop()
    assert len(server.hits("/feed.xml")) == 4  # four polls back to back, not four intervals


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most intervals (start, end) that overlap at one moment."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    most = now = 0
    for _, step in events:  # an end sorts before a start at the same instant
        now += step
        most = max(most, now)
    return most


def test_polls_outnumber_request_slots_and_share_one_fetcher(quick: Settings, store: Store) -> None:
    """Polls in flight are not capped by the request slots: with 1 s between two requests
    to a host, a poll mostly waits for its host's turn, so six polls run at once while
    requests stay at most ``fetch_concurrency`` in total and the per-host gap holds. The
    polls share one fetcher: robots.txt is asked once per host, not once per poll."""
    settings = quick.model_copy(
        update={
            "fetch_concurrency": 2,
            "poll_concurrency": 6,
            "per_host_delay": 1.0,
            "per_host_concurrency": 1,
        }
    )
    servers = [TestServer().start() for _ in range(6)]
    try:
        sources = []
        for s in servers:
            items = [(f"Harbour {s.port} story {n}", f"/news/{n}", "s") for n in range(3)]
            s.route(
                "/feed.xml", rss(s.base, items), headers={"content-type": "application/rss+xml"}
            )
            s.route(
                "/robots.txt", "User-agent: *\nAllow: /\n", headers={"content-type": "text/plain"}
            )
            for n, (title, _path, _summary) in enumerate(items):
                s.route(f"/news/{n}", Reply(body=page(title, s.port * 10 + n), delay=0.2))
            sources.append(store.add_source(s.url("/feed.xml")))
        thread = WorkerThread(settings, store)
        began = time.monotonic()  # the clock of the fetcher's turns and of the servers' books
        thread.start()
        try:
            # the icon is a poll's last step (the pages share furniture: some are folded)
            wait_for(lambda: all(s.hits("/favicon.ico") for s in servers))
            assert store.count_articles() >= 6
            for source in sources:  # every source due again: a second poll of each
                store.update_source(source.id, next_poll_at=datetime.now(UTC))
            wait_for(lambda: all(len(s.hits("/feed.xml")) == 2 for s in servers))
        finally:
            thread.stop()
        assert thread.error is None
        # a page is answered 0.2 s after it arrives, so each page's request spans at least
        # that (the server's clock; the client may end it before the server's books do)
        pages = [
            (h.started, h.started + 0.19) for s in servers for h in s.seen if "/news/" in h.path
        ]
        assert _most_at_once(pages) <= 2  # fetch_concurrency, over all polls together
        first_polls = [sorted(h.started for h in s.seen)[:5] for s in servers]
        polls = [(starts[0], starts[-1]) for starts in first_polls]  # robots .. last page
        assert _most_at_once(polls) > 2  # more polls than request slots were under way
        for s, starts in zip(servers, first_polls, strict=True):
            # the 1 s gap between a host's request starts holds: its fifth request came no
            # sooner than 4 s after the worker began (a request arrives after its turn; the
            # gaps between arrivals are not compared: a loaded machine delays them unevenly)
            assert starts[-1] - began >= 4 * settings.per_host_delay
            assert len(s.hits("/robots.txt")) == 1  # one fetcher for every poll
    finally:
        for s in servers:
            s.stop()
