"""Ctrl-C and SIGTERM stop a command quietly (issue 16): no traceback, no "Exception closing
connection", no "leaked semaphore objects", and no process of the command left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.httpserver import TestServer
from tests.test_pipeline import page, rss

NOISE = ("Traceback", "Exception closing connection", "leaked semaphore", "KeyboardInterrupt")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_the_poller_stops_quietly_and_leaves_no_process(
    server: TestServer, tmp_path: Path, how: str
) -> None:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in range(1, 6)]
    server.route(
        "/feed.xml", rss(server.base, items), headers={"content-type": "application/rss+xml"}
    )
    for n in range(1, 6):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        BROADSHEET_DATA_DIR=str(tmp_path),
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",
        BROADSHEET_PER_HOST_DELAY="0",
        BROADSHEET_EXTRACT_WORKERS="2",  # a real pool of worker processes
    )
    cli = [sys.executable, "-m", "broadsheet"]
    subprocess.run([*cli, "sources", "add", server.url("/feed.xml")], env=env, check=True)
    log = tmp_path / "out.txt"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [*cli, "ingest"], env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 240
        while len(_children(proc.pid)) < 3 and time.monotonic() < deadline:  # 2 + tracker
            time.sleep(0.2)
        assert len(_children(proc.pid)) >= 3, log.read_text()
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # what a terminal does: the whole group
        else:
            proc.send_signal(signal.SIGTERM)  # what kill and docker stop do
        proc.wait(timeout=120)
        deadline = time.monotonic() + 120
        while _group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(proc.pid)  # every worker ended with the command
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    said = log.read_text()
    assert proc.returncode in (0, 130), said
    assert not [n for n in NOISE if n in said], said
