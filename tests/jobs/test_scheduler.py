from __future__ import annotations

import time
from datetime import UTC, datetime

from broadsheet.config import Settings
from broadsheet.jobs.scheduler import Poller
from broadsheet.store import Store
from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss


def test_poller_ingests_due_sources_in_the_background(
    server: TestServer, settings: Settings
) -> None:
    server.route(
        "/feed.xml",
        rss(server.base, [("Pier story 1", "/news/1", "s")]),
        headers={"content-type": "application/rss+xml"},
    )
    server.route("/news/1", page("Pier story 1", 1))
    store = Store.open(settings)
    src = store.add_source(server.url("/feed.xml"))
    poller = Poller(settings.model_copy(update={"scheduler_tick": 0.1}), store)
    poller.start()
    try:
        deadline = time.monotonic() + 30
        while store.count_articles() == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.count_articles() == 1
        # a source that is not due is left alone on later ticks
        cycles = poller.cycles
        while poller.cycles < cycles + 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.hits("/feed.xml")) == 1
        # once due again, it is polled again
        store.update_source(src.id, next_poll_at=datetime.now(UTC))
        while len(server.hits("/feed.xml")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.hits("/feed.xml")) == 2
    finally:
        poller.stop()
    assert not poller.is_alive()
    assert store.count_articles() == 1
