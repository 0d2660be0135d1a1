"""The web benchmark's load generator: a process of its own, so its work is not the server's.

    python bench/webload.py < spec.json > results.json

The spec: ``{"base": "http://127.0.0.1:PORT", "clients": 10, "seconds": 10.0,
"max_requests": 5000, "warmup": 20, "server_pid": 1234, "pages": {"home": ["/", ...]}}``.
For each page in turn, ``clients`` concurrent clients (asyncio, one kept-alive connection
each, fresh for each page) go through the page's URLs round-robin: first ``warmup``
requests that are not counted, then requests for ``seconds`` or ``max_requests``,
whichever ends first. Only loopback addresses are accepted. The results, per page: the
number of requests, their statuses (or the client's error), the latency percentiles (ms),
the requests per second, the server's CPU time per request, and this process's own.

The client (``"client"`` in the spec) is by default a minimal HTTP/1.1 one over asyncio's
streams (``RawClient``: GET, keep-alive, Content-Length or chunked bodies): this process
shares the machine with the server, and httpx spent ~1.5-2 ms of CPU per request here
(its connection pool and response objects), as much as a cheap page costs the server, so
at 10 clients the load generator's own work showed up in the latency it measured.
``"client": "httpx"`` keeps httpx, for comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx
import psutil

TIMEOUT = 60.0


class RawClient:
    """Kept-alive HTTP/1.1 GETs to one loopback origin (one connection per concurrent request).

    Enough HTTP for the benchmark and no more: a status line, headers, then a body of
    Content-Length bytes or in chunks; a connection the server closes (or that fails) is
    opened again for the next request. ``get`` returns the status code."""

    def __init__(self, base: str, timeout: float) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        # the headers httpx sends, so the server sees the same requests with either client
        self.request = (
            f"GET {{path}} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n"
            "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
            "User-Agent: broadsheet-bench\r\n\r\n"
        )

    async def __aenter__(self) -> RawClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _, writer in self.idle:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        self.idle.clear()

    async def get(self, path: str) -> int:
        reused = bool(self.idle)
        if reused:
            reader, writer = self.idle.pop()
        else:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            async with asyncio.timeout(self.timeout):  # no task per request, as wait_for makes
                status, keep = await self._exchange(reader, writer, path)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            writer.close()
            if not reused or getattr(exc, "partial", b""):
                raise
            # a kept-alive connection the server had closed meanwhile (its idle timeout):
            # sent again on the next, as any client does (a fresh one ends the retries)
            return await self.get(path)
        except BaseException:
            writer.close()
            raise
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()
        return status

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str
    ) -> tuple[int, bool]:
        writer.write(self.request.format(path=path).encode())
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)  # the chunk and its CRLF
                if size == 0:
                    break
        return status, headers.get("connection") != "close"


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(share * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def _drive(
    client: httpx.AsyncClient | RawClient, urls: list[str], clients: int, seconds: float, limit: int
) -> tuple[list[float], Counter[int | str], float]:
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    position = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def one_client() -> None:
        nonlocal position
        first = True  # each client makes one request at least, however late it starts
        while (first or time.perf_counter() < deadline) and len(latencies) < limit:
            first = False
            url = urls[position % len(urls)]
            position += 1
            t0 = time.perf_counter()
            try:
                response = await client.get(url)
                status: int | str = response if isinstance(response, int) else response.status_code
            except (httpx.HTTPError, OSError, ValueError, asyncio.IncompleteReadError) as exc:
                status = type(exc).__name__  # no answer: counted by kind (ReadTimeout...)
            latencies.append((time.perf_counter() - t0) * 1000.0)
            statuses[status] += 1

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return latencies, statuses, time.perf_counter() - started


async def run(spec: dict) -> dict:
    host = urlsplit(spec["base"]).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load {host}: the benchmark only talks to loopback")
    clients = int(spec["clients"])
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    server = psutil.Process(int(spec["server_pid"])) if spec.get("server_pid") else None
    results = {}
    for page, urls in spec["pages"].items():
        # fresh connections per page: a kept-alive one the server timed out meanwhile
        # would fail the first request on it
        client: httpx.AsyncClient | RawClient
        if spec.get("client") == "httpx":
            client = httpx.AsyncClient(
                base_url=spec["base"], limits=limits, timeout=TIMEOUT, follow_redirects=False
            )
        else:
            client = RawClient(spec["base"], TIMEOUT)
        async with client:
            warm = int(spec.get("warmup", 0))
            if warm:
                await _drive(client, urls[::-1], clients, float(spec["seconds"]), warm)
            cpu, own = _cpu(server), time.process_time()
            lat, statuses, elapsed = await _drive(
                client, urls, clients, float(spec["seconds"]), int(spec["max_requests"])
            )
            cpu, own = _cpu(server) - cpu, time.process_time() - own
            lat.sort()
            results[page] = {
                "requests": len(lat),
                "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
                "p50": percentile(lat, 0.50),
                "p95": percentile(lat, 0.95),
                "p99": percentile(lat, 0.99),
                "rps": len(lat) / elapsed if elapsed else 0.0,
                "seconds": elapsed,
                # the web process's CPU time per request: what a page costs, less
                # sensitive than its latency to other work on the machine
                "cpu_ms": cpu * 1000.0 / len(lat) if lat and server else float("nan"),
                # this load generator's CPU per request: its work competes with the server's
                "load_cpu_ms": own * 1000.0 / len(lat) if lat else float("nan"),
            }
    return results


def _cpu(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def main() -> None:
    spec = json.load(sys.stdin)
    json.dump(asyncio.run(run(spec)), sys.stdout)


if __name__ == "__main__":
    main()
