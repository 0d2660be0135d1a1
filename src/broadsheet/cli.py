"""Commands: parse arguments, call the pipeline or the store, print. Nothing else.

Whatever a command lets out is turned into a one-line message and an exit code in one
place, :mod:`broadsheet.cli_errors`. Untrusted text (feed titles, URLs, file names) is never
given to Rich as markup. Modules are imported by the commands that need them, so that a
command starts fast (``extract`` imports no database code).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from broadsheet.cli_errors import BroadsheetGroup, fail
from broadsheet.errors import BroadsheetError

if TYPE_CHECKING:
    from rich.console import Console

    from broadsheet.config import Settings
    from broadsheet.pipeline import IngestReport
    from broadsheet.store import Store

app = typer.Typer(
    cls=BroadsheetGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Broadsheet: the news, gathered.",
)
sources_app = typer.Typer(no_args_is_help=True, help="The feeds and sitemaps Broadsheet polls.")
app.add_typer(sources_app, name="sources")


# piped output is not wrapped at 80 columns, so scripts can read whole rows
# and markup is off: untrusted text ("[/red] Daily News", "[fd00::2]") prints as it is
class _Console:
    """A Rich console made on first use, so that commands that print none (``extract``)
    do not import Rich."""

    def __init__(self, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            tty = (sys.stderr if self._stderr else sys.stdout).isatty()
            self._console = Console(stderr=self._stderr, markup=False, width=None if tty else 240)
        return getattr(self._console, name)


out: Console = _Console(stderr=False)  # type: ignore[assignment]
err: Console = _Console(stderr=True)  # type: ignore[assignment]


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
    """The settings (environment, then ``overrides``); a bad value is a ConfigError that
    names the variable. Log records go to the data directory's log file from here on."""
    from broadsheet.cli_errors import log_to
    from broadsheet.config import read_settings

    if state.data_dir is not None:
        overrides.setdefault("data_dir", state.data_dir)
    settings = read_settings(**overrides)
    if state.data_dir is not None:
        log_to(Path(state.data_dir), settings)
    elif "data_dir" not in overrides:  # not a throw-away store's directory
        log_to(settings.data_dir, settings)
    else:
        from broadsheet.plain_defaults import default_data_dir

        log_to(default_data_dir(), settings)
    return settings


@contextmanager
def opened_store(settings: Settings) -> Iterator[Store]:
    from broadsheet.store import Store

    store = Store.open(settings)
    try:
        yield store
    finally:
        store.close()


def _fail(exc: BroadsheetError) -> typer.Exit:
    return fail(str(exc))


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
    import asyncio

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
    from rich.table import Table
    from rich.text import Text

    from broadsheet.jobs.schedule import is_failing

    settings = load_settings()
    with opened_store(settings) as store:
        rows = store.list_sources()
    table = Table("id", "name", "url", "articles", "last fetch", "status", "next poll")
    for s in rows:
        if not s.enabled:
            status = Text.assemble(("disabled", "red"), f": {s.disabled_reason or ''}")
        elif s.error_count:
            flag = ("failing", "red") if is_failing(s, settings) else ("error", "yellow")
            status = Text.assemble(flag, f" ×{s.error_count}: {s.last_error or ''}")
        else:
            status = Text("ok", "green") if s.last_success_at else Text("new")
        if s.failing_entries:  # the feed is fine, some of its articles are not
            status.append(f" · {s.failing_entries} entries failing", style="yellow")
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
            raise fail(f"no source {source!r}")
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
        raise fail(f"cannot read {file}: {exc.strerror}") from exc
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
    if report.store_error:  # the report first, then the one line that matters
        raise fail(report.store_error)


def run_ingest_once(settings: Settings, store: Store) -> IngestReport:
    import asyncio

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
    from rich.table import Table

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
    if format != "jsonl":
        raise fail(f"unknown format {format!r} (supported: jsonl)", 2)
    settings = load_settings()
    with opened_store(settings) as store:
        write_jsonl(store, sys.stdout)


def write_jsonl(store: Store, stream: IO[str]) -> int:
    """Every stored article as one JSON object per line on ``stream``; how many."""
    import json

    from broadsheet.cli_stories import export_fields as story_export_fields
    from broadsheet.cli_understand import export_fields

    count = 0
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
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z") if when else None


# --- demo (serve and worker: cli_worker.py) ---------------------------------------------
def check_port_free(host: str, port: int) -> None:
    """Fail now, not after minutes of seeding or ingesting, if ``host:port`` is taken."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as exc:  # socket.gaierror included
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


@app.command()
def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port for the web app.")] = 8000,
    articles: Annotated[int, typer.Option(min=1, max=200, help="Sample articles per outlet.")] = 8,
) -> None:
    """Start a local sample publisher, ingest it over real HTTP, and serve the site.

    The demo keeps its database in a temporary directory that is removed when it stops,
    or in --data-dir when one is given (an earlier demo's sources there are replaced).
    """
    import tempfile

    from broadsheet.demo.publisher import SamplePublisher
    from broadsheet.store import Store

    check_port_free("127.0.0.1", port)  # before minutes of ingest, not after
    with (
        SamplePublisher(articles_per_outlet=articles) as publisher,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = load_settings(
            data_dir=state.data_dir or Path(tmp),
            allow_private_networks=True,
            default_sources=False,
            per_host_delay=0.0,
            poll_interval_min=60,
            scheduler_tick=30.0,
        )
        store = Store.open(settings)
        _forget_earlier_demos(store, publisher)
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

        run_server(settings, store, "127.0.0.1", port)


def _forget_earlier_demos(store: Store, publisher: Any) -> None:
    """A kept demo database (--data-dir) holds the outlets of an earlier run on ports that
    are gone: remove them (and their articles) so this run starts clean."""
    from urllib.parse import urlsplit

    current = {o.feed_url for o in publisher.outlets}
    names = {o.name for o in publisher.outlets}
    for source in store.list_sources():
        if (
            source.name in names
            and source.url not in current
            and urlsplit(source.url).hostname == "127.0.0.1"
        ):
            store.remove_source(source.id)


def main() -> None:
    import signal

    from broadsheet.cli_errors import enable_file_log, exit_for, stop_on_sigterm

    enable_file_log()
    signal.signal(signal.SIGTERM, stop_on_sigterm)  # the same clean stop as Ctrl-C
    try:
        app()
    except (BroadsheetError, OSError) as exc:  # raised outside a command (rare)
        sys.exit(exit_for(exc).exit_code)


from broadsheet.cli_understand import register as _register_understand  # noqa: E402

_register_understand(app)

from broadsheet.cli_stories import register as _register_stories  # noqa: E402

_register_stories(app)

from broadsheet.cli_extract import register as _register_extract  # noqa: E402

_register_extract(app)

from broadsheet.cli_search import register as _register_search  # noqa: E402

_register_search(app)

from broadsheet.cli_store import register as _register_store  # noqa: E402

_register_store(app)

from broadsheet.cli_import import register as _register_import  # noqa: E402

_register_import(app)

from broadsheet.cli_backup import register as _register_backup  # noqa: E402

_register_backup(app)

from broadsheet.cli_users import register as _register_users  # noqa: E402

_register_users(app)

from broadsheet.cli_worker import register as _register_worker  # noqa: E402

_register_worker(app)

from broadsheet.cli_jobs import register as _register_jobs  # noqa: E402

_register_jobs(app)
