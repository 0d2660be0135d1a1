"""Commands: ``broadsheet backup PATH`` and ``broadsheet restore PATH [--force]``.

SQLite: a consistent copy through SQLite's online backup API, safe while ``serve`` or a
worker writes. PostgreSQL: ``pg_dump``/``pg_restore`` when they are on PATH, else (or with
``--format jsonl``) the JSON Lines of ``broadsheet export``, restored with the import.
``restore`` tells the kind of a backup from its first bytes, and refuses a store that holds
sources, articles or accounts unless given ``--force``: a SQLite or pg_dump backup then
replaces the store's content; a JSON Lines one is imported into it (an article already
stored is kept once). The schema is brought to head afterwards, so a backup made by an
older version restores into a newer one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


def _writable(path: Path) -> Path:
    """PATH as a file to write (in a folder that exists); a usage error else."""
    from broadsheet import cli

    if not str(path).strip() or path.is_dir():
        raise cli.fail(f"{str(path)!r} is not a file: give the backup file's path", 2)
    if not path.parent.is_dir():
        raise cli.fail(f"no folder {str(path.parent)!r} to write {path.name!r} in", 2)
    return path


def register(app: typer.Typer) -> None:
    from broadsheet import cli

    @app.command()
    def backup(
        path: Annotated[Path, typer.Argument(help="The backup file to write.")],
        format: Annotated[
            str,
            typer.Option(
                "--format",
                help="native (SQLite copy, or pg_dump on PostgreSQL) or jsonl (the export).",
            ),
        ] = "native",
    ) -> None:
        """Back up the store to PATH while it is in use."""
        from rich.text import Text

        from broadsheet.store import backup as backups
        from broadsheet.store.engine import is_sqlite, make_engine

        if format not in ("native", "jsonl"):
            raise cli.fail(f"unknown format {format!r} (supported: native, jsonl)", 2)
        path = _writable(path)
        settings = cli.load_settings()
        engine = make_engine(settings.resolved_database_url())
        try:
            if is_sqlite(engine) and not Path(str(engine.url.database)).exists():
                raise cli.fail(f"no database at {engine.url.database}: nothing to back up")
            if format == "native" and not is_sqlite(engine) and not backups.pg_tools():
                cli.err.print("pg_dump is not on PATH: writing the JSON Lines export instead")
                format = "jsonl"
            counts = backups.row_counts(engine)
            if format == "jsonl":
                with cli.opened_store(settings) as store, path.open("w", encoding="utf-8") as f:
                    cli.write_jsonl(store, f)
                kind = "jsonl"
            elif is_sqlite(engine):
                backups.backup_sqlite(engine, path)
                kind = "sqlite"
            else:
                backups.backup_postgres(engine, path)
                kind = "pg_dump"
        finally:
            engine.dispose()
        cli.out.print(Text(f"backed up {_counts(counts)} to {path} ({kind})"))

    @app.command()
    def restore(
        path: Annotated[Path, typer.Argument(help="A file written by `broadsheet backup`.")],
        force: Annotated[
            bool, typer.Option("--force", help="Replace (or add to) a store that is not empty.")
        ] = False,
    ) -> None:
        """Restore the store from a backup made by `broadsheet backup` (or `export`)."""
        from rich.text import Text

        from broadsheet.cli_import import import_jsonl
        from broadsheet.store import backup as backups
        from broadsheet.store import migrate
        from broadsheet.store.engine import is_sqlite

        if not path.is_file():
            raise cli.fail(f"{path}: no such backup file")
        kind = backups.kind_of(path)
        settings = cli.load_settings()
        with cli.opened_store(settings) as store:
            engine = store.engine
            held = {t: n for t, n in backups.row_counts(engine).items() if n}
            if held and not force:
                raise cli.fail(
                    f"the store is not empty ({_counts(held)}): "
                    "restore --force replaces it with the backup"
                )
            backend = "SQLite" if is_sqlite(engine) else "PostgreSQL"
            if kind == "sqlite" and not is_sqlite(engine):
                raise cli.fail(
                    f"{path} is a SQLite backup and the store is {backend}: move a site between "
                    "backends with `broadsheet backup --format jsonl` and restore that"
                )
            if kind == "pg_dump" and is_sqlite(engine):
                raise cli.fail(
                    f"{path} is a PostgreSQL dump and the store is SQLite: move a site between "
                    "backends with `broadsheet backup --format jsonl` and restore that"
                )
            if kind == "pg_dump" and not backups.pg_tools():
                raise cli.fail(f"{path} is a pg_dump file and pg_restore is not on PATH")
            if kind == "sqlite":
                backups.restore_sqlite(engine, path)
            elif kind == "pg_dump":
                backups.restore_postgres(engine, path)
            if kind != "jsonl":
                engine.dispose()  # connections opened before the restore see the new file
                migrate.upgrade(engine)
                counts = backups.row_counts(engine)
        if kind == "jsonl":
            import_jsonl(str(path))
            return
        cli.out.print(Text(f"restored {_counts(counts)} from {path} ({kind})"))
