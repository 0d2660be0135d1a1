"""Commands: ``broadsheet extract`` (pages on disk -> JSON) and ``broadsheet furniture``.

``extract`` runs :func:`broadsheet.extract.extract`, the very function ingest runs, with
the same size cap and time budget from the settings. With several files it uses every
core (a pool of processes) and prints one JSON object per line, in the order given.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import typer

PLACEHOLDER_HOST = "unknown.invalid"


def _read(path: str) -> bytes:
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def extract_one(path: str, url: str | None, max_bytes: int, budget: float) -> dict[str, Any]:
    """One input -> the JSON object the command prints (an "error" key when it failed)."""
    from broadsheet.errors import BroadsheetError
    from broadsheet.extract import extract

    name = "stdin" if path == "-" else Path(path).name.removesuffix(".gz")
    page_url = url or f"https://{PLACEHOLDER_HOST}/{quote(name)}"
    try:
        article = extract(page_url, _read(path), max_bytes=max_bytes, budget=budget)
    except (BroadsheetError, OSError) as exc:
        return {"path": path, "url": url, "error": str(exc)}
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


def _star(args: tuple[str, str | None, int, float]) -> dict[str, Any]:
    return extract_one(*args)


def register(app: typer.Typer) -> None:
    from broadsheet.cli import err, load_settings, opened_store, out

    @app.command("extract")
    def extract_command(
        paths: Annotated[list[str], typer.Argument(help="HTML files (.gz accepted); - for stdin.")],
        url: Annotated[str | None, typer.Option("--url", help="The page's URL.")] = None,
        format: Annotated[
            str | None, typer.Option("--format", help="json (one input) or jsonl.")
        ] = None,
    ) -> None:
        """Extract articles from saved pages, exactly as ingest does; JSON on stdout."""
        fmt = format or ("json" if len(paths) == 1 else "jsonl")
        if fmt not in ("json", "jsonl"):
            err.print(f"error: unknown format {fmt!r} (supported: json, jsonl)", highlight=False)
            raise typer.Exit(2)
        if paths.count("-") > 1:
            err.print("error: standard input (-) can be read only once", highlight=False)
            raise typer.Exit(2)
        settings = load_settings()
        budget = max(1.0, settings.extract_timeout - 1.0)
        jobs = [(p, url, settings.max_html_bytes, budget) for p in paths]
        workers = min(len(jobs), os.cpu_count() or 1)
        if workers <= 1 or "-" in paths:
            results = map(_star, jobs)
        else:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
            results = pool.map(_star, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
        failed = 0
        for result in results:
            failed += "error" in result
            if "error" in result:
                err.print(f"error: {result['path']}: {result['error']}", highlight=False)
            indent = 2 if fmt == "json" else None
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=indent) + "\n")
        if workers > 1 and "-" not in paths:
            pool.shutdown()
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

    @furniture_app.command("show")
    def furniture_show(
        outlet: Annotated[str, typer.Argument(help="Host, e.g. example.com")],
    ) -> None:
        """The blocks learned for one outlet, with how many pages carried each."""
        with opened_store(load_settings()) as store:
            found = store.outlet_furniture(outlet)
            if found is None:
                err.print(f"error: no outlet {outlet!r}", highlight=False)
                raise typer.Exit(1)
            out.print(f"{found.outlet}: {'on' if found.enabled else 'off'}, "
                      f"{found.pages_seen} pages seen, {found.articles} articles, "
                      f"{found.learned} blocks learned", highlight=False)  # fmt: skip
            for block in found.blocks:
                out.print(f"  {block.pages:5d}  {block.sample}", highlight=False, markup=False)

    def _switch(outlet: str, enabled: bool) -> None:
        from broadsheet.orchestrate.furniture import set_enabled

        with opened_store(load_settings()) as store:
            changed = set_enabled(store, outlet, enabled)
        if changed is None:
            err.print(f"error: no outlet {outlet!r}", highlight=False)
            raise typer.Exit(1)
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
