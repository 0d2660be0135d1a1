"""Commands: ``broadsheet extract`` (pages on disk -> JSON) and ``broadsheet furniture``.

``extract`` runs :func:`broadsheet.extract.extract`, the very function ingest runs, with
the same size cap and time budget from the settings. With several files it uses every
core (a pool of processes) and prints one JSON object per line, in the order given.

An input is read as ingest reads a body: at most ``max_body_bytes`` after decompression
(a gzip bomb stops there), and a file that fails (missing, truncated gzip, over the cap,
no article) gives an object with an "error" key and one line on stderr; the other files
are still extracted, and the exit code is 1.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import typer

PLACEHOLDER_HOST = "unknown.invalid"


def read_page(path: str, cap: int) -> bytes:
    """The bytes of ``path`` (``-``: standard input), gunzipped, at most ``cap`` of them;
    :class:`ExtractError` when the input is larger or not readable gzip."""
    import gzip
    import io
    import zlib

    from broadsheet.errors import ExtractError

    if path == "-":
        raw = sys.stdin.buffer.read(cap + 1)
    else:
        with open(path, "rb") as f:
            raw = f.read(cap + 1)
    unzip = path.endswith(".gz") or raw[:2] == b"\x1f\x8b"
    if unzip:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(cap + 1)  # never more than the cap in memory
        except EOFError:
            raise ExtractError("truncated gzip file (the compressed data ends early)") from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise ExtractError(f"not a readable gzip file ({exc})") from None
    if len(raw) > cap:
        what = "decompresses to" if unzip else "is"
        raise ExtractError(f"{what} more than {cap:,} bytes (BROADSHEET_MAX_BODY_BYTES)")
    return raw


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def extract_one(
    path: str, url: str | None, max_bytes: int, budget: float, max_read: int
) -> dict[str, Any]:
    """One input -> the JSON object the command prints (an "error" key when it failed)."""
    from broadsheet.errors import BroadsheetError
    from broadsheet.extract import extract

    name = "stdin" if path == "-" else Path(path).name.removesuffix(".gz")
    page_url = url or f"https://{PLACEHOLDER_HOST}/{quote(name)}"
    try:
        page = read_page(path, max_read)
        article = extract(page_url, page, max_bytes=max_bytes, budget=budget)
    except (BroadsheetError, OSError) as exc:
        why = f"{exc.strerror}" if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {"path": path, "url": url, "error": why}
    except Exception as exc:  # one bad page must not take the batch down
        return {"path": path, "url": url, "error": f"unexpected {type(exc).__name__}: {exc}"}
    canonical = article.canonical_url
    if urlsplit(canonical).hostname == PLACEHOLDER_HOST:
        canonical = None
    return {
        "path": path,
        "url": url or canonical,
        "canonical_url": canonical,
        "title": article.title,
        "author": article.author,
        "published": _iso(article.published),
        "modified": _iso(article.modified),
        "language": article.language,
        "site_name": article.site_name,
        "image": article.image,
        "description": article.description,
        "extraction": article.extraction,
        "text": article.text,
        "html": article.html,
    }


def page_limits(load_settings: Any, data_dir: Path | None) -> tuple[float, int, int]:
    """The time budget, the parse cap and the read cap of a page. When the environment
    sets no ``BROADSHEET_`` variable (``BROADSHEET_DATA_DIR`` aside) these are the
    settings' defaults, taken as plain constants with the log set up as the defaults set it:
    the command then starts without importing pydantic. Otherwise (or when the data
    directory is not a directory, which the settings reject) ``load_settings()`` reads and
    validates everything, as every command does."""
    from broadsheet import plain_defaults as plain
    from broadsheet.cli_errors import log_to

    names = [k.upper() for k in os.environ]
    if any(n.startswith("BROADSHEET_") and n != "BROADSHEET_DATA_DIR" for n in names):
        settings = load_settings()
        return settings.extract_timeout, settings.max_html_bytes, settings.max_body_bytes
    directory = data_dir or plain.default_data_dir()
    if directory.exists() and not directory.is_dir():
        settings = load_settings()  # raises the settings' own message
    log_to(directory)
    return plain.EXTRACT_TIMEOUT, plain.MAX_HTML_BYTES, plain.MAX_BODY_BYTES


def _star(args: tuple[str, str | None, int, float, int]) -> dict[str, Any]:
    return extract_one(*args)


def outlet_of(given: str) -> str:
    """The outlet key (host without "www.") of a host or URL as a user types it."""
    from broadsheet.extract.learn import outlet_key

    given = given.strip()
    try:
        return outlet_key(given if "://" in given else f"http://{given}")
    except ValueError:  # "http://[::1" and the like: no such outlet
        return given.lower()


def extract_all(
    jobs: list[tuple[str, str | None, int, float, int]], workers: int
) -> Iterator[dict[str, Any]]:
    """``extract_one`` for every job, in order; several processes when ``workers`` > 1.

    A worker that dies (killed, out of memory) fails the pages it had, not the batch;
    Ctrl-C stops the workers this command started, quietly."""
    if workers <= 1:
        yield from map(_star, jobs)
        return
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    from broadsheet.jobs.pool import start_process_pool

    pool = start_process_pool(workers)  # its workers ignore Ctrl-C: this process stops them
    done = 0
    try:
        for result in pool.map(_star, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
            done += 1
            yield result
    except BrokenProcessPool:
        for path, url, *_ in jobs[done:]:
            yield {"path": path, "url": url, "error": "not extracted: a worker process died"}
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # ours: started by this pool
            child.terminate()
        raise
    pool.shutdown()


def register(app: typer.Typer) -> None:
    from broadsheet.cli import load_settings, opened_store, out, state
    from broadsheet.cli_errors import fail, say

    @app.command("extract")
    def extract_command(
        paths: Annotated[list[str], typer.Argument(help="HTML files (.gz accepted); - for stdin.")],
        url: Annotated[str | None, typer.Option("--url", help="The page's URL.")] = None,
        format: Annotated[
            str | None, typer.Option("--format", help="json (one input) or jsonl.")
        ] = None,
    ) -> None:
        """Extract articles from saved pages, exactly as ingest does; JSON on stdout."""
        from broadsheet.ingest.urls import is_http_url

        fmt = format or ("json" if len(paths) == 1 else "jsonl")
        if fmt not in ("json", "jsonl"):
            raise fail(f"unknown format {fmt!r} (supported: json, jsonl)", 2)
        if paths.count("-") > 1:
            raise fail("standard input (-) can be read only once", 2)
        if url is not None and not is_http_url(url):
            raise fail(f"--url: not an absolute http or https URL: {url!r}", 2)
        timeout, max_html, max_body = page_limits(load_settings, state.data_dir)
        budget = max(1.0, timeout - 1.0)
        jobs = [(p, url, max_html, budget, max_body) for p in paths]
        workers = 1 if "-" in paths else min(len(jobs), os.cpu_count() or 1)
        failed = 0
        for result in extract_all(jobs, workers):
            failed += "error" in result
            if "error" in result:
                say(f"error: {result['path']}: {result['error']}")
            indent = 2 if fmt == "json" else None
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")
        if failed:
            raise typer.Exit(1)

    furniture_app = typer.Typer(
        no_args_is_help=True, help="What Broadsheet learned about each outlet's furniture."
    )
    app.add_typer(furniture_app, name="furniture")

    @furniture_app.command("list")
    def furniture_list() -> None:
        """Every outlet: pages seen, blocks learned, on or off."""
        with opened_store(load_settings()) as store:
            for o in store.list_outlet_furniture():
                state = "on " if o.enabled else "off"
                out.print(f"{state} {o.outlet}  pages={o.pages_seen} learned={o.learned}",
                          highlight=False)  # fmt: skip

    def _unknown(store: Any, given: str) -> typer.Exit:
        known = [o.outlet for o in store.list_outlet_furniture()]
        if not known:
            return fail(f"no outlet {given!r}: nothing has been learned yet (run ingest)")
        shown = ", ".join(known[:20]) + (f" and {len(known) - 20} more" if len(known) > 20 else "")
        return fail(f"no outlet {given!r}; known outlets: {shown}")

    @furniture_app.command("show")
    def furniture_show(
        given: Annotated[
            str, typer.Argument(metavar="OUTLET", help="Host or URL, e.g. example.com")
        ],
    ) -> None:
        """The blocks learned for one outlet, with how many pages carried each."""
        with opened_store(load_settings()) as store:
            found = store.outlet_furniture(outlet_of(given))
            if found is None:
                raise _unknown(store, given)
            out.print(f"{found.outlet}: {'on' if found.enabled else 'off'}, "
                      f"{found.pages_seen} pages seen, {found.articles} articles, "
                      f"{found.learned} blocks learned", highlight=False)  # fmt: skip
            for block in found.blocks:
                out.print(f"  {block.pages:5d}  {block.sample}", highlight=False)

    def _switch(given: str, enabled: bool) -> None:
        from broadsheet.orchestrate.furniture import set_enabled

        outlet = outlet_of(given)
        with opened_store(load_settings()) as store:
            changed = set_enabled(store, outlet, enabled)
            if changed is None:
                raise _unknown(store, given)
        out.print(f"{outlet}: learned furniture {'on' if enabled else 'off'}, "
                  f"{changed} articles re-cleaned", highlight=False)  # fmt: skip

    @furniture_app.command("off")
    def furniture_off(outlet: str) -> None:
        """Kill switch: stop removing learned furniture for OUTLET (articles restored)."""
        _switch(outlet, False)

    @furniture_app.command("on")
    def furniture_on(outlet: str) -> None:
        """Remove OUTLET's learned furniture again (articles re-cleaned)."""
        _switch(outlet, True)
