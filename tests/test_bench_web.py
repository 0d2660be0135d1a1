"""bench/web.py end to end at a tiny scale, on an invented corpus (no data sets needed):
it fills a store, serves it from a separate web process, loads every page type it finds
from a separate load-generator process, and prints its table."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from tests.support.postgres import pythonpath

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["Ada Lovelace", "Charles Babbage", "Mary Somerville", "Royal Society", "London Council"]
WORDS = {
    "en": "the minister said on monday that the election police court market team match "
    "government economy weather storm players bank company shares vote parliament".split(),
    "de": "die regierung sagte am montag dass die wahl polizei gericht markt mannschaft "
    "spiel wirtschaft wetter sturm spieler bank firma aktien abstimmung".split(),
}
CORE_PAGES = {"home", "article", "story", "entity", "place", "topic"}


def _corpus(path: Path) -> None:
    """Made-up documents: sentences of common words around a few capitalised names."""
    rng = random.Random(7)
    lines = []
    for lang, words in WORDS.items():
        for d in range(20):
            sentences = [
                " ".join([rng.choice(NAMES), *rng.sample(words, 9)]).capitalize() + "."
                for _ in range(12)
            ]
            title = f"{rng.choice(NAMES)} {' '.join(rng.sample(words, 5))} {d}"
            lines.append(json.dumps({"lang": lang, "title": title, "sentences": sentences}))
    path.write_text("\n".join(lines), encoding="utf-8")


def test_web_bench_runs_end_to_end_on_a_tiny_store(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    results = tmp_path / "results.json"
    env = dict(os.environ, PYTHONPATH=pythonpath(ROOT / "src"))
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), str(tmp_path / "no-datasets"),
            "--articles", "300", "--corpus", str(corpus), "--data-dir", str(tmp_path / "store"),
            "--clients", "1,3", "--seconds", "0.4", "--warmup", "2", "--sample", "50",
            "--settle", "0.2", "--json", str(results),
        ],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Web pages: latency (ms), throughput" in done.stdout
    found = json.loads(results.read_text(encoding="utf-8"))
    served = {page for page, choice in found["pages"].items() if choice["template"]}
    assert CORE_PAGES <= served
    for clients in ("1", "3"):
        for page in served:
            measured = found["results"][clients][page]
            assert measured["requests"] > 0
            assert set(measured["statuses"]) == {"200"}, (page, measured["statuses"])
    assert found["manifest"]["articles"] == 300 and found["manifest"]["stories"] > 1
    assert "neither spaCy nor scikit-learn" in found["facts"]["web process"]

    # the filled store is kept: a second run serves it without filling again
    again = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), "--articles", "300",
            "--data-dir", str(tmp_path / "store"), "--reuse", "--fill-only",
        ],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reusing the store" in again.stdout and "filled 300" not in again.stdout

    # a directory the bench did not fill is never emptied, even when asked to refill
    real = tmp_path / "real-data-dir"
    real.mkdir()
    (real / "broadsheet.db").write_bytes(b"someone's articles")
    refused = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "web.py"), "--articles", "300",
            "--corpus", str(corpus), "--data-dir", str(real), "--fresh", "--fill-only",
        ],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert refused.returncode != 0 and "not a web-bench store" in refused.stderr
    assert (real / "broadsheet.db").read_bytes() == b"someone's articles"


def test_the_load_generators_client_reads_chunked_and_closed_responses() -> None:
    """bench/webload.py's own HTTP client against a server answering in chunks, then with
    ``Connection: close``, then closing a kept-alive connection before answering (as a
    server's idle timeout does): every request gets its status, on as few connections as
    that allows."""
    import asyncio

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from webload import RawClient
    finally:
        sys.path.remove(str(ROOT / "bench"))
    accepted: list[int] = []
    dropped: list[bytes] = []
    finished: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            path = head.split(b" ")[1]
            if path == b"/chunked":
                writer.write(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
                )
            elif path == b"/close":
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n"
                             b"Connection: close\r\n\r\nno")  # fmt: skip
                await writer.drain()
                break
            elif path == b"/drop":  # the first dropped unanswered: the retry gets an answer
                if not dropped:
                    dropped.append(path)
                    break
                writer.write(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
        writer.close()
        await writer.wait_closed()
        finished.append(1)

    async def run() -> list[int]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, RawClient(f"http://127.0.0.1:{port}", 60.0) as client:
            paths = ("/chunked", "/chunked", "/close", "/chunked", "/drop")
            statuses = [await client.get(p) for p in paths]
        async with asyncio.timeout(60):  # a hang guard: each handler sees its end
            while len(finished) < len(accepted):
                await asyncio.sleep(0.01)
        return statuses

    assert asyncio.run(run()) == [200, 200, 404, 200, 204]
    # one connection until the server closed it, a second it dropped, a third for the retry
    assert len(accepted) == 3 and dropped
