"""Readers under load: concurrent signed-in readers reading and commenting against the
real app served by uvicorn on 127.0.0.1, while a writer thread keeps storing articles
(standing in for the worker's ingest: the same Store.save_article, the same write lock).

    python bench/readers_load.py [--readers 50] [--seconds 60] [--json OUT]

Each reader signs in once (argon2id at the configured cost), then loops: the home page,
an article (which also marks it read), and with some probability posts a comment, saves
the article, or opens the Saved page. Rate limits are raised for the run (a load test
from one IP would otherwise be a flood). Reported: requests and p50/p95/max latency per
route, every status seen, and the check that every comment the server accepted (303 to
its anchor) is stored exactly once and nothing else is. Exit status 1 on any 5xx or a
mismatch. Latencies include the client's own work: all of it runs on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn

from broadsheet.accounts import Passwords
from broadsheet.config import Settings
from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.web.app import create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PARAGRAPH = (
    "Officials said on Tuesday that the talks would continue through the week, and that "
    "a decision was expected before the end of the month. "
)


def article(n: int) -> Article:
    url = f"https://bench.example/news/{n}"
    paragraphs = [f"Report {n}, part {k}. " + PARAGRAPH * 3 for k in range(5)]
    text = "\n\n".join(paragraphs)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    return Article(
        url=url,
        canonical_url=url,
        title=f"Bench article number {n}",
        text=text,
        html=html,
        published=datetime.now(UTC),
        language="en",
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def prepare(settings: Settings, readers: int, articles: int) -> tuple[Store, list[int], int]:
    store = Store.open(settings)
    source = store.add_source("https://bench.example/feed", name="Bench Outlet")
    ids = []
    for n in range(articles):
        saved = store.save_article(source.id, article(n), fetched_at=datetime.now(UTC))
        assert isinstance(saved, int), saved
        ids.append(saved)
    hasher = Passwords(settings.argon2_memory_kib, settings.argon2_time_cost)
    digest = hasher.hash("bench password 1")
    moderator = store.create_user("mod@bench.example", "Mod", digest, "moderator", _now())
    assert moderator is not None
    for r in range(readers):
        uid = store.create_user(f"r{r}@bench.example", f"Reader {r}", digest, "reader", _now())
        assert uid is not None
        cid, _status = store.add_comment(ids[0], uid, None, f"hello {r}", _now(), None)
        store.moderate_comment(moderator, cid, "restore", _now())  # trusted: no hold
    return store, ids, source.id


def _now() -> datetime:
    return datetime.now(UTC)


class Results:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter[tuple[str, int]] = Counter()
        self.accepted: list[str] = []
        self.errors: list[str] = []

    def note(self, route: str, started: float, response: httpx.Response) -> None:
        self.latency[route].append(time.perf_counter() - started)
        self.status[(route, response.status_code)] += 1


async def sign_in(c: httpx.AsyncClient, n: int, base: str, results: Results) -> None:
    origin = {"origin": base}
    t = time.perf_counter()
    page = await c.get("/signin")
    results.note("GET /signin", t, page)
    token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    t = time.perf_counter()
    r = await c.post(
        "/signin",
        data={"csrf": token, "email": f"r{n}@bench.example", "password": "bench password 1"},
        headers=origin,
    )
    results.note("POST /signin", t, r)


async def reader(
    c: httpx.AsyncClient, n: int, base: str, ids: list[int], deadline: float, results: Results
) -> None:
    rnd = random.Random(n)
    origin = {"origin": base}
    sent = 0
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        results.note("GET /", t, await c.get("/"))
        aid = rnd.choice(ids)
        t = time.perf_counter()
        page = await c.get(f"/articles/{aid}")
        results.note("GET /articles/{id}", t, page)
        found = CSRF.search(page.text)
        if found is None:
            results.errors.append(f"reader {n}: no form on article {aid} ({page.status_code})")
            continue
        token = found.group(1)
        roll = rnd.random()
        if roll < 0.3:
            body = f"load comment {n}-{sent} on {aid}"
            sent += 1
            t = time.perf_counter()
            r = await c.post(
                f"/articles/{aid}/comments",
                data={"csrf": token, "body": body},
                headers=origin,
                follow_redirects=False,
            )
            results.note("POST comment", t, r)
            if r.status_code == 303 and "#comment-" in r.headers.get("location", ""):
                results.accepted.append(body)
        elif roll < 0.4:
            t = time.perf_counter()
            r = await c.post(
                f"/articles/{aid}/save",
                data={"csrf": token, "keep": "1"},
                headers=origin,
                follow_redirects=False,
            )
            results.note("POST save", t, r)
        elif roll < 0.5:
            t = time.perf_counter()
            results.note("GET /saved", t, await c.get("/saved"))


def ingest(store: Store, source_id: int, stop: threading.Event, counter: list[int]) -> None:
    n = 100_000
    while not stop.is_set():
        store.save_article(source_id, article(n), fetched_at=_now())
        counter[0] += 1
        n += 1
        stop.wait(0.1)


def stored_bodies(store: Store, ids: list[int]) -> Counter[str]:
    bodies: Counter[str] = Counter()
    for aid in ids:
        page, _next, _count = store.article_comments(aid, None, False, None, 1_000_000)
        for c in page:
            bodies[c.body] += 1
            for reply in c.replies:
                bodies[reply.body] += 1
    return bodies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--articles", type=int, default=40)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            default_sources=False,
            limit_post_reader="100000/minute",
            limit_post_ip="100000/minute",
            limit_signin="100000/minute",
            limit_signin_account="100000/minute",
        )
        store, ids, source_id = prepare(settings, args.readers, args.articles)
        app = create_app(settings, store)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, log_level="warning", lifespan="off", ws="none", access_log=False)
        )
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        stop = threading.Event()
        ingested = [0]
        writer = threading.Thread(target=ingest, args=(store, source_id, stop, ingested))
        writer.start()
        results = Results()
        base = f"http://127.0.0.1:{port}"
        elapsed = 0.0

        async def run() -> None:
            nonlocal elapsed
            clients = [httpx.AsyncClient(base_url=base, timeout=120.0) for _ in range(args.readers)]
            # Everyone signs in first (argon2id: CPU-bound by design); then the clock starts.
            gate = asyncio.Semaphore(4)  # 64 MiB each: not fifty at once

            async def one(c: httpx.AsyncClient, n: int) -> None:
                async with gate:
                    await sign_in(c, n, base, results)

            await asyncio.gather(*(one(c, n) for n, c in enumerate(clients)))
            started = time.perf_counter()
            deadline = started + args.seconds
            await asyncio.gather(
                *(reader(c, n, base, ids, deadline, results) for n, c in enumerate(clients))
            )
            elapsed = time.perf_counter() - started
            for c in clients:
                await c.aclose()

        asyncio.run(run())
        stop.set()
        writer.join()
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()

        stored = stored_bodies(store, ids)
        store.close()

    load = Counter(b for b in stored if b.startswith("load comment "))
    accepted = Counter(results.accepted)
    duplicates = sorted(b for b, k in load.items() if k > 1)
    missing = sorted(b for b in accepted if load[b] != 1)
    unexpected = sorted(b for b in load if b not in accepted)
    server_errors = sum(k for (_route, status), k in results.status.items() if status >= 500)
    routes = {
        route: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        for route, values in sorted(results.latency.items())
    }
    report = {
        "readers": args.readers,
        "seconds": round(elapsed, 1),
        "requests": sum(len(v) for v in results.latency.values()),
        "articles_ingested_during_run": ingested[0],
        "statuses": {f"{r} {s}": k for (r, s), k in sorted(results.status.items())},
        "server_errors": server_errors,
        "comments_accepted": len(results.accepted),
        "comments_stored_once": sum(1 for b in accepted if load[b] == 1),
        "duplicates": duplicates[:10],
        "missing": missing[:10],
        "unexpected": unexpected[:10],
        "client_errors": results.errors[:10],
        "routes": routes,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    ok = not server_errors and not duplicates and not missing and not unexpected
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
