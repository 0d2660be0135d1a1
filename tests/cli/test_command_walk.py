"""Every command of the Typer app, enumerated from the app itself (so a command added later
is walked too), given bad input: no arguments, binary files, directories, missing files,
empty and non-UTF-8 arguments, binary standard input, out-of-range and mistyped numbers.
Each answers with exit code 0, 1 or 2 and a reason on stderr, never an exception
(issue 16, capability 6; the exit codes are those of docs/notes/issue-16-cli.md).

Commands run in-process (CliRunner through the real root group, as ``main()`` runs them):
an exception that escaped the root group would be ``result.exception`` here, and a traceback
anywhere in the output fails the test. The long-running commands (the poller, the server,
the demo, the worker) are given only their numeric options, out of range, in a real
process with a timeout: a bad number must stop them before they start.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from broadsheet.cli import app
from tests.cli.support import run

BINARY = bytes(range(256)) * 64
LONG = {"serve", "worker", "ingest", "demo"}  # they run until stopped when given good input
BAD_NUMBERS = ["-1", "0", "99999999999999999999", "abc", "1e309"]
BAD_TEXT = ["{junk}", "{dir}", "{missing}", "", "-1", "\udcff\udcfe"]  # the last: non-UTF-8 argv


def commands() -> Iterator[tuple[list[str], Any]]:
    def walk(command: Any, prefix: list[str]) -> Iterator[tuple[list[str], Any]]:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, [*prefix, name])
        else:
            yield prefix, command

    yield from walk(typer.main.get_command(app), [])


def _is_number(param: Any) -> bool:
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    return annotation in (int, float, int | None, float | None)


def cases() -> Iterator[tuple[list[str], bytes | None]]:
    """(arguments, standard input) of every bad invocation of every command."""
    for name, command in commands():
        if name[0] in LONG:
            continue
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        options = [p for p in command.params if p.param_type_name == "option" and not p.is_flag]
        if arguments:
            yield name, None  # missing arguments
        for value in BAD_TEXT:
            yield [*name, *[value] * len(arguments)], BINARY
        for option in options:
            for value in BAD_NUMBERS if _is_number(option) else BAD_TEXT:
                yield [*name, *["{junk}"] * len(arguments), option.opts[0], value], BINARY


def long_cases() -> Iterator[list[str]]:
    for name, command in commands():
        if name[0] in LONG:
            for option in command.params:
                if option.param_type_name == "option" and _is_number(option):
                    for value in BAD_NUMBERS:
                        yield [*name, option.opts[0], value]


def _check(code: int, out: str, err: str, args: list[str]) -> None:
    assert code in (0, 1, 2), (args, code, out, err)
    assert "Traceback" not in out + err, (args, out, err)
    if code:
        assert err.strip(), (args, "a failure says why")
    if code == 2:  # a usage error or a bad setting: one line, no box
        assert len(err.strip().splitlines()) == 1 and "╭" not in err, (args, err)
    if code == 1:  # our own errors: plain lines, the last one the reason
        last = err.strip().splitlines()[-1]
        assert not last.startswith(" "), (args, err)
        assert "error: unexpected" not in last, (args, "bad input is not a bug", last)


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(BINARY)
    (tmp_path / "dir").mkdir()
    return {"junk": str(junk), "dir": str(tmp_path / "dir"), "missing": str(tmp_path / "no.jsonl")}


def test_every_command_answers_bad_input_with_a_reason(
    tmp_path: Path, places: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a command given a bare name (backup "\udcff\udcfe") writes here
    monkeypatch.setenv("BROADSHEET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BROADSHEET_DEFAULT_SOURCES", "0")
    monkeypatch.setenv("BROADSHEET_EXTRACT_WORKERS", "1")
    walked = set()
    count = numbers = 0
    runner = CliRunner()
    for args, stdin in cases():
        filled = [a.format(**places) if "{" in a else a for a in args]
        result = runner.invoke(app, filled, input=stdin)
        escaped = result.exception
        if isinstance(escaped, SystemExit):
            escaped = None
        assert escaped is None, (filled, repr(escaped), result.output)
        _check(result.exit_code, result.stdout, result.stderr, filled)
        walked.add(" ".join(a for a in args[:2] if not a.startswith(("{", "-"))))
        count += 1
        numbers += any(v in args for v in BAD_NUMBERS[2:])
    assert {"extract", "cluster", "sources add", "users create", "import"} <= walked
    assert count > 150, count
    assert numbers >= 3, numbers


@pytest.mark.parametrize("args", list(long_cases()), ids=" ".join)
def test_long_running_commands_refuse_bad_numbers_before_starting(
    tmp_path: Path, args: list[str]
) -> None:
    done = run(tmp_path / "data", *args, input=BINARY, timeout=60)
    assert done.returncode == 2, (done.returncode, done.stderr)
    _check(done.returncode, done.stdout, done.stderr, args)
    assert not (tmp_path / "data").exists(), "nothing created before the options are checked"
