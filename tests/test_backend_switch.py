"""The suite's backend switch: PostgreSQL asked for and unreachable stops the run loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_an_unreachable_postgresql_fails_the_run_instead_of_skipping() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BROADSHEET_", "BSTEST_"))}
    env.update(
        BROADSHEET_TEST_DATABASE="postgresql",
        BROADSHEET_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:1/test",
        PYTHONPATH=str(ROOT / "src"),
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
         "tests/store/test_backends.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 4, done.stdout + done.stderr
    assert "PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:1/test cannot be used" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr and "skipped" not in done.stdout
