"""Failures as data (issue 10): entries that keep failing back off instead of starving
the feed, a capped poll comes back soon, a gzip feed is inflated no further than the cap,
and a source is polled by one process at a time with politeness shared between them."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.pipeline import IngestReport, ingest_once
from broadsheet.store import Store
from tests.support.httpserver import Reply, Request, TestServer, gzip_bomb
from tests.test_pipeline import page, rss

RSS = {"content-type": "application/rss+xml"}


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return settings.model_copy(update={"understand": False, "max_new_per_poll": 10})


WORDS = (
    "harbour council river bridge school market station library museum garden theatre "
    "hospital airport stadium factory orchard vineyard quarry lighthouse ferry tunnel"
).split()


def distinct_page(n: int) -> str:
    """An article page whose every paragraph differs from every other page's (no text
    is shared, so no furniture is learned between them)."""
    words = WORDS[n % len(WORDS) :] + WORDS[: n % len(WORDS)]
    paragraphs = "".join(
        f"<p>The {words[i]} and the {words[i + 1]} of ward {n * 7 + i} reported on item "
        f"{n}-{i} that the {words[i + 2]} near the {words[i + 3]} will stay open for "
        f"{n + i + 2} more weeks while the works continue.</p>"
        for i in range(5)
    )
    return (
        f"<!doctype html><html lang='en'><head><title>Story {n}</title></head><body>"
        f"<article><h1>Story {n}</h1>{paragraphs}</article></body></html>"
    )


def conditional_feed(server: TestServer, body: str) -> None:
    """A feed that answers 304 to a conditional GET (it never changes)."""

    def handler(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {"etag": '"v1"'})
        return Reply(body=body, headers={**RSS, "etag": '"v1"'})

    server.route("/feed.xml", handler)


def run(settings: Settings, store: Store, source_id: int) -> IngestReport:
    source = store.get_source(source_id)
    assert source is not None
    return asyncio.run(ingest_once(settings, store, sources=[source]))


def test_failing_entries_back_off_and_do_not_starve_the_feed(
    server: TestServer, fast: Settings, store: Store
) -> None:
    # the first 10 entries (a whole poll's worth) are 404 pages with no description
    items = [(f"Broken {n}", f"/gone/{n}", "") for n in range(10)]
    items += [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(5)]
    server.route("/feed.xml", Reply(body=rss(server.base, items), headers=RSS))
    for n in range(5):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    src = store.add_source(server.url("/feed.xml"))

    first = run(fast, store, src.id)
    assert first.new_articles == 0 and len(first.failures) == 10
    assert src.id in first.backlog  # good entries were left over...
    polled = store.get_source(src.id)
    assert polled is not None and polled.next_poll_at is not None
    assert polled.next_poll_at - datetime.now(UTC) <= timedelta(seconds=fast.backlog_repoll)
    assert polled.failing_entries == 10  # ...and the source shows that entries fail

    second = run(fast, store, src.id)
    assert second.new_articles == 5  # the good entries after the broken ones are reached
    assert second.backing_off == 10
    assert all(len(server.hits(f"/gone/{n}")) == 1 for n in range(10))  # not refetched

    third = run(fast, store, src.id)
    assert third.new_articles == 0 and third.failures == []
    assert all(len(server.hits(f"/gone/{n}")) == 1 for n in range(10))


def test_an_entry_is_retried_then_given_up(
    server: TestServer, fast: Settings, store: Store
) -> None:
    settings = fast.model_copy(update={"entry_retry_after": 0.0, "entry_max_failures": 3})
    server.route("/feed.xml", Reply(body=rss(server.base, [("Broken", "/gone", "")]), headers=RSS))
    src = store.add_source(server.url("/feed.xml"))
    for _ in range(5):
        run(settings, store, src.id)
    assert len(server.hits("/gone")) == 3  # retried (no back-off here), then given up
    source = store.get_source(src.id)
    assert source is not None and source.failing_entries == 1


def test_a_retried_entry_that_succeeds_no_longer_counts_as_failing(
    server: TestServer, fast: Settings, store: Store
) -> None:
    settings = fast.model_copy(update={"entry_retry_after": 0.0})
    server.route("/feed.xml", Reply(body=rss(server.base, [("Pier", "/news/1", "")]), headers=RSS))
    server.route("/news/1", Reply(503, "later"))
    src = store.add_source(server.url("/feed.xml"))
    run(settings, store, src.id)
    assert store.get_source(src.id).failing_entries == 1  # type: ignore[union-attr]
    server.route("/news/1", page("Pier story 1", 1))
    assert run(settings, store, src.id).new_articles == 1
    assert store.get_source(src.id).failing_entries == 0  # type: ignore[union-attr]


def test_a_big_new_feed_drains_in_back_to_back_polls(
    server: TestServer, fast: Settings, store: Store
) -> None:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(35)]
    conditional_feed(server, rss(server.base, items))  # unchanged: 304 when asked so
    for n in range(35):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    src = store.add_source(server.url("/feed.xml"))
    polls, stored = 0, 0
    while True:
        report = run(fast, store, src.id)
        polls, stored = polls + 1, stored + report.new_articles
        source = store.get_source(src.id)
        assert source is not None and source.next_poll_at is not None
        wait = source.next_poll_at - datetime.now(UTC)
        if src.id not in report.backlog:
            break
        assert wait <= timedelta(seconds=fast.backlog_repoll)  # due again soon
    assert (polls, stored) == (4, 35)
    assert wait > timedelta(seconds=fast.backlog_repoll)  # drained: the normal interval


def test_a_gzip_feed_is_inflated_no_further_than_the_body_cap(
    server: TestServer, fast: Settings, store: Store
) -> None:
    settings = fast.model_copy(update={"max_body_bytes": 1 << 20})
    # 16 MiB of zeros in about 16 KB, sent as a plain body (no Content-Encoding)
    server.route("/feed.xml", Reply(body=gzip_bomb(16), headers={"content-type": "text/xml"}))
    src = store.add_source(server.url("/feed.xml"))
    report = run(settings, store, src.id)
    assert len(report.failures) == 1 and "1,048,576-byte cap" in report.failures[0][1]
    source = store.get_source(src.id)
    assert source is not None and source.error_count == 1


def test_a_source_is_polled_by_one_process_at_a_time(
    server: TestServer, fast: Settings, store: Store
) -> None:
    server.route("/feed.xml", Reply(body=rss(server.base, []), headers=RSS))
    src = store.add_source(server.url("/feed.xml"))
    other = Store.open(fast)  # another process's view of the same database
    try:
        seen = other.get_source(src.id)
        assert seen is not None
        assert other.claim_source(seen, datetime.now(UTC) + timedelta(minutes=5))
        report = run(fast, store, src.id)
        assert report.leased_elsewhere == 1 and report.sources_polled == 0
        assert server.hits("/feed.xml") == []
        other.release_source(src.id)
        assert run(fast, store, src.id).sources_polled == 1
        # a process that read the source before that poll does not poll it again
        assert not other.claim_source(seen, datetime.now(UTC) + timedelta(minutes=5))
    finally:
        other.close()
    assert len(server.hits("/feed.xml")) == 1


def test_a_lease_a_poll_could_not_give_back_lapses_instead_of_being_renewed(
    fast: Settings, store: Store
) -> None:
    """A poll ends while the database cannot be reached (a PostgreSQL restart longer than
    the lease): its lease stays in the database. The heartbeat renews the leases of polls
    in flight only, so that one lapses and the source is due again; it was renewed by
    every beat of the live worker, and the source never polled again (the restart trial
    with two queue workers, stopped for 14 of 20 articles)."""
    from broadsheet.errors import StoreUnavailable
    from broadsheet.store.engine import make_engine

    src = store.add_source("http://127.0.0.1:9/feed.xml")
    seen = store.get_source(src.id)
    assert seen is not None
    polling = store.add_source("http://127.0.0.1:9/other.xml")
    polled = store.get_source(polling.id)
    assert polled is not None
    now = datetime.now(UTC)
    lapses = now + timedelta(seconds=10)
    assert store.claim_source(seen, lapses) and store.claim_source(polled, lapses)
    reachable = store.engine
    store.engine = make_engine("postgresql+psycopg://broadsheet@127.0.0.1:1/gone")  # refused
    try:
        with pytest.raises(StoreUnavailable):
            store.release_source(src.id)  # the poll is over, its lease not given back
    finally:
        store.engine.dispose()
        store.engine = reachable
    assert store.renew_source_leases(now + timedelta(hours=1)) == 1  # the other poll's
    later = [s.id for s in store.due_sources(lapses + timedelta(seconds=1))]
    assert later == [src.id]  # the lapsed lease frees its source; the renewed one is held


def test_politeness_holds_across_processes(
    server: TestServer, fast: Settings, store: Store
) -> None:
    """Two pollers with their own stores (as two processes) on one database, two feeds
    on one host: together they keep one request in flight and the minimum gap."""
    settings = fast.model_copy(update={"per_host_concurrency": 1, "per_host_delay": 0.2})
    for feed, first in (("a", 0), ("b", 10)):
        numbers = range(first, first + 3)
        items = [(f"Story {n}", f"/{feed}/{n}", "s") for n in numbers]
        server.route(f"/{feed}.xml", Reply(body=rss(server.base, items), headers=RSS))
        for n in numbers:
            server.route(f"/{feed}/{n}", Reply(body=distinct_page(n), delay=0.1))
    a = store.add_source(server.url("/a.xml"))
    b = store.add_source(server.url("/b.xml"))
    other = Store.open(settings)

    async def both() -> list[IngestReport]:
        sa, sb = store.get_source(a.id), other.get_source(b.id)
        assert sa is not None and sb is not None
        return await asyncio.gather(
            ingest_once(settings, store, sources=[sa]),
            ingest_once(settings, other, sources=[sb]),
        )

    try:
        started = time.monotonic()
        reports = asyncio.run(both())
    finally:
        other.close()
    assert sum(r.new_articles for r in reports) == 6, [r.failures for r in reports]
    requests = len(server.seen)  # robots.txt, two feeds, six pages, the home page, icons
    assert server.max_active == 1
    # request starts at least the gap apart: the last one came no sooner than this
    assert max(s.started for s in server.seen) - started >= (requests - 1) * 0.2 * 0.99


def test_feeds_are_parsed_off_the_event_loop(
    server: TestServer, fast: Settings, store: Store
) -> None:
    """Which threads call parse_feed, observed with the profiler hooks (no stand-ins)."""
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(3)]
    server.route("/feed.xml", Reply(body=rss(server.base, items), headers=RSS))
    src = store.add_source(server.url("/feed.xml"))
    callers: list[int] = []

    def profile(frame: Any, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_name == "parse_feed":
            callers.append(threading.get_ident())

    loop_thread = threading.get_ident()  # asyncio.run runs the loop in this thread
    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        run(fast, store, src.id)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
    assert callers and loop_thread not in callers
