"""The fetcher: the only code in Broadsheet that touches the network.

``async with Fetcher(settings) as f: result = await f.get(url)``. Every request goes
through the private-network guard, the scheme check, robots.txt, the politeness limits
and one total deadline; it follows redirects itself and decompresses the body itself,
so the size cap counts decompressed bytes and a gzip bomb stops after the cap.
Failures are FetchError subclasses with a readable reason, never raw httpx errors.
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import math
import ssl
import sys
import zlib
from base64 import b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from broadsheet.config import Settings
from broadsheet.errors import (
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HTTPStatus,
    PrivateNetwork,
    TooManyRedirects,
)
from broadsheet.ingest.guard import check_scheme, guarded_transport
from broadsheet.ingest.politeness import Politeness, SharedTurns
from broadsheet.ingest.robots import RobotsCache
from broadsheet.models import FetchResult

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# brotli is not installed, so "br" is neither asked for nor accepted.
ACCEPT_ENCODING = "gzip, deflate"
_PIECE = 64 * 1024  # most bytes one decompression step may produce

# httpcore runs ``import sniffio`` each time a response is closed; without sniffio
# installed (it is optional) Python does not remember the failure and searches every
# sys.path entry again: a dozen stat calls per request on the event loop (seen in a
# py-spy profile of serve's worker). ``None`` in sys.modules makes the import fail at once,
# which httpcore already handles (it then assumes asyncio).
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[assignment]


class Fetcher:
    """The one way Broadsheet reaches the network; use as an async context manager."""

    def __init__(self, settings: Settings, shared: SharedTurns | None = None) -> None:
        """``shared``: politeness turns shared with other processes (see politeness.py)."""
        self.settings = settings
        self._transport: httpx.AsyncHTTPTransport | None = None
        self._timeout = httpx.Timeout(settings.fetch_timeout, connect=settings.connect_timeout)
        self._limits = Politeness(
            settings.fetch_concurrency,
            settings.per_host_concurrency,
            settings.per_host_delay,
            shared,
        )
        self.robots = RobotsCache(self._fetch_robots, settings.user_agent, settings.robots_ttl)

    async def __aenter__(self) -> Fetcher:
        # The transport, not httpx.AsyncClient: the client parses Location even with
        # follow_redirects=False (and raises on odd ones), keeps a cookie jar and reads
        # proxies from the environment. Redirects, headers and credentials are ours.
        self._transport = guarded_transport(
            self.settings.allow_private_networks,
            self.settings.allow_private_addresses,
            verify=_tls_context(),
            retries=0,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        robots: bool = True,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url``; 2xx/3xx/304 return a FetchResult, anything else raises FetchError.

        The deadline starts when the first request goes out (time queued behind the
        politeness limits and the first robots.txt check do not count) and covers every
        hop and the body.
        """
        check_scheme(url)
        if robots:
            await self.robots.check(url)
        headers = {"Accept": accept or "*/*", "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(None) as deadline:
                result = await self._follow(url, headers, robots, deadline)
        except TimeoutError:
            if not deadline.expired():
                raise
            raise FetchTimeout(url, f"timed out after {self.settings.fetch_timeout:g} s") from None
        return result

    async def _follow(
        self, url: str, headers: dict[str, str], robots: bool, deadline: asyncio.Timeout
    ) -> FetchResult:
        loop = asyncio.get_running_loop()
        current, seen, started = url, {url}, loop.time()
        for hop in range(self.settings.max_redirects + 1):
            if hop and robots:
                await self.robots.check(current)
            with _mapped_errors(current):
                async with self._limits.slot(_origin(current)):
                    if not hop:
                        started = loop.time()
                        deadline.reschedule(started + self.settings.fetch_timeout)
                    response = await self._send(current, headers)
                    try:
                        if response.status_code not in REDIRECTS:
                            result = await self._result(url, current, response)
                            result.elapsed = loop.time() - started
                            return result
                        target = _redirect_target(current, response)
                    finally:
                        await response.aclose()
            if target in seen:
                raise TooManyRedirects(url, f"redirect loop at {target}")
            seen.add(target)
            current = target
        raise TooManyRedirects(url, f"more than {self.settings.max_redirects} redirects")

    async def _send(self, url: str, headers: dict[str, str]) -> httpx.Response:
        if self._transport is None:
            raise RuntimeError("use `async with Fetcher(settings) as fetcher`")
        headers = {"User-Agent": self.settings.user_agent, **headers}
        parts = httpx.URL(url)
        if parts.username or parts.password:  # only ever for this URL's own origin
            token = b64encode(f"{parts.username}:{parts.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        extensions = {"timeout": self._timeout.as_dict()}
        request = httpx.Request("GET", url, headers=headers, extensions=extensions)
        response = await self._transport.handle_async_request(request)
        response.request = request
        return response

    async def _result(self, url: str, final: str, response: httpx.Response) -> FetchResult:
        headers = dict(response.headers.items())  # lower-case names, repeats joined
        status = response.status_code
        if status >= 400:
            retry = parse_retry_after(
                headers.get("retry-after"), datetime.now(UTC), maximum=self.settings.retry_after_max
            )
            raise HTTPStatus(final, status, retry)
        body = b""
        if status != 304:
            body = await read_body(response, final, self.settings.max_body_bytes)
        return FetchResult(url=url, final_url=final, status=status, headers=headers, body=body)

    async def _fetch_robots(self, url: str) -> FetchResult:
        return await self.get(url, robots=False, accept="text/plain")


def parse_retry_after(
    value: str | None, now: datetime, *, maximum: float = math.inf
) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP-date), clamped to
    ``[0, maximum]``; None when absent or unreadable. ``now`` is timezone-aware."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        delay = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = (when - now).total_seconds()
    return min(max(delay, 0.0), maximum)


async def read_body(response: httpx.Response, url: str, cap: int) -> bytes:
    """The decompressed body, or BodyTooLarge as soon as it passes ``cap`` bytes."""
    length = response.headers.get("content-length", "").strip()
    if length.isascii() and length.isdigit() and int(length) > cap:
        raise BodyTooLarge(url, f"Content-Length {length} is over the {cap:,}-byte cap")
    inflater = _Inflater.for_encoding(response.headers.get("content-encoding", ""), url)
    body = bytearray()
    async for chunk in response.aiter_raw():
        for piece in inflater.feed(chunk) if inflater else (chunk,):
            body += piece
            if len(body) > cap:
                raise BodyTooLarge(url, f"body is over the {cap:,}-byte cap")
    if inflater:
        body += inflater.flush()
        if len(body) > cap:
            raise BodyTooLarge(url, f"body is over the {cap:,}-byte cap")
    return bytes(body)


class _Inflater:
    """gzip / deflate decompression in bounded steps, so a bomb never inflates at once."""

    def __init__(self, coding: str, url: str) -> None:
        self._url = url
        self._raw_fallback = coding == "deflate"  # some servers send raw deflate
        self._z = zlib.decompressobj(zlib.MAX_WBITS | (0 if coding == "deflate" else 32))
        self._started = False

    @classmethod
    def for_encoding(cls, header: str, url: str) -> _Inflater | None:
        codings = [c.strip().lower() for c in header.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if not codings:
            return None
        if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(url, f"unsupported Content-Encoding {header!r}")
        return cls(codings[0], url)

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._first(data)
            while True:
                yield out
                tail = self._z.unconsumed_tail
                if not tail and len(out) < _PIECE:
                    return
                out = self._z.decompress(tail, _PIECE)
        except zlib.error as exc:
            raise FetchError(self._url, f"corrupt compressed body ({exc})") from None

    def flush(self) -> bytes:
        try:
            return self._z.flush()
        except zlib.error as exc:
            raise FetchError(self._url, f"corrupt compressed body ({exc})") from None

    def _first(self, data: bytes) -> bytes:
        if self._started or not self._raw_fallback:
            return self._z.decompress(data, _PIECE)
        self._started = True
        try:
            return self._z.decompress(data, _PIECE)
        except zlib.error:
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._z.decompress(data, _PIECE)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The verifying TLS context (system CAs via certifi); loading it takes ~0.1 s."""
    return httpx.create_ssl_context(verify=True)


def _origin(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.scheme}://{parts.host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _redirect_target(current: str, response: httpx.Response) -> str:
    location = response.headers.get("location", "").strip()
    if not location:
        raise FetchError(current, f"HTTP {response.status_code} redirect without a Location")
    try:
        target = urljoin(current, location)
    except ValueError:
        raise FetchError(current, f"invalid redirect Location {location[:200]!r}") from None
    check_scheme(target)
    if _origin(target) != _origin(current):  # credentials never cross origins
        parts = urlsplit(target)
        target = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return target


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """Turn httpx errors (and the guard's host-only ones) into FetchErrors for ``url``."""
    try:
        yield
    except PrivateNetwork as exc:
        if exc.url == url:
            raise
        raise PrivateNetwork(url, exc.reason) from None
    except httpx.TimeoutException as exc:
        raise FetchTimeout(url, _describe(exc)) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(url, _describe(exc)) from None


def _describe(exc: httpx.HTTPError | httpx.InvalidURL) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timed out ({text})"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({text})"
    if isinstance(exc, httpx.ConnectError):
        if "SSL" in text or "certificate" in text:
            return f"TLS failed: {text}"
        return f"cannot connect: {text}"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return f"invalid URL: {text}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return f"connection lost: {text}"
    return text
