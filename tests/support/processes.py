"""The environment of a `broadsheet` process a test starts: the test's own BROADSHEET_*
variables removed, the source tree (and, on PostgreSQL runs, the store's routing) on
PYTHONPATH, the local publisher allowed, no default feeds, no language models."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.support.postgres import pythonpath

ROOT = Path(__file__).resolve().parents[2]


def broadsheet_env(**settings: str) -> dict[str, str]:
    """``settings``: more BROADSHEET_* variables, e.g. ``EXTRACT_WORKERS="2"``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        PYTHONPATH=pythonpath(ROOT / "src"),
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",
        BROADSHEET_DEFAULT_SOURCES="0",
        BROADSHEET_UNDERSTAND="0",
        BROADSHEET_SCHEDULER_TICK="1",
        # the default 10 s: /healthz calls a worker silent, and its worker lease lapses,
        # after three beats missed (3 s with 1 s beats: a loaded machine can miss them)
        BROADSHEET_WORKER_HEARTBEAT="10",
        # a page that timed out is retried half an hour later, past any test's wait:
        # deadlines for the local publisher's pages a loaded machine does not reach
        BROADSHEET_FETCH_TIMEOUT="60",
        BROADSHEET_EXTRACT_TIMEOUT="120",
    )
    env.update({f"BROADSHEET_{k}": v for k, v in settings.items()})
    return env


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, grace: float = 120.0) -> int:
    """Send ``sig``, wait ``grace`` s for the process to end, else kill it; its exit code."""
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
