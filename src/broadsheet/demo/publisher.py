"""A local sample publisher: the demo outlets served over real HTTP on 127.0.0.1.

``broadsheet demo``, the end-to-end tests and the ingest benchmark use it instead of the
network. Each outlet gets its own port (one ``ThreadingHTTPServer`` in a daemon thread),
so per-origin politeness applies to it as to a real site. Everything served is sample
content generated for the Broadsheet demo — not real news.

    with SamplePublisher(articles_per_outlet=20, latency=0.05) as pub:
        for url in pub.feed_urls: ...

Pages and feeds are rendered on request from the deterministic content, so thousands of
articles cost little memory.
"""

from __future__ import annotations

import hashlib
import struct
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from broadsheet.demo import feeds, pages
from broadsheet.demo.content import OUTLETS, Outlet, SampleArticle, plan_articles

HTML = "text/html; charset=utf-8"

# feed format -> (primary feed path, the feeds its pages advertise as (kind, path))
_FEEDS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "rss-full": ("/rss.xml", (("rss", "/rss.xml"),)),
    "rss": ("/rss.xml", (("rss", "/rss.xml"),)),
    "atom": ("/feed.atom", (("atom", "/feed.atom"),)),
    "jsonfeed": ("/feed.json", (("jsonfeed", "/feed.json"),)),
    "news-sitemap": ("/news-sitemap.xml", (("rss", "/rss.xml"),)),
}


@dataclass(frozen=True)
class ServedOutlet:
    """An outlet as served: where to find it."""

    name: str
    slug: str
    language: str
    country: str
    colour: str
    feed_format: str
    home_url: str
    feed_url: str
    article_count: int


def favicon_png(colour: str, size: int = 32) -> bytes:
    """A ``size``×``size`` PNG: a square of ``colour`` with a darker border."""
    rgb = bytes.fromhex(colour.lstrip("#"))
    dark = bytes(c * 3 // 5 for c in rgb)
    rows = []
    for y in range(size):
        row = b"".join(
            dark if min(x, y, size - 1 - x, size - 1 - y) < 2 else rgb for x in range(size)
        )
        rows.append(b"\x00" + row)  # filter type 0 for each scanline

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def favicon_ico(png: bytes, size: int = 32) -> bytes:
    """An ICO file holding one PNG image (valid since Windows Vista, read by browsers)."""
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + entry + png


class _Site:
    """One outlet: its articles' metadata and the routes of its web site."""

    def __init__(
        self, outlet: Outlet, articles: list[SampleArticle], host: str, port: int, now: datetime
    ) -> None:
        self.outlet, self.articles, self.now = outlet, articles, now
        self.base = f"http://{host}:{port}"
        self.feed_path, self.alternates = _FEEDS[outlet.feed_format]
        self.by_path = {a.path: a for a in articles}
        self.png = favicon_png(outlet.colour)
        self.ico = favicon_ico(self.png)

    def served(self) -> ServedOutlet:
        o = self.outlet
        return ServedOutlet(
            o.name,
            o.slug,
            o.language,
            o.country,
            o.colour,
            o.feed_format,
            self.base + "/",
            self.base + self.feed_path,
            len(self.articles),
        )

    def robots(self) -> str:
        lines = ["User-agent: *", "Disallow: /private/", "Allow: /", ""]
        if self.outlet.feed_format == "news-sitemap":
            lines.append(f"Sitemap: {self.base}/news-sitemap.xml")
        return "\n".join(lines) + "\n"

    def route(self, path: str) -> tuple[int, str, bytes]:
        """``path`` (query already removed) -> (status, content type, body)."""
        o, base, year = self.outlet, self.base, self.now.year
        feed_url = base + self.feed_path
        if path == "/":
            html = pages.render_listing(o, base, o.name, self.articles[:40], self.alternates, year)
            return 200, HTML, html.encode()
        if path in self.by_path:
            article = self.by_path[path]
            related = pages.related_to(article, self.articles)
            return 200, HTML, pages.render_article(article, base, related, self.alternates).encode()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", self.robots().encode()
        if path == "/favicon.ico":
            return 200, "image/x-icon", self.ico
        if path == "/favicon.png":
            return 200, "image/png", self.png
        fmt = o.feed_format
        if path == "/rss.xml" and fmt in ("rss", "rss-full", "news-sitemap"):
            body = feeds.rss(
                o,
                base,
                base + "/rss.xml",
                self.articles,
                self.now,
                full=fmt == "rss-full",
                tracking=fmt != "news-sitemap",
            )
            return 200, "application/rss+xml; charset=utf-8", body
        if path == self.feed_path and fmt == "atom":
            body = feeds.atom(o, base, feed_url, self.articles, self.now, tracking=True)
            return 200, "application/atom+xml; charset=utf-8", body
        if path == self.feed_path and fmt == "jsonfeed":
            return (
                200,
                "application/feed+json; charset=utf-8",
                feeds.jsonfeed(o, base, feed_url, self.articles),
            )
        if path == self.feed_path and fmt == "news-sitemap":
            return 200, "application/xml; charset=utf-8", feeds.news_sitemap(o, base, self.articles)
        if path.startswith("/section/"):
            beat = pages.beat_for_section(o, path.removeprefix("/section/").strip("/"))
            if beat:
                listed = [a for a in self.articles if a.beat == beat][:40]
                heading = o.bank.beats[beat].section
                html = pages.render_listing(o, base, heading, listed, self.alternates, year)
                return 200, HTML, html.encode()
        return 404, HTML, pages.render_not_found(o, base, self.alternates, year).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many connections at once must not be refused

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away mid-request (a worker killed in a chaos trial, a reader
        that closed the tab) is no error of the publisher's: no traceback for it. Anything
        else is printed as socketserver does."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class SamplePublisher:
    """Serves the fictional demo outlets on 127.0.0.1, one port per outlet."""

    def __init__(
        self,
        articles_per_outlet: int = 8,
        latency: float = 0.0,
        now: datetime | None = None,
        seed: int = 1,
        host: str = "127.0.0.1",
    ) -> None:
        """``host``: the loopback address to serve on (any of 127.0.0.0/8 on Linux), so
        several publishers look like several hosts."""
        self.articles_per_outlet = articles_per_outlet
        self.latency = latency
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.seed = seed
        self.host = host
        self._sites: list[_Site] = []
        self._servers: list[_Server] = []
        self._lock = threading.Lock()
        self._requests = 0

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> SamplePublisher:
        if self._servers:
            return self
        for outlet in OUTLETS:
            articles = plan_articles(outlet, self.articles_per_outlet, self.now, self.seed)
            server = _Server((self.host, 0), self._handler())
            site = _Site(outlet, articles, self.host, server.server_address[1], self.now)
            server.site = site  # type: ignore[attr-defined]
            threading.Thread(
                target=server.serve_forever,
                args=(0.05,),  # quick stop()
                name=f"demo-{outlet.slug}",
                daemon=True,
            ).start()
            self._sites.append(site)
            self._servers.append(server)
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> SamplePublisher:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what it serves ------------------------------------------------------------------

    @property
    def outlets(self) -> list[ServedOutlet]:
        if not self._sites:
            raise RuntimeError("SamplePublisher is not started: call .start() first")
        return [site.served() for site in self._sites]

    @property
    def feed_urls(self) -> list[str]:
        return [o.feed_url for o in self.outlets]

    @property
    def article_count(self) -> int:
        return self.articles_per_outlet * len(OUTLETS)

    def article_urls(self) -> list[str]:
        return [site.base + a.path for site in self._sites for a in site.articles]

    @property
    def request_count(self) -> int:
        with self._lock:
            return self._requests

    # --- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "BroadsheetSamplePublisher/1.0"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                publisher._serve(self, head=False)

            def do_HEAD(self) -> None:  # noqa: N802
                publisher._serve(self, head=True)

        return Handler

    def _serve(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        with self._lock:
            self._requests += 1
        if self.latency:
            time.sleep(self.latency)
        site: _Site = h.server.site  # type: ignore[attr-defined]
        status, ctype, body = site.route(urlsplit(h.path).path)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        if status == 200 and h.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            if status in (200, 304):
                h.send_header("ETag", etag)
                h.send_header("Cache-Control", "max-age=60")
            h.end_headers()
            if not head:
                h.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
