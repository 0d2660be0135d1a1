"""Commands: parse arguments, call the pipeline or the store, print. Nothing else.

Errors raised on purpose (:mod:`broadsheet.errors`) are turned into a one-line message and
exit code 1 here, in one place.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from broadsheet.config import Settings
from broadsheet.errors import BroadsheetError
from broadsheet.store import Store

if TYPE_CHECKING:
    from broadsheet.pipeline import IngestReport

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Broadsheet: the news, gathered."
)
sources_app = typer.Typer(no_args_is_help=True, help="The feeds and sitemaps Broadsheet polls.")
app.add_typer(sources_app, name="sources")

# piped output is not wrapped at 80 columns, so scripts can read whole rows
out = Console() if sys.stdout.isatty() else Console(width=240)
err = Console(stderr=True) if sys.stderr.isatty() else Console(stderr=True, width=240)


class _State:
    data_dir: Path | None = None


state = _State()


@app.callback()
def _global(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", envvar="BROADSHEET_DATA_DIR", help="Where the database lives."),
    ] = None,
) -> None:
    state.data_dir = data_dir


def load_settings(**overrides: object) -> Settings:
    if state.data_dir is not None:
        overrides.setdefault("data_dir", state.data_dir)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    store = Store.open(settings)
    try:
        yield store
    finally:
        store.close()


def _fail(exc: BroadsheetError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}", markup=True, highlight=False)
    return typer.Exit(1)


def _ago(when: datetime | None) -> str:
    if when is None:
        return "never"
    from babel.dates import format_timedelta

    return format_timedelta(when - datetime.now(UTC), add_direction=True, locale="en")


# --- sources -------------------------------------------------------------------------------
@sources_app.command("add")
def sources_add(
    url: str,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: the feed's title).")
    ] = None,
) -> None:
    """Add a feed URL, or a site URL whose feed is discovered from its page."""
    from broadsheet.pipeline import subscribe

    settings = load_settings()
    with opened_store(settings) as store:
        try:
            source = asyncio.run(subscribe(settings, store, url, name))
        except BroadsheetError as exc:
            raise _fail(exc) from exc
    out.print(f"added source {source.id}: {source.name} <{source.url}>", highlight=False)


@sources_app.command("list")
def sources_list() -> None:
    """Every source with its health: last fetch, errors, next poll."""
    from broadsheet.jobs.schedule import is_failing

    settings = load_settings()
    with opened_store(settings) as store:
        rows = store.list_sources()
    table = Table("id", "name", "url", "articles", "last fetch", "status", "next poll")
    for s in rows:
        if not s.enabled:
            status = f"[red]disabled[/red]: {s.disabled_reason or ''}"
        elif s.error_count:
            flag = "[red]failing[/red]" if is_failing(s, settings) else "[yellow]error[/yellow]"
            status = f"{flag} ×{s.error_count}: {s.last_error or ''}"
        else:
            status = "[green]ok[/green]" if s.last_success_at else "new"
        if s.failing_entries:  # the feed is fine, some of its articles are not
            status += f" [yellow]· {s.failing_entries} entries failing[/yellow]"
        table.add_row(
            str(s.id),
            s.name,
            s.url,
            str(s.article_count),
            _ago(s.last_polled_at),
            status,
            _ago(s.next_poll_at) if s.enabled else "—",
        )
    out.print(table)


@sources_app.command("remove")
def sources_remove(source: Annotated[str, typer.Argument(help="Source id or URL.")]) -> None:
    """Remove a source and its articles."""
    settings = load_settings()
    with opened_store(settings) as store:
        found = (
            store.get_source(int(source)) if source.isdigit() else store.get_source_by_url(source)
        )
        if found is None:
            err.print(f"error: no source {source!r}", highlight=False)
            raise typer.Exit(1)
        store.remove_source(found.id)
    out.print(f"removed source {found.id}: {found.name}", highlight=False)


@sources_app.command("import-opml")
def sources_import_opml(file: Path) -> None:
    """Import sources from an OPML file; bad rows are reported, the rest imported."""
    from broadsheet.catalog import import_outlines
    from broadsheet.ingest.opml import parse_opml

    settings = load_settings()
    try:
        outlines, warnings = parse_opml(file.read_bytes())
    except OSError as exc:
        err.print(f"error: cannot read {file}: {exc.strerror}", highlight=False)
        raise typer.Exit(1) from exc
    except BroadsheetError as exc:
        raise _fail(exc) from exc
    with opened_store(settings) as store:
        result = import_outlines(store, outlines, warnings)
    out.print(
        f"imported {result.added} sources, {result.existing} already present, "
        f"{len(result.rejected)} rejected",
        highlight=False,
    )
    for reason in result.rejected:
        err.print(f"  rejected: {reason}", highlight=False)


@sources_app.command("export-opml")
def sources_export_opml() -> None:
    """Write every source as OPML 2.0 to standard output."""
    from broadsheet.ingest.opml import write_opml
    from broadsheet.models import OPMLOutline

    settings = load_settings()
    with opened_store(settings) as store:
        rows = store.list_sources()
    outlines = [OPMLOutline(url=s.url, name=s.name, site_url=s.site_url) for s in rows]
    sys.stdout.write(write_opml(outlines))


# --- ingest, export -------------------------------------------------------------------------
@app.command()
def ingest(
    once: Annotated[bool, typer.Option("--once", help="Poll due sources once, then exit.")] = False,
) -> None:
    """Poll due sources, fetch new articles, extract and store them."""
    from broadsheet.cli_worker import run_worker, sigterm_as_interrupt

    settings = load_settings()
    if not once:  # the same as `broadsheet worker`
        with opened_store(settings) as store:
            out.print("polling; Ctrl-C to stop")
            try:
                run_worker(settings, store)
            except BroadsheetError as exc:
                raise _fail(exc) from exc
        return
    with opened_store(settings) as store, sigterm_as_interrupt():
        report = run_ingest_once(settings, store)
    print_report(report)


def run_ingest_once(settings: Settings, store: Store) -> IngestReport:
    from rich.progress import Progress

    from broadsheet.pipeline import ingest_once

    due = store.due_sources()
    with Progress(console=err, disable=not err.is_terminal, transient=True) as bar:
        task = bar.add_task("polling sources", total=len(due))
        return asyncio.run(
            ingest_once(
                settings, store, sources=due, progress=lambda _kind, n: bar.advance(task, n)
            )
        )


def print_report(r: IngestReport) -> None:
    table = Table("ingest", "count", title=None)
    for label, value in (
        ("sources polled", r.sources_polled),
        ("new articles", r.new_articles),
        ("duplicates skipped", r.duplicates),
        ("body from feed text", r.fallbacks),
        ("not modified (304)", r.not_modified),
        ("failures", len(r.failures)),
    ):
        table.add_row(label, str(value))
    out.print(table)
    if r.failures:
        failures = Table("where", "why", title="failures")
        for where, why in r.failures[:50]:
            failures.add_row(where, why)
        out.print(failures)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", help="Output format: jsonl.")] = "jsonl",
) -> None:
    """Every stored article as one JSON object per line on standard output."""
    from broadsheet.cli_stories import export_fields as story_export_fields
    from broadsheet.cli_understand import export_fields

    if format != "jsonl":
        err.print(f"error: unknown format {format!r} (supported: jsonl)", highlight=False)
        raise typer.Exit(2)
    settings = load_settings()
    with opened_store(settings) as store:
        for a in store.iter_articles():
            record = {
                "id": a.id,
                "url": a.url,
                "canonical_url": a.canonical_url,
                "source": a.source_name,
                "title": a.title,
                "author": a.author,
                "published": _iso(a.published),
                "fetched": _iso(a.fetched_at),
                "language": a.language,
                "text": a.text,
            }
            record.update(export_fields(store.get_understanding(a.id), a.language))
            record.update(story_export_fields(store, a.id))
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


# --- demo (serve and worker: cli_worker.py) ---------------------------------------------
@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port for the web app.")] = 8000,
    articles: Annotated[int, typer.Option(help="Sample articles per outlet.")] = 8,
) -> None:
    """Start a local sample publisher, ingest it over real HTTP, and serve the site.

    The demo keeps its database in a temporary directory that is removed when it stops.
    """
    from broadsheet.demo.publisher import SamplePublisher

    with (
        SamplePublisher(articles_per_outlet=articles) as publisher,
        tempfile.TemporaryDirectory() as tmp,
    ):
        # always a throw-away store: the sample publisher's ports change with every run
        settings = load_settings(
            data_dir=Path(tmp),
            allow_private_networks=True,
            default_sources=False,
            per_host_delay=0.0,
            poll_interval_min=60,
            scheduler_tick=30.0,
        )
        store = Store.open(settings)
        for outlet in publisher.outlets:
            if store.get_source_by_url(outlet.feed_url) is None:
                store.add_source(
                    outlet.feed_url,
                    name=outlet.name,
                    site_url=outlet.home_url,
                    country=outlet.country,
                    language=outlet.language,
                )
        out.print(
            f"sample publisher: {len(publisher.outlets)} outlets on 127.0.0.1 "
            "(sample content, not real news)"
        )
        print_report(run_ingest_once(settings, store))
        from broadsheet.cli_worker import run_server

        run_server(settings, store, settings.host, port)


def main() -> None:
    try:
        app()
    except BroadsheetError as exc:  # the one place errors meet the terminal
        err.print(f"error: {exc}", highlight=False)
        sys.exit(1)


from broadsheet.cli_understand import register as _register_understand  # noqa: E402

_register_understand(app)

from broadsheet.cli_stories import register as _register_stories  # noqa: E402

_register_stories(app)

from broadsheet.cli_extract import register as _register_extract  # noqa: E402

_register_extract(app)

from broadsheet.cli_worker import register as _register_worker  # noqa: E402

_register_worker(app)
