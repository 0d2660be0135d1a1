"""/metrics after a real small ingest: a real worker (its own thread and event loop, as
``serve`` runs it) polls two outlets on 127.0.0.1, one failing with HTTP 503, one whose
feed has two good pages and one that answers 404; the web app, which never saw any of it
in-process, reports the worker's fetches by outcome, its extraction-time histogram, the
failing source's reason, the articles and stories of the last hour and the queues, all
read from the database at the scrape."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client.parser import text_string_to_metric_families

from broadsheet.config import Settings
from broadsheet.jobs.worker import WorkerThread
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.jobs.test_worker import quick, wait_for  # noqa: F401 (the fixture)
from tests.support.httpserver import Reply, TestServer
from tests.test_pipeline import page
from tests.web.asgi import get

UP = ("broadsheet_worker_up", ())


def _rss(base: str, paths: list[str], when: datetime) -> str:
    stamp = when.strftime("%a, %d %b %Y %H:%M:%S GMT")
    items = "".join(
        f"<item><title>Harbour story {p[-1]}</title><link>{base}{p}</link>"
        f"<guid>{base}{p}</guid><pubDate>{stamp}</pubDate></item>"
        for p in paths
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>'
        f"<link>{base}/</link><language>en</language>{items}</channel></rss>"
    )


def _samples(app: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = get(app, "/metrics").text  # type: ignore[arg-type]
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_after_a_real_ingest(
    server: TestServer,
    quick: Settings,  # noqa: F811
    store: Store,
) -> None:
    now = datetime.now(UTC)
    server.route(
        "/feed.xml",
        _rss(server.base, ["/news/1", "/news/2", "/news/3"], now),
        headers={"content-type": "application/rss+xml"},
    )
    fresh = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    for n in (1, 2):
        server.route(
            f"/news/{n}", page(f"Harbour story {n}", n).replace("2026-11-28T09:00:00Z", fresh)
        )
    server.route("/news/3", Reply(404, "gone"))
    server.route("/down.xml", Reply(503, "busy"))
    store.add_source(server.url("/feed.xml"), name="Harbour Post")
    down = store.add_source(server.url("/down.xml"), name="Down Daily")
    # 1 s beats: the worker's fetches reach /metrics with its beat. The sample asserted on
    # is the one the wait accepted, with the worker up in it, so a beat late on a loaded
    # machine (up is 0 after three missed) delays the wait instead of failing the test
    beating = quick.model_copy(update={"worker_heartbeat": 1.0})
    app = create_app(beating, store)
    before = _samples(app)
    assert before[UP] == 0  # no worker yet
    thread = WorkerThread(beating, store)
    thread.start()
    page_4xx = ("broadsheet_fetches_total", (("kind", "page"), ("outcome", "http_4xx")))
    feed_5xx = ("broadsheet_fetches_total", (("kind", "feed"), ("outcome", "http_5xx")))
    samples: list[dict[tuple[str, tuple[tuple[str, str], ...]], float]] = []

    def scraped() -> bool:
        samples.append(_samples(app))
        now = samples[-1]
        return now.get(page_4xx) == 1 and now.get(feed_5xx) == 1 and now.get(UP) == 1

    try:
        wait_for(lambda: store.count_articles() == 2)
        wait_for(lambda: (store.get_source(down.id) or down).error_count >= 1)
        wait_for(scraped)
        seen = samples[-1]
    finally:
        thread.stop()

    def one(name: str, **labels: str) -> float:
        return seen[(name, tuple(sorted(labels.items())))]

    assert one("broadsheet_worker_up") == 1
    assert one("broadsheet_fetches_total", kind="feed", outcome="ok") == 1
    assert one("broadsheet_fetches_total", kind="page", outcome="ok") == 2
    assert one("broadsheet_worker_polls_total") == 2
    assert one("broadsheet_worker_new_articles_total") == 2
    # extraction: one observation per good page, in the histogram's buckets
    assert one("broadsheet_extraction_seconds_count") == 2
    assert one("broadsheet_extraction_seconds_bucket", le="+Inf") == 2
    assert 0 < one("broadsheet_extraction_seconds_sum") < 60
    # the failing source, by reason; the page that failed waits for its retry
    assert one("broadsheet_source_failures", reason="http_5xx") == 1
    assert one("broadsheet_sources", state="enabled") == 2
    assert one("broadsheet_queue_depth", queue="entries_retrying") == 1
    assert one("broadsheet_queue_depth", queue="webhook_deliveries") == 0
    # the last hour's ingest, from the stored rows
    assert one("broadsheet_articles_last_hour") == 2 == one("broadsheet_articles")
    assert one("broadsheet_stories_last_hour") == store.count_stories() >= 1
    # the page latency histogram of the web itself
    assert seen[("broadsheet_request_seconds_count", (("route", "/metrics"),))] >= 1
