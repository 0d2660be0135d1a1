"""Commands of the stories stage: ``cluster``; and the story fields of ``export``.

``cluster`` reads JSON Lines ({id, title, text, published, source, url}) from a file or
standard input and runs each article through what ingest does after extraction, in the
order given and with the same settings, in a throw-away store: the orchestrator's steps
(``orchestrate.importing``: save, with the same URL skipped and exact copies pointed at
their first copy; the understanding stage, whose entities are a clustering signal, off
with ``BROADSHEET_UNDERSTAND=false``; the stories stage). It then writes one line per
input: ``{"id", "story", "duplicate_of"}`` with the story as it stands once every input
is in (later articles can move earlier ones) and ``duplicate_of`` the input id of the
first copy of the same text, or null. A bad line (not JSON, no id or text, ...:
:mod:`broadsheet.cli_jsonl`) is reported on standard error with its number and skipped,
and the exit code is then 1. An input without a date counts as fetched when the input
before it was published.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from broadsheet.ingest.jsonl import Record, article_from_record, parse_date

if TYPE_CHECKING:
    from broadsheet.store import Store

InputOption = Annotated[
    Path | None, typer.Option("--input", help="JSON Lines file (default: standard input).")
]


def cluster_records(
    store: Store, settings: Any, records: list[tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Store and cluster ``records`` in order; one result per record, in the same order."""
    import asyncio

    from broadsheet.jobs.pool import WorkerPool
    from broadsheet.orchestrate.importing import Importer
    from broadsheet.orchestrate.steps import Added

    # An undated input arrives right after the one before it: its "fetched" time is the
    # last date seen (the first date of the input, before any), never the wall clock,
    # which would put a historical stream's windows years away.
    dated = [p for _n, r in records if (p := parse_date(r.get("published")))]
    clock = dated[0] if dated else datetime.now(UTC)
    inputs: list[Record] = []
    for number, record in records:
        found = article_from_record(record, number, require_url=False)
        found.source = str(record.get("source") or "unknown")[:300]
        clock = found.article.published or clock
        found.fetched = clock
        inputs.append(found)

    async def run(pool: WorkerPool) -> list[Added]:
        importer = Importer(settings, store, pool, source_prefix="urn:broadsheet:source:")
        try:
            return await importer.add(inputs)
        finally:
            await importer.close()

    with WorkerPool(1) as pool:
        added = asyncio.run(run(pool))
    # the stored article each input became, or the one it duplicates
    article_of = [a.result if isinstance(a.result, int) else a.result.duplicate_of for a in added]
    input_id: dict[int, Any] = {}
    for aid, (_n, rec) in zip(article_of, records, strict=True):
        if aid is not None:
            input_id.setdefault(aid, rec.get("id"))
    out = []
    for aid, (_n, record) in zip(article_of, records, strict=True):
        story, copy_of = store.story_export(aid) if aid is not None else (None, None)
        if aid is not None and input_id.get(aid) != record.get("id"):  # skipped: same URL/text
            copy_of = aid
        out.append(
            {
                "id": record.get("id"),
                "story": story,
                "duplicate_of": input_id.get(copy_of, copy_of) if copy_of is not None else None,
            }
        )
    return out


def register(app: typer.Typer) -> None:
    from broadsheet.cli import load_settings

    @app.command()
    def cluster(input: InputOption = None) -> None:
        """Fold and cluster JSON Lines articles as ingest would; one line out per input."""
        from broadsheet.cli_jsonl import read_jsonl, write_jsonl
        from broadsheet.store import Store

        reader = read_jsonl(
            input,
            load_settings().max_input_line_bytes,
            strings=("title", "url", "source", "published"),
        )
        records = list(reader)
        with tempfile.TemporaryDirectory(prefix="broadsheet-cluster-") as tmp:
            settings = load_settings(
                data_dir=Path(tmp),
                database_url=f"sqlite:///{Path(tmp) / 'cluster.db'}",
                default_sources=False,
            )
            store = Store.open(settings)
            try:
                results = cluster_records(store, settings, records)
            finally:
                store.close()
        for line in results:
            write_jsonl(line)
        reader.finish()


def export_fields(store: Store, article_id: int) -> dict[str, Any]:
    """``story`` and ``duplicate_of`` for ``broadsheet export``."""
    story, copy_of = store.story_export(article_id)
    return {"story": story, "duplicate_of": copy_of}
