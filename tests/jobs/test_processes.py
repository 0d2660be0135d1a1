"""Real processes on one SQLite file: two web-only servers (one of them in two processes
sharing its port) and one worker, ingesting the local sample publisher. Every article is
stored once; the pages answer throughout; the web processes never load spaCy or
scikit-learn; SIGTERM stops all three cleanly."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from broadsheet.config import Settings
from broadsheet.demo.publisher import SamplePublisher
from broadsheet.store import Store
from tests.support.postgres import pythonpath
from tests.support.processes import broadsheet_env, stop

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("/spacy/", "/sklearn/", "/thinc/")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], data: Path, log: Path) -> subprocess.Popen[bytes]:
    env = broadsheet_env(PER_HOST_DELAY="0", EXTRACT_WORKERS="2")
    with log.open("w") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "broadsheet", "--data-dir", str(data), *args],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
        )


def _heavy_libraries(pid: int) -> list[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return [lib for lib in HEAVY if lib in maps]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/maps")
def test_two_web_processes_and_one_worker_share_one_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, default_sources=False)
    ports = [_free_port(), _free_port()]
    with SamplePublisher(articles_per_outlet=6) as publisher:
        store = Store.open(settings)
        for outlet in publisher.outlets:
            store.add_source(outlet.feed_url, name=outlet.name)
        procs = [
            _start(
                ["serve", "--no-worker", "--port", str(p), *more], data, tmp_path / f"web{p}.log"
            )
            for p, more in zip(ports, (["--processes", "2"], []), strict=True)
        ]
        procs.append(_start(["worker"], data, tmp_path / "worker.log"))
        logs = lambda: "\n".join(f.read_text() for f in sorted(tmp_path.glob("*.log")))  # noqa: E731
        statuses: list[int] = []
        try:
            deadline = time.monotonic() + 240
            while store.count_articles() < publisher.article_count:
                assert time.monotonic() < deadline, logs()
                assert all(p.poll() is None for p in procs), logs()
                for port in ports:
                    try:
                        statuses.append(
                            httpx.get(f"http://127.0.0.1:{port}/", timeout=60).status_code
                        )
                    except httpx.ConnectError:
                        continue  # still starting
                time.sleep(0.2)
            time.sleep(1.5)  # a worker that fetched anything twice would store it now
            for port in ports:
                assert httpx.get(f"http://127.0.0.1:{port}/", timeout=60).status_code == 200
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=60)
                assert health.status_code == 200 and health.json()["status"] == "ok"
            forked = psutil.Process(procs[0].pid).children()
            assert len(forked) == 1  # the second web process, listening on the first port
            listening = forked[0].net_connections(kind="tcp")
            assert [c.laddr.port for c in listening if c.status == "LISTEN"] == [ports[0]]
            for pid in [procs[0].pid, procs[1].pid, forked[0].pid]:
                assert _heavy_libraries(pid) == []
            stored = list(store.iter_articles())
            children = [c.pid for p in procs for c in psutil.Process(p.pid).children(True)]
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGTERM)
            codes = []
            for proc in procs:
                try:
                    codes.append(proc.wait(timeout=120))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    codes.append(proc.wait())
            store.close()
        served = {urlsplit(u).path + str(urlsplit(u).port) for u in publisher.article_urls()}

    assert statuses and set(statuses) == {200}  # the pages answered throughout
    assert store_count_ok(stored, served)
    assert codes == [0, 0, 0], logs()
    # multiprocessing's resource tracker exits once it reads its parent's end of file,
    # moments after the parent: give the children that moment (on a loaded machine, long)
    _gone, alive = psutil.wait_procs(_processes(children), timeout=120)
    assert not [p.pid for p in alive if _not_zombie(p.pid)]


def store_count_ok(stored: list, served: set[str]) -> bool:  # type: ignore[type-arg]
    """Every served article stored exactly once (no duplicates of URL or of fetch)."""
    keys = [urlsplit(a.url).path + str(urlsplit(a.url).port) for a in stored]
    assert len(keys) == len(set(keys)) == len(served)
    assert set(keys) == served
    return True


def _processes(pids: list[int]) -> list[psutil.Process]:
    found = []
    for pid in pids:
        try:
            found.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            continue
    return found


def _not_zombie(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


WEB_ONLY = """
import sys
from broadsheet.cli import app  # every command registered, as `serve --no-worker` runs
from broadsheet.cli_worker import run_server
from broadsheet.config import Settings
from broadsheet.store import Store
from tests.support.postgres import pythonpath
from tests.support.processes import broadsheet_env, stop
from broadsheet.web.app import create_app

settings = Settings(data_dir=sys.argv[1], default_sources=False)
create_app(settings, Store.open(settings))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "sklearn", "thinc"))
print(",".join(heavy))
"""


def test_a_web_only_process_imports_neither_spacy_nor_scikit_learn(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": pythonpath(ROOT / "src")}
    ran = subprocess.run(
        [sys.executable, "-c", WEB_ONLY, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT, /proc")
def test_kept_alive_connections_settle_evenly_over_the_web_processes(tmp_path: Path) -> None:
    """With ``--processes 2`` both processes serve, evenly. On one shared socket the first
    process to wake took every waiting connection (9 or 10 of 10 measured), and a
    kept-alive connection never moves; with a socket each (SO_REUSEPORT) the kernel's hash
    splits 10 connections 5/5 only one time in four. A process holding more than its share
    closes connections after a response until the clients' new connections have landed
    evenly, and then closes none (web/balance.py)."""
    port = _free_port()
    proc = _start(
        ["serve", "--no-worker", "--port", str(port), "--processes", "2"],
        tmp_path / "data",
        tmp_path / "web.log",
    )
    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for _ in range(10)]
    try:
        deadline = time.monotonic() + 120
        web = [psutil.Process(proc.pid)]
        while len(web) < 2 or not all(_listening(p, port) for p in web):  # both started
            assert proc.poll() is None and time.monotonic() < deadline, (
                tmp_path / "web.log"
            ).read_text()
            time.sleep(0.2)
            web = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children()]
        closed_in_round, rounds = [], 0
        while not closed_in_round or closed_in_round[-1]:  # until a round closes none
            rounds += 1
            assert rounds <= 200, closed_in_round  # a hang guard: it settles in a few
            closed = 0
            for conn in conns:  # http.client opens a closed connection again by itself
                conn.request("GET", "/")
                response = conn.getresponse()
                assert response.status == 200
                response.read()
                closed += response.getheader("connection", "") == "close"
            closed_in_round.append(closed)
        served = [
            sum(
                1
                for c in p.net_connections(kind="tcp")
                if c.status == "ESTABLISHED" and c.laddr.port == port
            )
            for p in web
        ]
        assert served == [5, 5], (served, closed_in_round)
    finally:
        for conn in conns:
            conn.close()
        code = stop(proc)
    assert code == 0, (tmp_path / "web.log").read_text()


def _listening(process: psutil.Process, port: int) -> bool:
    return any(
        c.status == "LISTEN" and c.laddr.port == port for c in process.net_connections("tcp")
    )
