"""The process model's commands: ``worker`` (polling, fetching, the pool, writing) and
``serve`` (the web; on SQLite with one worker in-process unless ``--no-worker``).

Both stop cleanly on SIGTERM as on Ctrl-C: polls in flight get a few seconds, leases are
released, the worker pool is shut down (and its processes exit by themselves if this
process is killed outright).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from broadsheet.config import Settings
    from broadsheet.store import Store


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the main thread, so cleanup runs as on Ctrl-C."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def seed(settings: Settings, store: Store) -> None:
    """The curated world feeds into a new, empty database (the process that polls does
    it, so several web processes starting at once do not race to)."""
    if not settings.default_sources:
        return
    from broadsheet.catalog import seed_defaults
    from broadsheet.cli import out

    seeded = seed_defaults(store)
    if seeded:
        out.print(f"added {seeded.added} default sources (edit with `broadsheet sources`)")


def run_worker(settings: Settings, store: Store) -> None:
    """A worker in the main thread until SIGINT or SIGTERM."""
    from broadsheet.jobs.worker import Worker

    worker = Worker(settings, store)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    asyncio.run(main())


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's options beyond the app and address: forwarded headers (X-Forwarded-For,
    -Proto) are believed only from the proxies the operator names (issue 16)."""
    return {
        "log_level": "warning",
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or "",
    }


def run_server(
    settings: Settings, store: Store, host: str, port: int, *, with_worker: bool = True
) -> None:
    """The web app; with a worker thread beside it unless ``with_worker`` is False."""
    import uvicorn

    from broadsheet.cli import out
    from broadsheet.web.app import create_app

    thread = None
    if with_worker:
        from broadsheet.jobs.worker import WorkerThread

        thread = WorkerThread(settings, store)
        thread.start()
    role = "and its worker" if with_worker else "(pages only, no worker)"
    out.print(f"Broadsheet on http://{host}:{port}/ {role}  (Ctrl-C to stop)", highlight=False)
    try:
        # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again;
        # here it becomes KeyboardInterrupt, so the worker below stops in order too.
        with sigterm_as_interrupt():
            uvicorn.run(
                create_app(settings, store), host=host, port=port, **server_options(settings)
            )
    except KeyboardInterrupt:
        pass
    finally:
        if thread is not None:
            thread.stop()


def register(app: typer.Typer) -> None:
    from broadsheet.cli import load_settings, opened_store, out

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
        port: Annotated[
            int | None, typer.Option(min=1, max=65535, help="Port to listen on.")
        ] = None,
        worker: Annotated[
            bool | None,
            typer.Option(
                "--worker/--no-worker",
                help="Run a worker in this process (default: yes on SQLite, no otherwise; "
                "on standby while another worker polls this database).",
            ),
        ] = None,
    ) -> None:
        """Serve the web app (and, on SQLite by default, poll sources in the background)."""
        from broadsheet.cli import check_port_free

        settings = load_settings()
        host, port = host or settings.host, port or settings.port
        check_port_free(host, port)  # before the data dir is created and sources seeded
        with opened_store(settings) as store:
            if worker is None:
                worker = store.engine.dialect.name == "sqlite"
            if worker:
                seed(settings, store)
            run_server(settings, store, host, port, with_worker=worker)

    @app.command("worker")
    def worker_command() -> None:
        """Poll due sources, fetch, extract, understand and store, until stopped.

        One worker per database (a second one waits on standby and takes over when the
        first stops or dies); run `serve --no-worker` for the pages.
        """
        settings = load_settings()
        with opened_store(settings) as store:
            seed(settings, store)
            out.print("worker polling; Ctrl-C or SIGTERM to stop")
            run_worker(settings, store)
