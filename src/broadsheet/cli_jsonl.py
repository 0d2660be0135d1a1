"""JSON Lines in and out, for every command that reads it (``cluster``, ``entities``,
``summarize``, ``import``): one reader, one set of rules.

A bad line is reported on stderr with its number and the reason, and skipped; the other
lines are processed. A line is bad when it is::

    longer than BROADSHEET_MAX_INPUT_LINE_BYTES   (refused before it is parsed)
    not UTF-8                                      (a file or standard input alike)
    not JSON, or nested too deeply to parse, or with NaN / Infinity / 1e999
    not a JSON object
    holding a string with an unpaired surrogate ("\\ud800"), which no output can carry
    missing a required field (null or an empty string counts as missing), or a field of
    the wrong type (an id must be a string or a number)

The first 50 bad lines are reported one by one, the rest counted. At the end,
:meth:`JsonLines.finish` prints how many lines were skipped and exits with code 1 if there
were any, so a script can tell. Output goes through :func:`write_jsonl`,
which never writes NaN (``allow_nan=False``): every line out is valid JSON.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer

from broadsheet.cli_errors import fail, say

CHUNK = 1 << 20  # how much of an over-long line is read at a time while skipping it
MAX_REPORTED = 50  # bad lines reported one by one; the rest are counted


class BadLine(ValueError):
    """A line that is not a usable record; the message says why."""


def _no_constant(name: str) -> Any:
    raise BadLine(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadLine(f"the number {text[:40]} is out of range")
    return value


class JsonLines:
    """Records of a JSON Lines file (or standard input), with their line numbers."""

    def __init__(
        self,
        path: Path | None,
        *,
        max_line_bytes: int,
        required: tuple[str, ...] = ("id", "text"),
        strings: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.name = str(path) if path is not None else "stdin"
        self.max_line_bytes = max_line_bytes
        self.required = required
        self.strings = strings  # optional fields that must be strings when present
        self.lines = 0
        self.bad = 0

    # --- reading ------------------------------------------------------------------------
    def _open(self) -> IO[bytes]:
        if self.path is None:
            return sys.stdin.buffer
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise fail(f"cannot read {self.path}: {exc.strerror}") from None

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        stream = self._open()
        try:
            yield from self._records(stream)
        except OSError as exc:  # e.g. a directory given as the file, an I/O error
            raise fail(f"cannot read {self.name}: {exc.strerror or exc}") from None
        finally:
            if self.path is not None:
                stream.close()

    def _records(self, stream: IO[bytes]) -> Iterator[tuple[int, dict[str, Any]]]:
        while True:
            raw = stream.readline(self.max_line_bytes + 1)
            if not raw:
                return
            self.lines += 1
            if len(raw) > self.max_line_bytes and not raw.endswith(b"\n"):
                while (more := stream.readline(CHUNK)) and not more.endswith(b"\n"):
                    pass  # skip the rest of the line without keeping it
                self.reject(
                    f"longer than {self.max_line_bytes:,} bytes (BROADSHEET_MAX_INPUT_LINE_BYTES)"
                )
                continue
            if not raw.strip():
                continue
            try:
                record = self.parse(raw)
            except BadLine as exc:
                self.reject(str(exc))
                continue
            yield self.lines, record

    def parse(self, raw: bytes) -> dict[str, Any]:
        """One line's record, or :class:`BadLine` saying why not."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            byte = raw[exc.start : exc.start + 1].hex()
            raise BadLine(f"not UTF-8 (byte 0x{byte} at offset {exc.start})") from None
        if self.lines == 1:
            text = text.removeprefix("\ufeff")
        try:
            record = json.loads(text, parse_constant=_no_constant, parse_float=_finite)
        except json.JSONDecodeError as exc:
            why = exc.msg.removesuffix(" at")  # "Invalid control character at"
            raise BadLine(f"not JSON: {why} at column {exc.colno}") from None
        except RecursionError:
            raise BadLine("not JSON this program can read: nested too deeply") from None
        except BadLine:
            raise
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise BadLine(f"not JSON this program can read: {exc}") from None
        if not isinstance(record, dict):
            raise BadLine(f"not a JSON object but {type(record).__name__}")
        try:  # what comes in must be able to go out: no lone surrogate, no NaN
            json.dumps(record, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end].encode("unicode_escape").decode()
            raise BadLine(f"a string holds an unpaired surrogate ({bad})") from None
        except (RecursionError, ValueError):
            raise BadLine("not JSON this program can read: nested too deeply") from None
        self.check_fields(record)
        return record

    def check_fields(self, record: dict[str, Any]) -> None:
        missing = [f for f in self.required if record.get(f) in (None, "")]
        if missing:
            raise BadLine(f"no {' and no '.join(repr(f) for f in missing)}")
        ident = record.get("id")
        if "id" in self.required and (
            isinstance(ident, bool) or not isinstance(ident, str | int | float)
        ):
            raise BadLine(f"'id' must be a string or a number, not {type(ident).__name__}")
        for name in (*self.required, *self.strings):
            if name == "id" or record.get(name) is None:
                continue
            if not isinstance(record[name], str):
                kind = type(record[name]).__name__
                raise BadLine(f"{name!r} must be a string, not {kind}")
            if name == "text" and not record[name].strip():
                raise BadLine("'text' is blank")

    # --- reporting ----------------------------------------------------------------------
    def reject(self, reason: str) -> None:
        self.bad += 1
        if self.bad <= MAX_REPORTED:
            say(f"{self.name} line {self.lines}: {reason}; skipped")
        elif self.bad == MAX_REPORTED + 1:  # a binary file must not flood the terminal
            say(f"{self.name}: more bad lines, not shown one by one")

    def finish(self) -> None:
        """Exit with code 1 (after saying how many) if any line was skipped."""
        if self.bad:
            say(f"{self.bad} of {self.lines} lines skipped")
            raise typer.Exit(1)


def read_jsonl(
    path: Path | None,
    max_line_bytes: int,
    required: tuple[str, ...] = ("id", "text"),
    strings: tuple[str, ...] = (),
) -> JsonLines:
    """The records of ``path`` (standard input if None); see :class:`JsonLines`."""
    return JsonLines(path, max_line_bytes=max_line_bytes, required=required, strings=strings)


def write_jsonl(record: dict[str, Any]) -> None:
    """One record as one line of valid JSON on standard output."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False, allow_nan=False) + "\n")
