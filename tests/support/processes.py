"""The environment of a `broadsheet` process a test starts: the test's own BROADSHEET_*
variables removed, the source tree (and, on PostgreSQL runs, the store's routing) on
PYTHONPATH, the local publisher allowed, no default feeds, no language models."""

from __future__ import annotations

import os
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
        BROADSHEET_WORKER_HEARTBEAT="1",
    )
    env.update({f"BROADSHEET_{k}": v for k, v in settings.items()})
    return env
