"""Run the ``broadsheet`` command as a user does: a fresh process, a temp data dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(
    data_dir: Path | None,
    *args: str,
    env: dict[str, str] | None = None,
    input: bytes | str | None = None,
    prelude: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``broadsheet [--data-dir DATA_DIR] ARGS``; stdout and stderr as text.

    ``prelude`` is Python run in the process before the command (to set up the
    environment the command meets, e.g. a database that is full), never to change it.
    """
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    clean.update(
        BROADSHEET_PER_HOST_DELAY="0",
        BROADSHEET_EXTRACT_WORKERS="1",
        BROADSHEET_ALLOW_PRIVATE_NETWORKS="1",  # the test servers are on 127.0.0.1
        BROADSHEET_FETCH_TIMEOUT="60",  # deadlines a loaded machine does not reach
        BROADSHEET_EXTRACT_TIMEOUT="120",
    )
    clean.update(env or {})
    head = [sys.executable, "-m", "broadsheet"]
    if prelude is not None:
        head = [sys.executable, "-c", f"{prelude}\nfrom broadsheet.cli import main\nmain()"]
    where = ["--data-dir", str(data_dir)] if data_dir is not None else []
    done = subprocess.run(
        [*head, *where, *args],
        input=input.encode() if isinstance(input, str) else input,
        capture_output=True,
        env=clean,
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The command's stderr, checked to be one line and no traceback; returned."""
    assert "Traceback" not in done.stderr and "╭" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]
