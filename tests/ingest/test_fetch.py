"""The fetcher against a real, misbehaving HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from broadsheet.config import Settings
from broadsheet.errors import (
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HTTPStatus,
    SchemeNotAllowed,
    TooManyRedirects,
)
from broadsheet.ingest.fetch import Fetcher, parse_retry_after
from broadsheet.models import FetchResult
from tests.support.httpserver import Reply, Request, TestServer, gzip_bomb

MiB = 1 << 20


def with_(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)


def fetch(settings: Settings, url: str, **kw: Any) -> FetchResult:
    kw.setdefault("robots", False)

    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, **kw)

    return asyncio.run(go())


def fetch_many(
    settings: Settings, urls: list[str], turns: Turns | None = None
) -> list[FetchResult | BaseException]:
    async def go() -> list[FetchResult | BaseException]:
        if turns is not None:
            turns.clock = LoopClock(asyncio.get_running_loop())
        async with Fetcher(settings, shared=turns) as fetcher:
            jobs = [fetcher.get(url, robots=False) for url in urls]
            return await asyncio.gather(*jobs, return_exceptions=True)

    return asyncio.run(go())


class LoopClock:
    """The running event loop's clock, moved on at will: every deadline and timer of the
    loop sees a wait of any length at once, and the test does not wait for it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.offset = 0.0
        real = loop.time
        loop.time = lambda: real() + self.offset  # type: ignore[method-assign]

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class Turns:
    """Politeness turns shared with other processes (``SharedTurns``), as a test sees them:
    when the fetcher let each request start (the loop's clock), and, with ``wait``, a turn
    that came only that many seconds later (on the loop's clock, at once)."""

    def __init__(self, wait: float = 0.0) -> None:
        self.wait = wait
        self.clock: LoopClock | None = None
        self.starts: list[float] = []

    async def acquire(self, origin: str) -> object:
        assert self.clock is not None
        self.clock.advance(self.wait)
        self.starts.append(asyncio.get_running_loop().time())
        return None

    async def release(self, origin: str, token: object) -> None:
        return None


@pytest.fixture
def other() -> Iterator[TestServer]:
    """A second server: another origin (same host, other port)."""
    srv = TestServer().start()
    yield srv
    srv.stop()


# --- plain answers -------------------------------------------------------------------


def test_200_returns_bytes_headers_and_urls(server: TestServer, settings: Settings) -> None:
    server.route("/feed", Reply(body=b"<rss/>", headers={"Content-Type": "application/rss+xml"}))
    result = fetch(settings, server.url("/feed"))
    assert (result.status, result.body, result.content_type) == (
        200,
        b"<rss/>",
        "application/rss+xml",
    )
    assert result.url == result.final_url == server.url("/feed")
    assert result.elapsed > 0
    seen = server.hits("/feed")[0].headers
    assert seen["user-agent"] == settings.user_agent
    assert seen["accept-encoding"] == "gzip, deflate"  # no br: brotli is not installed
    assert "cookie" not in seen and "authorization" not in seen


def test_accept_header_is_passed(server: TestServer, settings: Settings) -> None:
    server.route("/f", "x")
    fetch(settings, server.url("/f"), accept="application/rss+xml, */*;q=0.5")
    assert server.hits("/f")[0].headers["accept"] == "application/rss+xml, */*;q=0.5"


def test_wrong_charset_comes_back_as_the_exact_bytes(
    server: TestServer, settings: Settings
) -> None:
    latin1 = "Zürich café".encode("latin-1")
    server.route("/p", Reply(body=latin1, headers={"content-type": "text/html; charset=utf-8"}))
    assert fetch(settings, server.url("/p")).body == latin1


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_status_raises_http_status(
    status: int, server: TestServer, settings: Settings
) -> None:
    server.route("/x", Reply(status, b"nope"))
    with pytest.raises(HTTPStatus, match=f"HTTP {status}") as info:
        fetch(settings, server.url("/x"))
    assert info.value.status == status
    assert info.value.retry_after is None


# --- conditional GET -----------------------------------------------------------------


def test_304_via_etag(server: TestServer, settings: Settings) -> None:
    def feed(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(body=b"<rss/>", headers={"ETag": '"v1"'})

    server.route("/feed", feed)
    first = fetch(settings, server.url("/feed"))
    again = fetch(settings, server.url("/feed"), etag=first.etag)
    assert first.etag == '"v1"' and first.status == 200
    assert again.not_modified and again.body == b""


def test_304_via_last_modified(server: TestServer, settings: Settings) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"

    def feed(req: Request) -> Reply:
        if req.headers.get("if-modified-since") == stamp:
            return Reply(304)
        return Reply(body=b"<rss/>", headers={"Last-Modified": stamp})

    server.route("/feed", feed)
    first = fetch(settings, server.url("/feed"))
    again = fetch(settings, server.url("/feed"), last_modified=first.last_modified)
    assert first.status == 200 and again.status == 304
    assert "if-modified-since" not in server.seen[0].headers


# --- Retry-After ---------------------------------------------------------------------


def retry_after_of(server: TestServer, settings: Settings, value: str, status: int = 429) -> Any:
    server.route("/busy", Reply(status, b"slow down", {"Retry-After": value}))
    with pytest.raises(HTTPStatus) as info:
        fetch(settings, server.url("/busy"))
    assert info.value.status == status
    return info.value.retry_after


def test_429_retry_after_seconds(server: TestServer, settings: Settings) -> None:
    assert retry_after_of(server, settings, "120") == 120


def test_503_retry_after_http_date(server: TestServer, settings: Settings) -> None:
    before = datetime.now(UTC)
    when = format_datetime(before + timedelta(seconds=90), usegmt=True)  # whole seconds
    delay = retry_after_of(server, settings, when, status=503)
    # counted from when the answer came, however long the request took on a loaded machine
    took = (datetime.now(UTC) - before).total_seconds()
    assert 89 - took <= delay <= 90


def test_absurd_retry_after_is_clamped(server: TestServer, settings: Settings) -> None:
    assert retry_after_of(server, settings, "9" * 40) == settings.retry_after_max


def test_garbage_retry_after_is_none(server: TestServer, settings: Settings) -> None:
    assert retry_after_of(server, settings, "soon, maybe") is None


NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0), (" 30 ", 30.0), ("Wed, 01 May 2024 12:01:00 GMT", 60.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0), ("Fri, 31 Dec 9999 23:59:59 GMT", 3600.0),
        ("-5", None), ("1.5", None), ("", None), ("٣", None), (None, None), ("soon", None),
    ],
)  # fmt: skip
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW, maximum=3600) == expected


@given(st.text(max_size=60))
@hsettings(deadline=None)  # no per-example deadline: a loaded machine is not a failure
def test_parse_retry_after_never_raises(value: str) -> None:
    delay = parse_retry_after(value, NOW, maximum=3600)
    assert delay is None or 0 <= delay <= 3600


# --- size caps and compression -------------------------------------------------------


def test_gzip_and_deflate_bodies_are_decompressed(server: TestServer, settings: Settings) -> None:
    text = b"<p>hello</p>" * 10_000
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    server.route("/gz", Reply(body=gzip.compress(text), headers={"Content-Encoding": "gzip"}))
    server.route("/zl", Reply(body=zlib.compress(text), headers={"Content-Encoding": "deflate"}))
    server.route(
        "/raw",
        Reply(body=raw.compress(text) + raw.flush(), headers={"Content-Encoding": "deflate"}),
    )
    server.route(
        "/mislabelled", Reply(body=zlib.compress(text), headers={"Content-Encoding": "gzip"})
    )
    server.route("/x-gzip", Reply(body=gzip.compress(text), headers={"Content-Encoding": "x-gzip"}))
    for path in ("/gz", "/zl", "/raw", "/mislabelled", "/x-gzip"):
        assert fetch(settings, server.url(path)).body == text, path


def test_unsupported_encoding_is_an_error_not_garbage(
    server: TestServer, settings: Settings
) -> None:
    server.route("/br", Reply(body=b"\x1b\x00\x00", headers={"Content-Encoding": "br"}))
    with pytest.raises(FetchError, match="unsupported Content-Encoding 'br'"):
        fetch(settings, server.url("/br"))


def test_corrupt_gzip_is_a_fetch_error(server: TestServer, settings: Settings) -> None:
    server.route(
        "/gz", Reply(body=b"\x1f\x8bnot gzip at all", headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(FetchError, match="corrupt compressed body"):
        fetch(settings, server.url("/gz"))


def test_body_at_the_cap_passes_one_byte_more_does_not(
    server: TestServer, settings: Settings
) -> None:
    small = with_(settings, max_body_bytes=100_000)
    server.route("/ok", Reply(body=b"a" * 100_000, chunked=True))
    server.route("/big", Reply(body=b"a" * 100_001, chunked=True))
    assert len(fetch(small, server.url("/ok")).body) == 100_000
    with pytest.raises(BodyTooLarge, match="over the 100,000-byte cap"):
        fetch(small, server.url("/big"))


def test_huge_streamed_body_stops_at_the_cap(server: TestServer, settings: Settings) -> None:
    # 64 MiB at 100 ms per 64 KiB: 100 s to send it all, however fast the machine; the cap
    # is reached after 1.6 s. Reading to the end is what a bound of 60 s catches (not speed:
    # a loaded machine has 58 s to spare).
    server.route("/huge", Reply(body=b"a" * (64 * MiB), chunked=True, chunk_delay=0.1))
    started = time.monotonic()
    with pytest.raises(BodyTooLarge):
        fetch(with_(settings, max_body_bytes=MiB), server.url("/huge"))
    assert time.monotonic() - started < 60


def test_content_length_over_the_cap_is_refused_before_reading(
    server: TestServer, settings: Settings
) -> None:
    server.route("/big", Reply(body=b"a" * (2 * MiB)))
    with pytest.raises(BodyTooLarge, match=f"Content-Length {2 * MiB} is over"):
        fetch(with_(settings, max_body_bytes=MiB), server.url("/big"))


def test_gzip_bomb_stops_with_bounded_memory(server: TestServer, settings: Settings) -> None:
    bomb = gzip_bomb(1024)  # ~1 MB on the wire, 1 GiB inflated
    cap = 2 * MiB
    assert len(bomb) < cap  # so Content-Length alone does not stop it
    server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge, match="body is over"):
            fetch(with_(settings, max_body_bytes=cap), server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MiB  # the bomb is 1 GiB; the body buffer is ~cap


# --- deadline ------------------------------------------------------------------------


def test_slow_server_past_the_deadline(server: TestServer, settings: Settings) -> None:
    server.route("/slow", Reply(body=b"late", delay=60))
    started = time.monotonic()
    with pytest.raises(FetchTimeout, match=r"timed out after 0.5 s"):
        fetch(with_(settings, fetch_timeout=0.5), server.url("/slow"))
    assert time.monotonic() - started < 45  # gave up before the reply, not at it


def test_deadline_covers_a_dripping_body(server: TestServer, settings: Settings) -> None:
    server.route("/drip", Reply(body=b"a" * (20 * 65536), chunk_delay=0.1))
    with pytest.raises(FetchTimeout):
        fetch(with_(settings, fetch_timeout=0.5), server.url("/drip"))


def test_time_queued_for_politeness_is_not_part_of_the_deadline(
    server: TestServer, settings: Settings
) -> None:
    """Three requests to one origin, one at a time with a gap between them, each given its
    turn ten deadlines after it asked (the loop's clock moved on: no real wait): all are
    answered, and each one's time counts from its turn. A deadline counted from the call
    would have expired in the queue, on any machine; the deadline itself is one no loaded
    machine misses for a local request."""
    server.route("/p", "x")
    polite = with_(settings, per_host_concurrency=1, per_host_delay=0.2, fetch_timeout=60.0)
    turns = Turns(wait=10 * polite.fetch_timeout)
    results = fetch_many(polite, [server.url(f"/p?{i}") for i in range(3)], turns)
    assert all(isinstance(r, FetchResult) for r in results), results
    assert all(r.elapsed < turns.wait for r in results if isinstance(r, FetchResult))
    assert len(turns.starts) == 3 and len(server.seen) == 3


def test_deadline_covers_all_redirect_hops(server: TestServer, settings: Settings) -> None:
    for i in range(5):
        server.route(f"/hop{i}", Reply(302, headers={"Location": f"/hop{i + 1}"}, delay=0.2))
    server.route("/hop5", "end")
    with pytest.raises(FetchTimeout, match=f"fetch {server.url('/hop0')}: timed out"):
        fetch(with_(settings, fetch_timeout=0.5), server.url("/hop0"))


# --- redirects -----------------------------------------------------------------------


def chain(server: TestServer, hops: int, status: int = 302) -> str:
    for i in range(hops):
        server.route(f"/r{i}", Reply(status, headers={"Location": server.url(f"/r{i + 1}")}))
    server.route(f"/r{hops}", "arrived")
    return server.url("/r0")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed(status: int, server: TestServer, settings: Settings) -> None:
    server.route("/old", Reply(status, headers={"Location": "new?x=1"}))
    server.route("/new", "moved here")
    result = fetch(settings, server.url("/old"))
    assert (result.body, result.url, result.final_url) == (
        b"moved here",
        server.url("/old"),
        server.url("/new?x=1"),
    )


def test_ten_redirects_are_fine(server: TestServer, settings: Settings) -> None:
    assert fetch(settings, chain(server, 10)).body == b"arrived"


def test_eleven_redirects_are_too_many(server: TestServer, settings: Settings) -> None:
    with pytest.raises(TooManyRedirects, match="more than 10 redirects"):
        fetch(settings, chain(server, 11))
    assert not server.hits("/r11")


def test_redirect_loop(server: TestServer, settings: Settings) -> None:
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    server.route("/b", Reply(301, headers={"Location": "/a"}))
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        fetch(settings, server.url("/a"))
    assert len(server.seen) == 2


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,x", "gopher://x/"]
)
def test_redirect_to_another_scheme_is_refused(
    location: str, server: TestServer, settings: Settings
) -> None:
    server.route("/go", Reply(302, headers={"Location": location}))
    with pytest.raises(SchemeNotAllowed):
        fetch(settings, server.url("/go"))


def test_redirect_without_location(server: TestServer, settings: Settings) -> None:
    server.route("/go", Reply(302))
    with pytest.raises(FetchError, match="redirect without a Location"):
        fetch(settings, server.url("/go"))


def test_credentials_dropped_on_cross_origin_redirect(
    server: TestServer, other: TestServer, settings: Settings
) -> None:
    server.route("/same", Reply(302, headers={"Location": "/away"}))
    server.route(
        "/away", Reply(302, headers={"Location": other.url("/landing"), "Set-Cookie": "s=1"})
    )
    other.route("/landing", "hi")
    url = server.url("/same").replace("http://", "http://user:pw@")
    assert fetch(settings, url).final_url == other.url("/landing")
    assert server.hits("/away")[0].headers["authorization"].startswith("Basic ")  # same origin
    landing = other.hits("/landing")[0].headers
    assert "authorization" not in landing and "cookie" not in landing


def test_cookies_are_never_stored(server: TestServer, settings: Settings) -> None:
    server.route("/set", Reply(302, headers={"Location": "/next", "Set-Cookie": "track=1; Path=/"}))
    server.route("/next", "ok")
    fetch(settings, server.url("/set"))
    assert "cookie" not in server.hits("/next")[0].headers


# --- network errors ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused(settings: Settings) -> None:
    with pytest.raises(FetchError, match="Connection refused") as info:
        fetch(settings, f"http://127.0.0.1:{free_port()}/")
    assert type(info.value) is FetchError


def test_dns_failure(settings: Settings) -> None:
    with pytest.raises(FetchError, match="cannot resolve no-such-host.invalid") as info:
        fetch(settings, "http://no-such-host.invalid/")
    assert type(info.value) is FetchError


def test_connection_dropped_without_answer(server: TestServer, settings: Settings) -> None:
    server.route("/drop", Reply(drop=True))
    with pytest.raises(FetchError, match="connection lost") as info:
        fetch(settings, server.url("/drop"))
    assert type(info.value) is FetchError


def test_get_outside_the_context_manager_is_a_programming_error(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher(settings).get("http://127.0.0.1:1/", robots=False))


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TestServer]:
    """The loopback server behind TLS with a self-signed certificate."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = TestServer()
    srv.httpd.socket = context.wrap_socket(srv.httpd.socket, server_side=True)
    srv.start()
    yield srv
    srv.stop()


def test_tls_is_verified_with_no_insecure_retry(tls_server: TestServer, settings: Settings) -> None:
    tls_server.route("/", "secret")
    with pytest.raises(FetchError, match="TLS failed: .*CERTIFICATE_VERIFY_FAILED"):
        fetch(settings, tls_server.url("/").replace("http://", "https://"))
    assert tls_server.seen == []


# --- politeness ----------------------------------------------------------------------


def test_per_host_concurrency_limit(server: TestServer, settings: Settings) -> None:
    # A reply is held until a second request is in flight beside it (or all six came), so
    # two overlap however the machine schedules them; then 0.15 s more, in which a third
    # would be seen if the limit let it through. One shared deadline: a limit of one fails
    # after a minute, not six.
    deadline = time.monotonic() + 60

    def overlapping(_req: Request) -> Reply:
        while server.max_active < 2 and len(server.seen) < 6 and time.monotonic() < deadline:
            time.sleep(0.01)
        return Reply(body=b"x", delay=0.15)

    server.route("/slow", overlapping)
    polite = with_(settings, per_host_concurrency=2, fetch_timeout=120.0)
    results = fetch_many(polite, [server.url(f"/slow?{i}") for i in range(6)])
    assert all(isinstance(r, FetchResult) for r in results)
    assert server.max_active == 2


def test_global_concurrency_limit(
    server: TestServer, other: TestServer, settings: Settings
) -> None:
    for srv in (server, other):
        srv.route("/slow", Reply(body=b"x", delay=0.1))
    urls = [srv.url(f"/slow?{i}") for i in range(3) for srv in (server, other)]
    started = time.monotonic()
    fetch_many(with_(settings, fetch_concurrency=1), urls)
    # one at a time: six replies of 0.1 s each end to end (two origins at once: 0.3 s). A
    # lower bound holds on a loaded machine; the server's own start/end stamps race it.
    assert time.monotonic() - started >= 6 * 0.1 * 0.99
    assert len(server.seen + other.seen) == 6


def test_minimum_gap_between_request_starts(server: TestServer, settings: Settings) -> None:
    server.route("/p", "x")
    turns = Turns()  # when the fetcher let each request go (the server's stamps would add
    # the time its threads wait for a core, which a loaded machine makes anything)
    urls = [server.url(f"/p?{i}") for i in range(4)]
    results = fetch_many(with_(settings, per_host_delay=0.3), urls, turns)
    assert all(isinstance(r, FetchResult) for r in results), results
    gaps = [b - a for a, b in zip(turns.starts, turns.starts[1:], strict=False)]
    # a lower bound: waiting longer than the gap is allowed, a loaded machine only adds
    assert len(gaps) == 3 and min(gaps) >= 0.3 - 1e-6, gaps
    assert len(server.seen) == 4


def test_gap_is_per_origin(server: TestServer, other: TestServer, settings: Settings) -> None:
    server.route("/p", "x")
    other.route("/p", "x")
    started = time.monotonic()
    # a gap applied across origins would make the second request wait 120 s; two local
    # requests take far less than 60 s on any machine
    fetch_many(with_(settings, per_host_delay=120), [server.url("/p"), other.url("/p")])
    assert time.monotonic() - started < 60
