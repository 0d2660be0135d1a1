"""The coverage-guided harnesses of bench/fuzz.py (atheris), each run briefly: every
target starts from its seeds and must finish its runs without a finding. The long runs and
their figures are in docs/notes/issue-16-harden.md."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("atheris", reason="atheris is in the test extra (pyproject.toml)")

ROOT = Path(__file__).resolve().parents[2]
FUZZ = ROOT / "bench" / "fuzz.py"
TARGETS = ["feed", "opml", "sitemap", "url", "guard", "sanitize", "date", "jsonl"]
RUNS = int(os.environ.get("BROADSHEET_ATHERIS_RUNS", "400"))


def _harnesses() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_fuzz", FUZZ)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_target_is_run() -> None:
    assert sorted(_harnesses().TARGETS) == sorted(TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_a_short_fuzz_run_finds_nothing(tmp_path: Path, target: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _harnesses().seeds(target, corpus)  # the fixtures that apply: deeper in fewer runs
    findings = tmp_path / "findings"
    findings.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(FUZZ), target, f"-atheris_runs={RUNS}", "-seed=1",
         "-max_len=8192", f"-artifact_prefix={findings}/", str(corpus)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    assert not list(findings.iterdir()), done.stderr[-4000:]
    assert f"Done {RUNS} in" in done.stderr or f"Done {RUNS + 1} in" in done.stderr, done.stderr[
        -2000:
    ]
