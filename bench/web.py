"""Benchmark the web pages on a large store: latency and throughput per page type.

    .venv/bin/python bench/web.py [DATASETS] [--articles 1000000] [--data-dir DIR] [--reuse]
                                  [--clients 1,10,50] [--seconds 10] [--fill-only]
                                  [--processes N] [--database-url URL] [--pages search,home]

1. Fill: a fresh store with N synthetic articles (bench/websynth.py: real sentences of the
   data sets recombined into events, several languages, entities, places, topics, stories,
   wire copies, many outlets), written through the store's own bulk loader
   (``Store.bulk_insert``: the rows ingest, understanding and clustering would write) in
   batches of 2,000 per transaction. The store stays in DIR (default: the system's temp
   directory, ``broadsheet-bench-web-N``); ``--reuse`` serves a store filled before.
   Touching DIR/bench-web.stop ends a fill early (after the batch being written): the
   store keeps the plan's oldest articles and the manifest says how many.
   DATASETS defaults to ../shared/datasets; without it the script says so and exits 0
   (``--corpus FILE.jsonl`` gives an invented corpus instead, as the test does).
   ``--database-url postgresql+psycopg://…`` fills (and serves) that database instead of
   DIR's SQLite file: a database you created for the bench and that holds no articles
   (DIR keeps the manifest and the web log; drop and create the database to refill).
2. Serve: a web-only process on 127.0.0.1 (``broadsheet serve --no-worker`` when the CLI
   has it, else bench/webserve.py: the same app under uvicorn without the poller); its RSS
   idle after start, at its peak under load, and idle again after.
3. Load: for each level of concurrent clients, a separate load-generator process
   (bench/webload.py) requests each page type in turn (``--seconds`` each, at most
   ``--max-requests``, after ``--warmup`` requests that are not counted), with URLs made
   from keys sampled from the store (random articles, and their stories, outlets,
   entities, places, topics and title words).

``--pages`` loads only the page types named (the keys of ``PAGES``, e.g. ``search``); the
default is every one. The URLs of the pages are in ``PAGES``, in one place: each page type
lists candidate URL templates, and the first that answers 200 is measured (a page type none
of them serves is reported as such, not measured).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

console = Console(width=160)

# page type -> candidate URL templates; keys: {article} {story} {entity} {country} {topic}
# {source} {words} {page}. Adapt here when pages move (e.g. keyset cursors for {page}).
PAGES: dict[str, tuple[str, ...]] = {
    "home": ("/",),
    "latest": ("/latest?page={page}", "/latest"),
    "stories": ("/stories?page={page}",),
    "article": ("/articles/{article}",),
    "story": ("/stories/{story}",),
    "entity": ("/entities/{entity}",),
    "place": ("/places/{country}",),
    "topic": ("/topics/{topic}",),
    "source": ("/sources/{source}", "/outlets/{source}"),
    "search": ("/search?q={words}",),
    "daily": ("/daily",),
    "api story": ("/api/v1/stories/{story}",),
}
TARGET_CLIENTS = 10  # the targets hold at 10 concurrent clients
TARGET_P95_MS = {"home": 50.0, "search": 200.0}  # every other page: DEFAULT_TARGET_MS
DEFAULT_TARGET_MS = 100.0
BATCH = 2000
MANIFEST = "bench-web.json"  # written when a fill is complete
FILLING = "bench-web.filling"  # written when a fill starts: the directory is the bench's
STOP = "bench-web.stop"  # made by hand during a fill: end it after the current batch


# --- fill -----------------------------------------------------------------------------------
_SYNTH = None  # the generator, inherited by the forked process that makes batches


def _make_batch(lo: int) -> list:
    assert _SYNTH is not None
    return _SYNTH.batch(lo, BATCH)


def fill(store, synth, workers: int, stop: Path | None = None) -> dict:  # noqa: ANN001
    """Write the synthetic articles; ``workers`` processes make them meanwhile (0: this
    process makes them, between writes). When the file ``stop`` appears, the fill ends
    after the batch it is writing: the store then holds the plan's oldest articles (a
    size reached when the whole plan cannot be written in the time there is)."""
    global _SYNTH
    started = time.perf_counter()
    n = synth.n
    for outlet, row in zip(synth.outlets, synth.source_rows(), strict=True):
        outlet.id = store.add_source(**row).id
    _SYNTH = synth  # the outlets' ids are set: fork the makers now
    pool = multiprocessing.get_context("fork").Pool(workers) if workers else None
    batches = (pool.imap(_make_batch, range(0, n, BATCH)) if pool
               else (synth.batch(lo, BATCH) for lo in range(0, n, BATCH)))  # fmt: skip
    planned = time.perf_counter()
    marks: list[tuple[int, float, float]] = []
    done, writing, newest = 0, 0.0, synth.now
    try:
        for batch in batches:
            t0 = time.perf_counter()
            _ids, stories = store.bulk_insert(synth.resolve(batch))
            writing += time.perf_counter() - t0
            synth.learn(stories)
            done += len(batch)
            newest = max(item.fetched_at for item in batch)
            if stop is not None and stop.exists() and done < n:
                console.print(f"  {stop} found: stopping at {done:,} of {n:,} articles")
                marks.append((done, round(time.perf_counter() - planned, 1), round(writing, 1)))
                break
            if done * 10 // n != (done - len(batch)) * 10 // n or done == n:
                elapsed = time.perf_counter() - planned
                marks.append((done, round(elapsed, 1), round(writing, 1)))
                console.print(
                    f"  filled {done:,} articles in {elapsed:,.0f} s ({done / elapsed:,.0f}/s; "
                    f"{writing:,.0f} s of it writing)"
                )
    finally:
        if pool:
            pool.terminate()
            pool.join()
    seconds = time.perf_counter() - planned
    # what the worker does after the stories stage writes: the story pages' digests, and
    # the planner's statistics
    from broadsheet import story_digest

    t0 = time.perf_counter()
    digests = story_digest.refresh_changed(store, datetime(1970, 1, 1, tzinfo=UTC), 2)
    store.trim_recent_search()  # the recent search index, as the worker keeps it
    store.optimize()
    digest_seconds = time.perf_counter() - t0
    console.print(f"  {digests:,} story digests and statistics in {digest_seconds:,.0f} s")
    return {
        "digests": digests,
        "digest_seconds": round(digest_seconds, 1),
        "articles": done,
        "planned": n,
        "seed": synth.seed,
        "makers": workers,
        "filled_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "newest_article": newest.isoformat(),
        "plan_now": synth.now.isoformat(),  # where the whole plan ends (bench/assign.py)
        "setup_seconds": round(planned - started, 1),
        "fill_seconds": round(seconds, 1),
        "articles_per_second": round(done / seconds, 1),
        "write_seconds": round(writing, 1),
        "marks": marks,
        "stories": len(synth.story_ids),
        "outlets": len(synth.outlets),
        "languages": {
            lang: int((synth.event_lang == i).sum()) for i, lang in enumerate(synth.langs)
        },
        "largest_story": int(synth.sizes.max()),
        "entity_universe": synth.universe,
    }


# --- URLs -----------------------------------------------------------------------------------
def sample_urls(keys, count: int, seed: int, pages: int) -> dict[str, list[dict]]:  # noqa: ANN001
    """Values for the URL templates' keys (``keys`` is a store's Sample), ``count`` of each
    (drawn with repeats); list pages 1 to ``pages``, the first ones most often."""
    rng = random.Random(seed)

    def draw(values: list, transform=str) -> list[str]:  # noqa: ANN001
        return [transform(rng.choice(values)) for _ in range(count)] if values else []

    def page() -> str:
        roll = rng.random()
        wanted = 1 if roll < 0.6 else rng.randint(2, 5) if roll < 0.9 else rng.randint(6, 15)
        return str(min(wanted, pages))

    values = {
        "article": draw(keys.articles),
        "story": draw(keys.stories),
        "source": draw(keys.sources),
        "entity": draw(keys.entities, lambda e: quote(e, safe=":")),
        "country": draw(keys.countries, str.lower),
        "topic": draw(keys.topics),
        "words": [
            quote(" ".join(rng.sample(keys.words, rng.choice((1, 1, 2)))))
            for _ in range(count)
        ] if keys.words else [],
        "page": [page() for _ in range(count)],
    }  # fmt: skip
    return {k: v for k, v in values.items() if v}


def expand(template: str, values: dict[str, list[str]], count: int) -> list[str] | None:
    """``count`` URLs from a template; None when a key it needs has no values."""
    needed = [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name]
    if any(name not in values for name in needed):
        return None
    return [template.format(**{k: values[k][i] for k in needed}) for i in range(count)]


def choose_urls(
    base: str, values: dict[str, list[str]], count: int, only: set[str] | None = None
) -> dict[str, dict]:
    """Per page type (those in ``only`` when given): the template that answers 200 and its
    URLs, or why none is used."""
    chosen: dict[str, dict] = {}
    with httpx.Client(base_url=base, timeout=120.0) as client:
        for page, templates in PAGES.items():
            if only and page not in only:
                continue
            seen = []
            for template in templates:
                urls = expand(template, values, count)
                if not urls:
                    seen.append(f"{template}: no keys")
                    continue
                status = client.get(urls[0]).status_code
                if status == 200:
                    chosen[page] = {"template": template, "urls": urls}
                    break
                seen.append(f"{template}: {status}")
            else:
                chosen[page] = {"template": None, "why": "; ".join(seen)}
    return chosen


# --- the web process ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(port: int, processes: int = 1) -> tuple[list[str], str]:
    cli = [sys.executable, "-m", "broadsheet"]
    helped = subprocess.run([*cli, "serve", "--help"], capture_output=True, text=True, check=False)
    if "--no-worker" in helped.stdout:
        cmd = [*cli, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)]
        if processes > 1:
            cmd += ["--processes", str(processes)]
            return cmd, f"broadsheet serve --no-worker --processes {processes}"
        return cmd, "broadsheet serve --no-worker"
    return [sys.executable, str(HERE / "webserve.py"), "--port", str(port)], "bench/webserve.py"


def rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def loaded_libraries(proc: psutil.Process) -> list[str]:
    """Heavy libraries the web process has mapped (it should load neither)."""
    try:
        paths = " ".join(m.path for m in proc.memory_maps())
    except psutil.Error:
        return ["(unknown)"]
    return [
        name for name, key in (("spaCy", "/spacy/"), ("scikit-learn", "/sklearn/")) if key in paths
    ]


class Server:
    def __init__(self, data_dir: Path, processes: int = 1, database_url: str | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd, self.how = server_command(self.port, processes)
        env = dict(
            os.environ,
            BROADSHEET_DATA_DIR=str(data_dir),
            BROADSHEET_DEFAULT_SOURCES="false",
            # one load generator on one address: the API's per-address limit would answer
            # most of its calls with 429 (the limit is tested, not benchmarked)
            BROADSHEET_LIMIT_API_IP="100000000/minute",
        )
        if database_url:
            env["BROADSHEET_DATABASE_URL"] = database_url
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
        self.log = data_dir / "web.log"  # the server's own output (its error traces)
        with open(self.log, "wb") as log:
            self.popen = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
        self.proc = psutil.Process(self.popen.pid)
        self.peak = 0
        self._watching = threading.Event()

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise SystemExit(f"the web process exited with {self.popen.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the web process did not start listening")

    def watch(self) -> threading.Thread:
        self._watching.set()

        def loop() -> None:
            while self._watching.is_set():
                self.peak = max(self.peak, rss(self.proc))
                time.sleep(0.05)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._watching.clear()
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def run_load(
    base: str, server_pid: int, chosen: dict[str, dict], clients: int, args: argparse.Namespace
) -> dict:
    spec = {
        "base": base,
        "clients": clients,
        "seconds": args.seconds,
        "max_requests": args.max_requests,
        "warmup": args.warmup,
        "server_pid": server_pid,
        "client": args.client,
        "pages": {p: c["urls"] for p, c in chosen.items() if c.get("template")},
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "webload.py")],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"the load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# --- report ---------------------------------------------------------------------------------
def report(results: dict[int, dict], chosen: dict[str, dict], facts: dict) -> None:
    console.print()
    for key, value in facts.items():
        console.print(f"{key}: {value}", highlight=False)
    if not results:
        return
    table = Table(
        title="Web pages: latency (ms), throughput, and the web process's CPU per request"
    )
    cols = (
        "page", "URL", "clients", "requests", "p50", "p95", "p99", "req/s", "CPU ms/req",
        "load CPU",
    )  # fmt: skip
    for col in (*cols, "not 200", "target"):
        table.add_column(col, justify="left" if col in ("page", "URL", "target") else "right")
    for page, choice in chosen.items():
        if not choice.get("template"):
            table.add_row(page, "not served", *[""] * 9, choice.get("why", ""))
            continue
        for clients, by_page in results.items():
            r = by_page[page]
            odd = {k: v for k, v in r["statuses"].items() if k != "200"}
            bad = f"{sum(odd.values())}" + (
                f" ({', '.join(f'{k}: {v}' for k, v in odd.items())})" if odd else ""
            )
            target = ""
            if clients == TARGET_CLIENTS:
                limit = TARGET_P95_MS.get(page, DEFAULT_TARGET_MS)
                target = f"{'ok' if r['p95'] <= limit else 'MISSED'} (p95 ≤ {limit:.0f})"
            table.add_row(
                page, choice["template"], str(clients), str(r["requests"]),
                f"{r['p50']:.1f}", f"{r['p95']:.1f}", f"{r['p99']:.1f}", f"{r['rps']:.1f}",
                f"{r['cpu_ms']:.1f}", f"{r.get('load_cpu_ms', float('nan')):.1f}",
                bad, target,
            )  # fmt: skip
    console.print(table)


# --- main -----------------------------------------------------------------------------------
def open_store(data_dir: Path, database_url: str | None = None):  # noqa: ANN201 (Store)
    from broadsheet.config import Settings
    from broadsheet.store import Store

    return Store.open(Settings(data_dir=data_dir, database_url=database_url, default_sources=False))


def store_size(store, data_dir: Path) -> int:  # noqa: ANN001 (Store)
    """Bytes the store takes: the SQLite files, or the PostgreSQL database's size."""
    if store.engine.dialect.name == "sqlite":
        return sum(f.stat().st_size for f in data_dir.glob("broadsheet.db*"))
    with store.reader() as conn:
        return int(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar())


def prepare(args: argparse.Namespace) -> tuple[Path, dict] | None:
    """The filled data dir and its manifest; None when there is nothing to fill from."""
    data_dir = (
        args.data_dir or Path(tempfile.gettempdir()) / f"broadsheet-bench-web-{args.articles}"
    )
    manifest_path = data_dir / MANIFEST
    if args.reuse and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if args.articles not in (manifest.get("articles"), manifest.get("planned")):
            raise SystemExit(
                f"{data_dir} holds {manifest.get('articles')} articles, not {args.articles}"
            )
        console.print(f"reusing the store in {data_dir} (filled {manifest['filled_at']})")
        return data_dir, manifest
    import webcorpus

    if args.corpus:
        corpus = webcorpus.load_jsonl(args.corpus)
    elif args.datasets.is_dir():
        corpus = webcorpus.load(args.datasets)
    else:
        console.print(f"{args.datasets} not found: nothing to make articles from; skipping.")
        return None
    if args.database_url:  # a database the bench's user created: it must hold no articles
        store = open_store(data_dir, args.database_url)
        try:
            held = store.count_articles()
        finally:
            store.close()
        if held:
            raise SystemExit(
                f"{args.database_url} holds {held:,} articles: drop and create it to refill"
            )
    if data_dir.exists() and any(data_dir.iterdir()):
        ours = manifest_path.exists() or (data_dir / FILLING).exists()
        if not ours:  # never delete a directory the bench did not fill (a real data dir)
            raise SystemExit(f"{data_dir} is not empty and not a web-bench store: not touching it")
        if not args.fresh and not (args.reuse and not manifest_path.exists()):
            raise SystemExit(
                f"{data_dir} holds a store: pass --reuse to serve it, --fresh to refill"
            )
        shutil.rmtree(data_dir)  # a bench store, to refill (or a fill that did not finish)
    docs, langs = len(corpus.docs), len(corpus.languages())
    console.print(
        f"filling {data_dir}: {args.articles:,} articles from {docs:,} documents, {langs} languages"
    )
    from websynth import Synth

    synth = Synth(corpus, args.articles, seed=args.seed)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / FILLING).write_text("bench/web.py is filling this store\n", encoding="utf-8")
    store = open_store(data_dir, args.database_url)
    try:
        manifest = fill(store, synth, args.makers, data_dir / STOP)
        manifest["database"] = store.engine.dialect.name
    finally:
        store.close()
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (data_dir / FILLING).unlink()
    return data_dir, manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "datasets", nargs="?", type=Path, default=ROOT.parent / "shared" / "datasets"
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="serve the store filled before")
    parser.add_argument(
        "--database-url", default=None, help="a PostgreSQL database to fill instead of SQLite"
    )
    parser.add_argument("--fresh", action="store_true", help="empty --data-dir and refill it")
    parser.add_argument("--fill-only", action="store_true")
    parser.add_argument("--corpus", type=Path, default=None, help="invented corpus (JSON lines)")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument(
        "--processes", type=int, default=1, help="web processes (serve --processes)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="per page and level")
    parser.add_argument("--max-requests", type=int, default=5000, help="per page and level")
    parser.add_argument("--warmup", type=int, default=20, help="uncounted requests per page")
    parser.add_argument("--sample", type=int, default=2000, help="URLs per page type")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--client", choices=("raw", "httpx"), default="raw", help="the load generator's HTTP client"
    )
    parser.add_argument("--settle", type=float, default=2.0, help="s idle before reading RSS")
    parser.add_argument(
        "--makers", type=int, default=0, help="processes making articles (0: this one)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument(
        "--pages", default="", help="page types to load, comma-separated (default: all)"
    )
    args = parser.parse_args()
    pages = {p.strip() for p in args.pages.split(",") if p.strip()}
    if pages - set(PAGES):
        parser.error(f"unknown page types {sorted(pages - set(PAGES))}; known: {list(PAGES)}")

    prepared = prepare(args)
    if prepared is None:
        return
    data_dir, manifest = prepared
    store = open_store(data_dir, args.database_url)
    try:
        keys = store.sample_keys(args.sample, args.seed)
        counts = (store.count_articles(), store.count_stories(), len(store.list_sources()))
        size, backend = store_size(store, data_dir), store.engine.dialect.name
    finally:
        store.close()
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start",
        "store": f"{counts[0]:,} articles, {counts[1]:,} stories, {counts[2]:,} outlets; "
        f"{size / 2**20:,.0f} MB on disk ({backend}; "
        f"{size / max(counts[0], 1) / 1024:,.1f} KB per article)",
        "fill": f"{manifest['fill_seconds']:,} s, {manifest['articles_per_second']:,} articles/s "
        f"(filled {manifest['filled_at']}; newest article {manifest['newest_article']})",
    }
    age = datetime.now(UTC) - datetime.fromisoformat(manifest["newest_article"])
    if age.total_seconds() > 24 * 3600:
        facts["note"] = (
            f"the newest article is {age.days} days old: the home page ranks the last 3 days' "
            "stories, so it shows older ones here than on a live site (refill with --fresh)"
        )
    if args.fill_only:
        report({}, {}, facts)
        return
    from broadsheet.config import Settings

    values = sample_urls(keys, args.sample, args.seed, max(1, counts[1] // Settings().page_size))
    server = Server(data_dir, args.processes, args.database_url)
    results: dict[int, dict] = {}
    try:
        server.wait_ready()
        time.sleep(args.settle)
        idle = rss(server.proc)
        chosen = choose_urls(server.base, values, args.sample, pages)
        server.watch()
        for clients in [int(c) for c in args.clients.split(",")]:
            console.print(f"  load: {clients} concurrent clients ...")
            results[clients] = run_load(server.base, server.popen.pid, chosen, clients, args)
        time.sleep(args.settle)
        after = rss(server.proc)
        heavy = loaded_libraries(server.proc)
    finally:
        server.stop()
    errors = server.log.read_text(encoding="utf-8", errors="replace").count("Traceback")
    facts["web log"] = f"{server.log}: {errors} error traces"
    mb = 2**20
    facts["web process"] = (
        f"{server.how}; RSS {idle / mb:.0f} MB idle after start, {server.peak / mb:.0f} MB peak "
        f"under load, {after / mb:.0f} MB idle after; "
        f"loads {', '.join(heavy) or 'neither spaCy nor scikit-learn'}"
    )
    facts["load"] = (
        f"bench/webload.py ({args.client} client, asyncio), "
        f"{args.seconds:g} s or {args.max_requests} requests "
        f"per page and level after {args.warmup} uncounted; "
        f"load average {os.getloadavg()[0]:.2f} at end"
    )
    report(results, chosen, facts)
    if args.json:
        pages = {p: {k: v for k, v in c.items() if k != "urls"} for p, c in chosen.items()}
        out = {"facts": facts, "manifest": manifest, "pages": pages, "results": results}
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
