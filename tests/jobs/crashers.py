"""Functions run in worker processes by the pool tests (importable by spawned children)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def die_once(marker: str, value: int) -> int:
    """Kill the worker running it the first time (as the OOM killer would); then answer."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os.kill(os.getpid(), signal.SIGKILL)
    return value * 2


def always_die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def hang_once(marker: str, value: int) -> int:
    """The first time, say so (``marker``) and hang until killed; then answer."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(600)
    return value


def slow(seconds: float, value: int) -> int:
    time.sleep(seconds)
    return value


def pid() -> int:
    return os.getpid()
