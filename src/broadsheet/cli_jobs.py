"""``broadsheet jobs``: the PostgreSQL job queue's jobs (list, retry, purge), through
Procrastinate's job manager. On SQLite there is no queue (the worker polls in-process)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from procrastinate import App

    from broadsheet.config import Settings

T = TypeVar("T")
STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")
NO_QUEUE = "no job queue on SQLite: the worker polls in-process (see `broadsheet sources list`)"

# periodic_defers keeps its latest job per periodic task: unlink it before deleting
UNLINK = """UPDATE procrastinate_periodic_defers SET job_id = NULL WHERE job_id IN
(SELECT id FROM procrastinate_jobs WHERE status = %(status)s::procrastinate_job_status)"""
PURGE = "DELETE FROM procrastinate_jobs WHERE status = %(status)s::procrastinate_job_status"


def _with_app(settings: Settings, use: Callable[[App], Awaitable[T]]) -> T:
    import asyncio

    from broadsheet.jobs.queue import apply_schema, make_app

    async def run() -> T:
        app = make_app(settings)
        async with app.open_async():
            await apply_schema(app)  # a database no worker has started on yet
            return await use(app)

    return asyncio.run(run())


def _on_postgres(settings: Settings) -> bool:
    from broadsheet.cli import out

    if settings.resolved_database_url().startswith("postgresql"):
        return True
    out.print(NO_QUEUE, highlight=False)
    return False


def _row(job: Any) -> str:
    args = ", ".join(f"{k}={v}" for k, v in job.task_kwargs.items() if k != "timestamp")
    when = job.scheduled_at.strftime("%Y-%m-%d %H:%M:%S") if job.scheduled_at else "-"
    return (
        f"{job.id:>8}  {job.status:<9}  {job.attempts:>3}  {job.task_name:<22}  "
        f"{args or '-':<16}  {when}"
    )


def register(app: typer.Typer) -> None:
    from broadsheet.cli import load_settings, out

    jobs = typer.Typer(help="The job queue on PostgreSQL: list, retry and purge jobs.")
    app.add_typer(jobs, name="jobs")

    @jobs.command("list")
    def list_jobs(
        status: Annotated[str | None, typer.Option(help=f"One of {', '.join(STATUSES)}.")] = None,
        limit: Annotated[int, typer.Option(min=1, help="Newest jobs shown at most.")] = 50,
    ) -> None:
        """The newest jobs, with their status and attempts."""
        if status is not None and status not in STATUSES:
            expected = f"expected one of {', '.join(STATUSES)}"
            raise typer.BadParameter(expected, param_hint="--status")
        settings = load_settings()
        if not _on_postgres(settings):
            return

        async def fetch(a: App) -> list[Any]:
            return list(await a.job_manager.list_jobs_async(status=status))

        found = sorted(_with_app(settings, fetch), key=lambda j: j.id, reverse=True)
        if not found:
            out.print(f"no {status or ''} jobs".replace("  ", " "), highlight=False)
            return
        out.print(f"{'id':>8}  {'status':<9}  {'try':>3}  {'task':<22}  {'arguments':<16}  "
                  "scheduled (UTC)", highlight=False)  # fmt: skip
        for job in found[:limit]:
            out.print(_row(job), highlight=False, markup=False)
        if len(found) > limit:
            out.print(f"... and {len(found) - limit} older", highlight=False)

    @jobs.command("retry")
    def retry(job_id: Annotated[int, typer.Argument(help="The job's id (`jobs list`).")]) -> None:
        """Run a failed (or cancelled) job again, now."""
        settings = load_settings()
        if not _on_postgres(settings):
            return

        async def again(a: App) -> str | None:
            found = list(await a.job_manager.list_jobs_async(id=job_id))
            if not found:
                return None
            await a.job_manager.retry_job_by_id_async(job_id, retry_at=datetime.now(UTC))
            return str(found[0].status)

        was = _with_app(settings, again)
        if was is None:
            out.print(f"no job {job_id}", highlight=False)
            raise typer.Exit(1)
        out.print(f"job {job_id} ({was}) queued again", highlight=False)

    @jobs.command("purge")
    def purge(
        status: Annotated[
            str, typer.Option(help="Delete the jobs in this state: succeeded or failed.")
        ] = "succeeded",
    ) -> None:
        """Delete finished jobs (succeeded by default)."""
        if status not in ("succeeded", "failed"):
            raise typer.BadParameter("expected succeeded or failed", param_hint="--status")
        settings = load_settings()
        if not _on_postgres(settings):
            return

        async def delete(a: App) -> int:
            async with a.connector.pool.connection() as conn:  # type: ignore[attr-defined]
                async with conn.transaction():
                    await conn.execute(UNLINK, {"status": status})
                    cursor = await conn.execute(PURGE, {"status": status})
                    return int(cursor.rowcount)

        out.print(f"{_with_app(settings, delete)} {status} jobs deleted", highlight=False)
