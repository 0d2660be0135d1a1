"""What operations cost on a filled store: a /metrics scrape (the database counts it reads
at each scrape) and one API request with the JSON log at info level (one scrubbed
``request`` event per request) against the same request with logging at warning.

    PYTHONPATH=src .venv/bin/python bench/ops.py --data-dir DIR [--repeat 30]

DIR holds a store filled by ``bench/web.py --fill-only --data-dir DIR`` (use a copy: the
store is migrated to this branch's head). In-process through the real ASGI app, one
client, requests one after another. Prints the median and the slowest of each.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import statistics
import time
from pathlib import Path

import httpx

from broadsheet import logs
from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app


async def timed(c: httpx.AsyncClient, path: str, repeat: int) -> tuple[list[float], int]:
    took, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = await c.get(path)
        took.append((time.perf_counter() - t0) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
        size = len(answer.content)
    return took, size


async def main(args: argparse.Namespace) -> None:
    settings = Settings(data_dir=args.data_dir, default_sources=False, limit_api_ip="100000/minute")
    store = Store.open(settings)
    app = create_app(settings, store)
    transport = httpx.ASGITransport(app=app)
    rows: list[tuple[str, list[float], int]] = []
    root = logging.getLogger()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the client's own lines: not ours
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
        await c.get("/metrics")  # warm
        rows.append(("/metrics scrape", *await timed(c, "/metrics", args.repeat)))
        page = "/api/v1/articles?limit=20"
        await c.get(page)
        root.setLevel(logging.WARNING)
        rows.append(("API page, log at warning", *await timed(c, page, args.repeat)))
        sink = io.StringIO()
        handler = logging.StreamHandler(sink)
        json_settings = settings.model_copy(update={"log_format": "json", "log_level": "info"})
        logs.configure([handler], json_settings)
        rows.append(("API page, JSON log at info", *await timed(c, page, args.repeat)))
        root.removeHandler(handler)
        lines = sink.getvalue().count("\n")
    record = logging.LogRecord("broadsheet.access", logging.INFO, "x", 1, "request", None, None)
    record.__dict__.update(method="GET", path=page, query="limit=20", status=200, ms=1.0)
    formatter = logs.json_formatter()
    took = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        formatter.format(record)
        took.append((time.perf_counter() - t0) * 1000)
    rows.append(("one JSON log line, formatted", took, len(formatter.format(record))))
    print(f"store: {store.count_articles():,} articles, {store.count_stories():,} stories; "
          f"{args.repeat} calls each; JSON log lines written: {lines}")  # fmt: skip
    print(f"| {'call':<28} | median ms | max ms | bytes |")
    print(f"|{'-' * 30}|----------:|-------:|------:|")
    for name, took, size in rows:
        print(f"| {name:<28} | {statistics.median(took):9.2f} | {max(took):6.1f} | {size:5} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=30)
    asyncio.run(main(parser.parse_args()))
