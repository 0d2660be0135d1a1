"""A real HTTP server on 127.0.0.1 for tests: fixture feeds and pages, and misbehaviour.

Routes map a path to a handler ``handler(request) -> Reply``. The server records every
request (path, headers, start and end time) so tests can check politeness: overlapping
connections, gaps between requests, conditional headers.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def gzip_bomb(inflated_mib: int) -> bytes:
    """A valid gzip body of about 1 KiB per MiB of zeros it inflates to (1 GiB -> ~1 MB).

    Built from identical full-flush deflate segments, so it takes a second, not a minute.
    """
    zeros = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated_mib):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (inflated_mib << 20) & 0xFFFFFFFF)
    return header + segment * inflated_mib + deflate.flush() + trailer


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks of the body
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length
    drop: bool = False  # close the connection without answering


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    started: float
    ended: float = 0.0


Handler = Callable[["Request"], Reply]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


class TestServer:
    __test__ = False  # not a pytest class

    def __init__(self) -> None:
        self.routes: dict[str, Handler | Reply] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._active = 0
        self.max_active = 0
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer._serve(self)

            def do_HEAD(self) -> None:  # noqa: N802
                outer._serve(self, head=True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Handler | Reply | str | bytes, **kw: object) -> None:
        if isinstance(reply, str | bytes):
            reply = Reply(body=reply, **kw)  # type: ignore[arg-type]
        self.routes[path] = reply

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def start(self) -> TestServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, h: BaseHTTPRequestHandler, head: bool = False) -> None:
        seen = Seen(
            h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, time.monotonic()
        )
        with self._lock:
            self.seen.append(seen)
            self._active += 1
            self.max_active = max(self.max_active, self._active)
        finished = False

        def finish() -> None:
            # A request ends, for ``max_active`` and ``ended``, just before its last bytes
            # leave: a client that has them may send its next request at once, and a busy
            # machine may keep this thread from its books until that one has begun.
            nonlocal finished
            if not finished:
                finished = True
                seen.ended = time.monotonic()
                with self._lock:
                    self._active -= 1

        try:
            route = self.routes.get(h.path) or self.routes.get(h.path.split("?")[0])
            if route is None:
                reply = Reply(404, b"not found", {"content-type": "text/plain"})
            elif isinstance(route, Reply):
                reply = route
            else:
                reply = route(Request(h.command, h.path, seen.headers))
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                h.close_connection = True
                return
            body = reply.body.encode() if isinstance(reply.body, str) else reply.body
            sink, h.wfile = h.wfile, io.BytesIO()  # the head, gathered to be sent below
            h.send_response(reply.status)
            headers = {k.lower(): v for k, v in reply.headers.items()}
            if reply.chunked:
                headers["transfer-encoding"] = "chunked"
            else:
                headers.setdefault("content-length", str(len(body)))
            headers.setdefault("content-type", "text/html; charset=utf-8")
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            parts = [(h.wfile.getvalue(), 0.0)]  # (bytes, pause after them)
            h.wfile = sink
            step = 65536
            for i in range(0, 0 if head else len(body), step):
                piece = body[i : i + step]
                if reply.chunked:
                    piece = b"%x\r\n%s\r\n" % (len(piece), piece)
                parts.append((piece, reply.chunk_delay))
            if reply.chunked and not head:
                parts.append((b"0\r\n\r\n", 0.0))
            if not reply.chunk_delay:  # one write, as it was sent in one burst before
                parts = [(b"".join(data for data, _ in parts), 0.0)]
            for n, (data, pause) in enumerate(parts):
                if n == len(parts) - 1:
                    finish()
                sink.write(data)
                if pause:
                    sink.flush()
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            finish()
