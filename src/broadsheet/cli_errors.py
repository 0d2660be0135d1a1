"""Where errors meet the terminal: whatever a command lets out becomes one line on stderr.

The mapping, in one place (exit codes are part of the command-line contract)::

    ConfigError, a settings ValidationError   "configuration error: BROADSHEET_X: why"  2
    BroadsheetError (StoreError, FetchError…)  "error: <message>"                        1
    OSError (a file, a directory, a port)      "error: <file>: <reason>"                 1
    KeyboardInterrupt, SIGTERM                 "interrupted"                             130
    anything else                              "error: unexpected <Type>: <message>
                                                (details in <log file>)"                 1

Usage errors (a bad option) stay typer's: exit code 2. Untrusted text in a message (a feed
title, a file name) is printed as plain text on one line: no markup, no control characters.
Log records (warnings of the stages, the traceback of an unexpected error) go to a log file
beside the database, never to the terminal.
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import typer
from typer._click.exceptions import ClickException, UsageError
from typer.core import TyperGroup

from broadsheet.errors import BroadsheetError, ConfigError

log = logging.getLogger("broadsheet.cli")

LOG_NAME = "broadsheet.log"
INTERRUPTED = 130
_PASS_THROUGH = (typer.Exit, typer.Abort, typer.TyperException)


class _LazyFileHandler(logging.FileHandler):
    """A file log that creates its directory only when the first record arrives."""

    def _open(self) -> Any:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


_handler: _LazyFileHandler | None = None
_stderr: logging.Handler | None = None
_enabled = False  # set by the program's entry point; commands run in tests leave logging be


def enable_file_log() -> None:
    """Called by the program's entry point: log records, and Python warnings (a library's
    DeprecationWarning, "coroutine ... was never awaited" at exit), go to the log file."""
    global _enabled
    _enabled = True
    logging.captureWarnings(True)


def stop_file_log() -> None:
    global _enabled, _handler
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
    _enabled, _handler = False, None
    logging.captureWarnings(False)


def log_to(data_dir: Path, settings: Any = None) -> logging.Handler | None:
    """Send every log record (warnings and up) to ``data_dir/broadsheet.log``, not stderr
    (once the program's entry point has enabled it); returns the handler. With settings:
    their format (text, or one JSON object per line; secrets scrubbed either way), level,
    and a copy on stderr if ``log_stderr``."""
    global _handler, _stderr
    if not _enabled:
        return None
    from broadsheet import logs

    root = logging.getLogger()
    for old in (_handler, _stderr):
        if old is not None:
            root.removeHandler(old)
            old.close()
    _stderr = None
    logging.raiseExceptions = False  # a log that cannot be written must not print either
    _handler = _LazyFileHandler(data_dir / LOG_NAME, delay=True, encoding="utf-8")
    _handler.setFormatter(logs.formatter("text"))
    root.addHandler(_handler)
    if settings is not None:
        handlers: list[logging.Handler] = [_handler]
        if settings.log_stderr:
            _stderr = logging.StreamHandler(sys.stderr)
            handlers.append(_stderr)
        logs.configure(handlers, settings)
    elif root.level == logging.NOTSET or root.level > logging.WARNING:
        root.setLevel(logging.WARNING)
    return _handler


def one_line(text: object) -> str:
    """``text`` as a single printable line: newlines, tabs and control or bidi characters
    (which could rewrite the terminal or reverse the text after them) become spaces."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return re.sub(r" {2,}", " ", cleaned).strip()


def say(message: str) -> None:
    """One line on stderr, as plain text."""
    sys.stderr.write(one_line(message) + "\n")
    sys.stderr.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` and return the exit to raise: ``raise fail("...")``."""
    say(f"error: {message}")
    return typer.Exit(code)


def _details(exc: BaseException) -> str:
    """Write the traceback to the log file (or a temp file); return where it went."""
    if _handler is not None:
        log.error("unexpected error", exc_info=exc)
        _handler.flush()
        if Path(_handler.baseFilename).is_file():
            return _handler.baseFilename
    fd, path = tempfile.mkstemp(prefix="broadsheet-error-", suffix=".log")
    with open(fd, "w", encoding="utf-8") as f:
        traceback.print_exception(exc, file=f)
    return path


def exit_for(exc: BaseException) -> typer.Exit:
    """The one mapping of an exception to what the user sees and the exit code."""
    if isinstance(exc, KeyboardInterrupt):
        say("interrupted")
        return typer.Exit(INTERRUPTED)
    if isinstance(exc, ConfigError):
        say(f"configuration error: {exc}")
        return typer.Exit(2)
    if isinstance(exc, BroadsheetError):
        return fail(str(exc))
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return fail(f"{where}{exc.strerror}")
    if isinstance(exc, MemoryError):
        return fail("out of memory")
    if isinstance(exc, UnicodeEncodeError) and isinstance(exc.object, str):
        # an argument of bytes that are not UTF-8 (Python keeps them as lone surrogates)
        raw = exc.object[exc.start : exc.end].encode("utf-8", "surrogateescape")
        return fail(f"{exc.object!a} is not UTF-8 text (bytes {raw.hex(' ')})")
    where = _details(exc)
    return fail(f"unexpected {type(exc).__name__}: {exc} (details in {where})")


def stop_on_sigterm(_signum: int, _frame: object) -> None:
    """SIGTERM (``kill``, ``docker stop``) stops a command as Ctrl-C does: its worker
    processes and connections are closed, not left behind."""
    raise KeyboardInterrupt


class BroadsheetGroup(TyperGroup):
    """The root command group: every command runs inside :func:`exit_for`, and a usage
    error (a missing argument, a bad option value) is one line too, exit code 2."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            done = super().main(*args, standalone_mode=False, **kwargs)
        except ClickException as exc:
            message = exc.format_message()
            if message:  # (a group given no command has printed its help instead)
                where = exc.ctx.command_path if isinstance(exc, UsageError) and exc.ctx else ""
                hint = f" (see {where} --help)" if where else ""
                kind = "usage error" if exc.exit_code == 2 else "error"
                say(f"{kind}: {message}{hint}")
            sys.exit(exc.exit_code)
        except typer.Abort:
            say("aborted")
            sys.exit(1)
        sys.exit(done if isinstance(done, int) else 0)  # typer.Exit's code, else success

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _PASS_THROUGH:
            raise
        except (Exception, KeyboardInterrupt) as exc:
            raise exit_for(exc) from None
