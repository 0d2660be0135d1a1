"""Command: ``broadsheet import --format jsonl FILE|-``.

Reads articles in ``broadsheet export``'s format and stores them through the orchestrator
(``orchestrate.importing``): saved in batches, understood (``--no-understand`` to skip)
and placed in stories as ingest would. A bad line is reported on standard error with its
line number and the rest is imported; importing the same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from broadsheet.errors import ParseError
from broadsheet.ingest.jsonl import Record, article_from_record


def read_records(
    lines: Iterable[tuple[int, dict[str, Any]]],
    bad: Callable[[str], None],
    advance: Callable[[int], None],
) -> Iterator[Record]:
    """The good records as articles; each bad one goes to ``bad`` with its line number
    (lines that are not JSON objects at all are reported by the reader itself)."""
    for number, line in lines:
        advance(1)
        try:
            yield article_from_record(line, number)
        except ParseError as exc:
            bad(f"line {number}: {exc}")


def import_jsonl(path: str, no_understand: bool = False) -> None:
    """Store the articles of a JSON Lines file (``-``: stdin); report; exit 1 when a line
    was skipped."""
    import asyncio  # here, not at the top: `broadsheet extract` starts without it

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.text import Text

    from broadsheet.cli import err, load_settings, opened_store, out
    from broadsheet.cli_jsonl import read_jsonl
    from broadsheet.jobs.pool import WorkerPool
    from broadsheet.orchestrate.importing import Importer, ImportReport

    overrides: dict[str, object] = {"understand": False} if no_understand else {}
    settings = load_settings(**overrides)
    # one reader for every JSON Lines command: bytes checked for UTF-8, size, depth,
    # NaN; a bad line is reported with its number and the rest is read
    reader = read_jsonl(
        None if path == "-" else Path(path),
        settings.max_input_line_bytes,
        required=("url", "title"),
        strings=("url", "canonical_url", "title", "text", "source", "published"),
    )
    bad: list[str] = []

    def report_bad(message: str) -> None:
        bad.append(message)
        err.print(Text(f"{message}; skipped"))

    report = ImportReport()
    columns = (TextColumn("importing"), BarColumn(), TextColumn("{task.completed} lines"),
               TimeElapsedColumn())  # fmt: skip
    with (
        opened_store(settings) as store,
        WorkerPool(settings.extract_workers) as pool,
        Progress(*columns, console=err, disable=not err.is_terminal) as bar,
    ):
        task = bar.add_task("import", total=None)
        records = read_records(reader, report_bad, lambda n: bar.advance(task, n))
        asyncio.run(Importer(settings, store, pool).run(records, report))
    for failure in report.failures[:20]:
        err.print(Text(f"warning: {failure}"))
    out.print(
        Text(
            f"imported {report.added} articles; {report.duplicates} already stored; "
            f"{len(bad) + reader.bad} bad lines skipped"
        )
    )
    reader.finish()  # exit 1 when a line was skipped, as every JSON Lines command


def register(app: typer.Typer) -> None:
    from broadsheet.cli import err

    @app.command("import")
    def import_(
        path: Annotated[str, typer.Argument(metavar="FILE|-", help="JSON Lines; - for stdin.")],
        format: Annotated[str, typer.Option("--format", help="Input format: jsonl.")] = "jsonl",
        no_understand: Annotated[
            bool, typer.Option("--no-understand", help="Skip the understanding stage.")
        ] = False,
    ) -> None:
        """Store articles from `broadsheet export` output, with understanding and stories."""
        from rich.text import Text

        if format != "jsonl":
            err.print(Text(f"error: unknown format {format!r} (supported: jsonl)"))
            raise typer.Exit(2)
        import_jsonl(path, no_understand)
