"""The process model's commands: ``worker`` (polling, fetching, the pool, writing) and
``serve`` (the web; on SQLite with one worker in-process unless ``--no-worker``).

Both stop cleanly on SIGTERM as on Ctrl-C: polls in flight get a few seconds, leases are
released, the worker pool is shut down (and its processes exit by themselves if this
process is killed outright).
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Annotated, Any

import typer

from broadsheet.errors import BroadsheetError

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
    import asyncio

    from broadsheet.jobs.worker import Worker

    worker = Worker(settings, store)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()

    asyncio.run(main())


def run_queue_worker(settings: Settings, store: Store, concurrency: int) -> None:
    """A Procrastinate worker until SIGINT or SIGTERM (its own handlers stop it)."""
    import asyncio

    from broadsheet.jobs.queue import Work

    asyncio.run(Work(settings, store).run(concurrency))


def server_options(settings: Settings) -> dict[str, object]:
    """uvicorn's options beyond the app and address: forwarded headers (X-Forwarded-For,
    -Proto) are believed only from the proxies the operator names (issue 16)."""
    options: dict[str, object] = {
        "log_level": "warning",
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips or "",
    }
    if settings.log_format == "json":  # uvicorn's records go through ours (JSON, scrubbed)
        options["log_config"] = None  # (its access lines stay off: level warning)
    return options


def run_server(
    settings: Settings,
    store: Store,
    host: str,
    port: int,
    *,
    with_worker: bool = True,
    processes: int = 1,
) -> None:
    """The web app in ``processes`` processes on one port (forked before anything else
    starts), with a worker thread in this one unless ``with_worker`` is False."""
    from broadsheet.cli import out

    socks = listening_sockets(host, port, processes)
    sock = socks[0]
    # each process's count of connections, shared (see web/balance.py); with one socket
    # shared (one process, or not Linux) there is nothing to balance
    counts = None
    if len(set(socks)) > 1:
        from multiprocessing.sharedctypes import RawArray  # not on every command's start-up

        counts = RawArray("i", processes)
    children = [
        _fork_web(settings, store, own, socks, (counts, i) if counts is not None else None)
        for i, own in enumerate(socks[1:], start=1)
    ]
    for other in socks[1:]:
        if other is not sock:
            other.close()  # each is its child's
    thread = None
    if with_worker:
        from broadsheet.jobs.worker import WorkerThread

        thread = WorkerThread(settings, store)
        thread.start()
    role = "and its worker" if with_worker else "(pages only, no worker)"
    many = f", {processes} web processes" if processes > 1 else ""
    out.print(f"Broadsheet on http://{host}:{port}/ {role}{many}  (Ctrl-C to stop)",
              highlight=False)  # fmt: skip
    try:
        # uvicorn shuts down gracefully on SIGINT/SIGTERM, then raises the signal again;
        # here it becomes KeyboardInterrupt, so the worker below stops in order too.
        with sigterm_as_interrupt():
            _serve(settings, store, sock, (counts, 0) if counts is not None else None)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_children(children)
        if thread is not None:
            thread.stop()


Share = tuple[Any, int]  # the processes' shared connection counts, and this one's index


def _serve(
    settings: Settings, store: Store, sock: socket.socket, share: Share | None = None
) -> None:
    import uvicorn

    from broadsheet.web.app import create_app
    from broadsheet.web.balance import ConnectionShare

    app: Any = create_app(settings, store)
    if share is not None:
        app = ConnectionShare(app, *share, lambda: len(server.server_state.connections))
    config = uvicorn.Config(app, **server_options(settings))
    # what start-up made (modules, the app, its routes and models) lives as long as the
    # process: out of the collector's way, so no full collection walks it again (each one
    # walked ~200,000 such objects, a pause of tens of milliseconds in some request)
    gc.collect()
    gc.freeze()
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to one address, one per web process.

    Several processes on one shared socket do not share its connections: the first to wake
    accepts every connection waiting (asyncio accepts until none is left), and a kept-alive
    connection stays where it was accepted. Measured with 10 clients and 2 processes: 9 or
    10 of the 10 connections on one process while the other idled, so one core did the
    work of two and latency doubled. On Linux each process gets a socket of its own in one
    ``SO_REUSEPORT`` group instead, and the kernel spreads the connections over them by a
    hash of their addresses. Elsewhere (or for one process) one socket is shared as before.
    """
    import uvicorn

    if count <= 1 or not sys.platform.startswith("linux"):
        sock = uvicorn.Config(app=None, host=host, port=port).bind_socket()
        return [sock] * max(1, count)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            socks.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # port 0: the others join the port the first got
            sock.set_inheritable(True)
    except OSError as exc:
        for sock in socks:
            sock.close()
        raise BroadsheetError(f"serve: cannot listen on {host}:{port}: {exc}") from exc
    return socks


def _fork_web(
    settings: Settings,
    store: Store,
    sock: socket.socket,
    every: list[socket.socket],
    share: Share | None,
) -> int:
    """One more web process on ``sock``: it drops the connections and the other processes'
    sockets it inherited, serves until SIGINT/SIGTERM, and exits by itself if this process
    dies outright."""
    from broadsheet.jobs.pool import die_with

    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:
        for other in every:
            if other is not sock:
                other.close()
        store.engine.dispose(close=False)  # the parent's connections stay the parent's
        die_with(parent)
        _serve(settings, store, sock, share)
    except BaseException:  # noqa: BLE001 (a forked child must never return into the CLI)
        code = 1
    finally:
        os._exit(code)


def _stop_children(children: list[int], grace: float = 10.0) -> None:
    """SIGTERM to every forked web process, then SIGKILL to those still there after ``grace``."""
    for pid in children:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    waiting, deadline = set(children), time.monotonic() + grace
    while waiting and time.monotonic() < deadline:
        waiting = {pid for pid in waiting if not _reaped(pid)}
        time.sleep(0.05)
    for pid in waiting:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        with suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:  # not ours any more, or reaped already
        return True


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
        processes: Annotated[
            int | None,
            typer.Option(
                min=1,
                max=64,
                help="Web processes sharing the port (default: BROADSHEET_WEB_PROCESSES, 1).",
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
            run_server(
                settings, store, host, port, with_worker=worker,
                processes=processes or settings.web_processes,
            )  # fmt: skip

    @app.command("worker")
    def worker_command(
        concurrency: Annotated[
            int,
            typer.Option(min=1, max=256, help="Jobs at once in this process (PostgreSQL's queue)."),
        ] = 8,
    ) -> None:
        """Poll due sources, fetch, extract, understand and store, until stopped.

        On PostgreSQL: a Procrastinate worker; run as many as you like, on any machines
        (`broadsheet jobs` lists their jobs). On SQLite: one worker per database (a second
        one waits on standby and takes over when the first stops or dies). Run
        `serve --no-worker` for the pages.
        """
        settings = load_settings()
        with opened_store(settings) as store:
            seed(settings, store)
            if store.engine.dialect.name == "postgresql":
                out.print(f"worker on the job queue, {concurrency} jobs at once; "
                          "Ctrl-C or SIGTERM to stop")  # fmt: skip
                run_queue_worker(settings, store, concurrency)
                return
            out.print("worker polling; Ctrl-C or SIGTERM to stop")
            run_worker(settings, store)
