"""Every command given bad input answers with one line and a documented exit code, never a
traceback (issue 16): 0 done, 1 an error (or a bad item skipped), 2 bad usage or settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.support import run

BINARY = bytes(range(256)) * 64


@pytest.fixture
def junk(tmp_path: Path) -> Path:
    path = tmp_path / "junk.bin"
    path.write_bytes(BINARY)
    return path


CASES = [
    ["sources", "add", "http://[::1"],
    ["sources", "add", "gopher://example.com/feed"],
    ["sources", "remove", "-1"],
    ["sources", "import-opml", "{junk}"],
    ["sources", "import-opml", "{dir}"],
    ["export", "--format", "csv"],
    ["extract", "{junk}"],
    ["extract", "{dir}"],
    ["cluster", "--input", "{junk}"],
    ["entities", "--input", "{dir}"],
    ["summarize", "--input", "{missing}"],
    ["furniture", "show", "\u202eevil.example"],
    ["furniture", "off", ""],
    ["serve", "--port", "0"],
    ["demo", "--articles", "100000"],
    ["ingest", "--once", "--nonsense"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c[:2]) for c in CASES])
def test_no_traceback(tmp_path: Path, junk: Path, args: list[str]) -> None:
    filled = [a.format(junk=junk, dir=tmp_path, missing=tmp_path / "missing.jsonl") for a in args]
    done = run(tmp_path / "data", *filled, timeout=90)
    assert done.returncode in (1, 2), (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert done.stderr.strip(), "a failure says why"
    if done.returncode == 1:  # our own errors are plain lines; usage errors are typer's box
        assert all(not line.startswith(" ") for line in done.stderr.splitlines()[-1:])
