"""Command: ``broadsheet import --format jsonl FILE|-``.

Reads articles in ``broadsheet export``'s format and stores them through the orchestrator
(``orchestrate.importing``): saved in batches, understood (``--no-understand`` to skip)
and placed in stories as ingest would. A bad line is reported on standard error with its
line number and the rest is imported; importing the same file again adds nothing.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from broadsheet.errors import ParseError
from broadsheet.ingest.jsonl import Record, parse_line


def read_records(
    stream: TextIO, bad: Callable[[str], None], advance: Callable[[int], None]
) -> Iterator[Record]:
    """The good lines as records; each bad one goes to ``bad`` with its line number."""
    for number, line in enumerate(stream, 1):
        advance(len(line.encode("utf-8", "replace")))
        try:
            record = parse_line(line, number)
        except ParseError as exc:
            bad(str(exc))
            continue
        if record is not None:
            yield record


def register(app: typer.Typer) -> None:
    from broadsheet.cli import err, load_settings, opened_store, out

    @app.command("import")
    def import_(
        path: Annotated[str, typer.Argument(metavar="FILE|-", help="JSON Lines; - for stdin.")],
        format: Annotated[str, typer.Option("--format", help="Input format: jsonl.")] = "jsonl",
        no_understand: Annotated[
            bool, typer.Option("--no-understand", help="Skip the understanding stage.")
        ] = False,
    ) -> None:
        """Store articles from `broadsheet export` output, with understanding and stories."""
        from broadsheet.jobs.pool import WorkerPool
        from broadsheet.orchestrate.importing import Importer, ImportReport

        if format != "jsonl":
            err.print(Text(f"error: unknown format {format!r} (supported: jsonl)"))
            raise typer.Exit(2)
        overrides: dict[str, object] = {"understand": False} if no_understand else {}
        settings = load_settings(**overrides)
        if path == "-":
            stream: TextIO = sys.stdin
            total = None
        else:
            try:
                stream = Path(path).open(encoding="utf-8", errors="replace")
                total = Path(path).stat().st_size
            except OSError as exc:
                err.print(Text(f"error: cannot read {path}: {exc.strerror}"))
                raise typer.Exit(1) from exc
        bad: list[str] = []

        def report_bad(message: str) -> None:
            bad.append(message)
            err.print(Text(f"{message}; skipped"))

        report = ImportReport()
        columns = (TextColumn("importing"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn())  # fmt: skip
        try:
            with (
                opened_store(settings) as store,
                WorkerPool(settings.extract_workers) as pool,
                Progress(*columns, console=err, disable=not err.is_terminal) as bar,
            ):
                task = bar.add_task("import", total=total)
                records = read_records(stream, report_bad, lambda n: bar.advance(task, n))
                asyncio.run(Importer(settings, store, pool).run(records, report))
        finally:
            if stream is not sys.stdin:
                stream.close()
        for failure in report.failures[:20]:
            err.print(Text(f"warning: {failure}"))
        out.print(
            Text(
                f"imported {report.added} articles; {report.duplicates} already stored; "
                f"{len(bad)} bad lines skipped"
            )
        )
