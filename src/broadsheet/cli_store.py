"""Command: ``broadsheet migrate`` brings the database's schema to the head of the
migrations (``Store.open`` does the same on start) and says which revision it was at and
which it is at now."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def migrate() -> None:
        """Apply the database migrations; print the revision before and after."""
        from sqlalchemy.exc import SQLAlchemyError

        from broadsheet import cli
        from broadsheet.store import migrate as migrations
        from broadsheet.store.engine import make_engine

        settings = cli.load_settings()
        engine = make_engine(settings.resolved_database_url())
        try:
            before = migrations.current(engine)
            migrations.upgrade(engine)
            after = migrations.current(engine)
        except SQLAlchemyError as exc:
            cli.err.print(f"[red]error:[/red] cannot migrate the database: {exc}", highlight=False)
            raise typer.Exit(1) from exc
        finally:
            engine.dispose()
        was = before or "empty"
        if before == after:
            cli.out.print(f"schema at {after} (head); nothing to do", highlight=False)
        else:
            cli.out.print(f"schema migrated: {was} -> {after}", highlight=False)
