"""The web benchmark's load generator: a process of its own, so its work is not the server's.

    python bench/webload.py < spec.json > results.json

The spec: ``{"base": "http://127.0.0.1:PORT", "clients": 10, "seconds": 10.0,
"max_requests": 5000, "warmup": 20, "server_pid": 1234, "pages": {"home": ["/", ...]}}``.
For each page in turn, ``clients`` concurrent clients (asyncio + httpx, one kept-alive
connection each, fresh for each page) go through the page's URLs round-robin: first
``warmup`` requests that are not counted, then requests for ``seconds`` or
``max_requests``, whichever ends first. Only loopback addresses are accepted. The results,
per page: the number of requests, their statuses (or the client's error), the latency
percentiles (ms), the requests per second, and the server's CPU time per request.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from urllib.parse import urlsplit

import httpx
import psutil

TIMEOUT = 60.0


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(share * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def _drive(
    client: httpx.AsyncClient, urls: list[str], clients: int, seconds: float, limit: int
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
                status: int | str = response.status_code
            except httpx.HTTPError as exc:  # no answer: counted by kind (ReadTimeout...)
                status = type(exc).__name__
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
        async with httpx.AsyncClient(
            base_url=spec["base"], limits=limits, timeout=TIMEOUT, follow_redirects=False
        ) as client:
            warm = int(spec.get("warmup", 0))
            if warm:
                await _drive(client, urls[::-1], clients, float(spec["seconds"]), warm)
            cpu = _cpu(server)
            lat, statuses, elapsed = await _drive(
                client, urls, clients, float(spec["seconds"]), int(spec["max_requests"])
            )
            cpu = _cpu(server) - cpu
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
