"""The whole pipeline over real HTTP: a loopback server, a temp-dir SQLite store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from broadsheet.config import Settings
from broadsheet.pipeline import IngestReport, ingest_once
from broadsheet.store import Store
from tests.support.httpserver import Reply, Request, TestServer

PARAGRAPHS = [
    "The harbour authority confirmed on Tuesday that the northern pier will close for "
    "repairs after engineers found cracks in three of its supporting columns.",
    "Fishing crews who moor at the pier have been offered berths in the southern basin, "
    "and the ferry timetable will not change, a spokeswoman said.",
    "Repairs are expected to take eleven weeks and cost about 2.4 million, paid from the "
    "authority's maintenance reserve rather than from harbour fees.",
    "Local traders welcomed the decision but asked for clearer signs to guide visitors "
    "around the works during the busy summer season.",
]


def page(title: str, n: int, canonical: str | None = None) -> str:
    body = "".join(f"<p>{p} (Story {n}.)</p>" for p in PARAGRAPHS)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"""<!doctype html><html lang="en"><head><title>{title} | Harbour Post</title>
    <meta property="og:site_name" content="Harbour Post">{link}
    <meta property="article:published_time" content="2026-11-28T09:00:00Z"></head><body>
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article><h1>{title}</h1><p class="byline">By Ada Lovelace</p>{body}</article>
    <footer>Harbour Post</footer></body></html>"""


def rss(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<description>{summary}</description>"
        "<pubDate>Fri, 28 Nov 2026 09:00:00 GMT</pubDate></item>"
        for t, path, summary in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>'
        f"<link>{base}/</link><language>en</language>{entries}</channel></rss>"
    )


def run(settings: Settings, store: Store) -> IngestReport:
    return asyncio.run(ingest_once(settings, store))


@pytest.fixture
def publisher(server: TestServer) -> TestServer:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary of pier story {n}.") for n in range(1, 4)]
    server.route(
        "/feed.xml",
        Reply(
            body=rss(server.base, items),
            headers={"content-type": "application/rss+xml", "etag": '"v1"'},
        ),
    )
    for n in range(1, 4):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    server.route(
        "/", '<html><head><link rel="icon" href="/icon.png"></head><body>Home</body></html>'
    )
    server.route(
        "/icon.png",
        Reply(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, headers={"content-type": "image/png"}),
    )
    return server


def _conditional_feed(server: TestServer, body: str) -> None:
    def handler(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", {"etag": '"v1"'})
        return Reply(body=body, headers={"content-type": "application/rss+xml", "etag": '"v1"'})

    server.route("/feed.xml", handler)


def test_feed_to_stored_articles_and_nothing_twice(
    publisher: TestServer, settings: Settings, store: Store
) -> None:
    src = store.add_source(publisher.url("/feed.xml"))
    report = run(settings, store)
    assert report.new_articles == 3 and report.failures == []
    articles = store.latest_articles(10)
    assert {a.title for a in articles} == {"Pier story 1", "Pier story 2", "Pier story 3"}
    a = articles[0]
    assert a.author == "Ada Lovelace"
    assert a.published == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert "northern pier will close" in a.text and "Home" not in a.text
    assert a.text.count(a.title) == 0  # the headline is not repeated in the body
    source = store.get_source(src.id)
    assert source is not None and source.name == "Harbour Post" and source.has_icon
    assert source.last_success_at is not None and source.error_count == 0

    # everything due again now: the same feed twice adds nothing
    store.update_source(src.id, next_poll_at=datetime.now(UTC), etag=None)
    again = run(settings, store)
    assert again.new_articles == 0 and again.duplicates == 3
    assert store.count_articles() == 3
    assert len(publisher.hits("/news/1")) == 1  # pages are not fetched twice


def test_conditional_get_304(publisher: TestServer, settings: Settings, store: Store) -> None:
    items = [("Pier story 1", "/news/1", "s")]
    _conditional_feed(publisher, rss(publisher.base, items))
    src = store.add_source(publisher.url("/feed.xml"))
    run(settings, store)
    store.update_source(src.id, next_poll_at=datetime.now(UTC))
    report = run(settings, store)
    assert report.not_modified == 1
    assert publisher.hits("/feed.xml")[-1].headers.get("if-none-match") == '"v1"'


def test_unfetchable_page_falls_back_to_feed_text(
    publisher: TestServer, settings: Settings, store: Store
) -> None:
    publisher.route("/news/2", Reply(500, "boom"))
    publisher.route("/robots.txt", "User-agent: *\nDisallow: /news/3\n")
    store.add_source(publisher.url("/feed.xml"))
    report = run(settings, store)
    assert report.new_articles == 3 and report.fallbacks == 2
    by_title = {a.title: a for a in store.latest_articles(10)}
    assert by_title["Pier story 2"].extraction == "feed"
    assert by_title["Pier story 2"].text == "Summary of pier story 2."
    assert publisher.hits("/news/3") == []  # robots.txt obeyed


def test_tracking_parameters_do_not_make_duplicates(
    server: TestServer, settings: Settings, store: Store
) -> None:
    items = [
        ("Pier story 1", "/news/1?utm_source=rss&utm_medium=feed", "s"),
        ("Pier story 1 again", "/news/1?utm_source=twitter", "s"),
    ]
    server.route(
        "/feed.xml", rss(server.base, items), headers={"content-type": "application/rss+xml"}
    )
    server.route("/news/1", page("Pier story 1", 1))
    store.add_source(server.url("/feed.xml"))
    report = run(settings, store)
    assert store.count_articles() == 1
    assert report.new_articles == 1 and report.duplicates >= 1
    assert store.latest_articles(1)[0].canonical_url == server.url("/news/1")


@pytest.mark.parametrize(
    ("reply", "expect"),
    [
        (Reply(500, "oops"), "HTTP 500"),
        (Reply(429, "slow down", {"retry-after": "7200"}), "HTTP 429"),
        (Reply(200, "<html><body>not a feed</body></html>"), "not a feed"),
    ],
)
def test_feed_failures_are_data_on_the_source(
    server: TestServer, settings: Settings, store: Store, reply: Reply, expect: str
) -> None:
    server.route("/feed.xml", reply)
    src = store.add_source(server.url("/feed.xml"))
    report = run(settings, store)
    assert len(report.failures) == 1 and expect in report.failures[0][1]
    source = store.get_source(src.id)
    assert source is not None and source.error_count == 1 and expect in (source.last_error or "")
    assert source.next_poll_at is not None and source.next_poll_at > datetime.now(UTC)
    if reply.status == 429:
        wait = (source.next_poll_at - datetime.now(UTC)).total_seconds()
        assert 7000 < wait <= 7200


def test_gone_feed_is_disabled(server: TestServer, settings: Settings, store: Store) -> None:
    server.route("/feed.xml", Reply(410, "gone"))
    src = store.add_source(server.url("/feed.xml"))
    run(settings, store)
    source = store.get_source(src.id)
    assert source is not None and not source.enabled and "410" in (source.disabled_reason or "")
    assert store.due_sources() == []


def test_private_network_refused_unless_allowed(publisher: TestServer, tmp_path) -> None:  # noqa: ANN001
    settings = Settings(
        data_dir=tmp_path, allow_private_networks=False, default_sources=False, extract_workers=1
    )
    store = Store.open(settings)
    src = store.add_source(publisher.url("/feed.xml"))
    report = run(settings, store)
    assert report.new_articles == 0 and "private network" in report.failures[0][1]
    assert publisher.seen == []
    assert "private network" in (store.get_source(src.id).last_error or "")  # type: ignore[union-attr]


def test_sitemap_index_source(server: TestServer, settings: Settings, store: Store) -> None:
    base = server.base
    server.route(
        "/sitemap.xml",
        Reply(
            body=(
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/news-sitemap.xml</loc></sitemap></sitemapindex>"
            ),
            headers={"content-type": "application/xml"},
        ),
    )
    server.route(
        "/news-sitemap.xml",
        Reply(
            body=(
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                f"<url><loc>{base}/news/1</loc><news:news><news:publication><news:name>Harbour Post"
                "</news:name><news:language>en</news:language></news:publication>"
                "<news:publication_date>2026-11-28T09:00:00Z</news:publication_date>"
                "<news:title>Pier story 1</news:title></news:news></url></urlset>"
            ),
            headers={"content-type": "application/xml"},
        ),
    )
    server.route("/news/1", page("Pier story 1", 1))
    store.add_source(server.url("/sitemap.xml"), kind="sitemap")
    report = run(settings, store)
    assert report.new_articles == 1, report.failures
    assert store.latest_articles(1)[0].title == "Pier story 1"


class _LoopWatchingStore(Store):
    """The real store, noting each of its methods called on a thread that runs an event
    loop (the worker's loop must never wait on the database: issue 10)."""

    on_loop: set[str]

    def __getattribute__(self, name: str):  # noqa: ANN204
        found = super().__getattribute__(name)
        if name.startswith("_") or not callable(found):
            return found
        watched = super().__getattribute__("on_loop")

        def call(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            try:
                asyncio.get_running_loop()
                watched.add(name)
            except RuntimeError:  # no loop on this thread: a worker thread, as it should be
                pass
            return found(*args, **kwargs)

        return call


def test_the_loop_never_waits_on_the_database(publisher: TestServer, settings: Settings) -> None:
    publisher.route("/news/2", Reply(500, "boom"))  # the feed's text instead: a fallback
    store = _LoopWatchingStore.open(settings)
    store.on_loop = set()
    try:
        store.add_source(publisher.url("/feed.xml"))
        store.on_loop.clear()
        report = run(settings, store)
        assert report.new_articles == 3 and report.fallbacks == 1
        assert store.count_articles() == 3
        assert store.on_loop == set()
    finally:
        store.close()
