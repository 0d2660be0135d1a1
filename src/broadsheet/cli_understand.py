"""Commands of the understanding stage: ``entities``, ``summarize``, ``understand``.

``entities`` and ``summarize`` read JSON Lines (a file or standard input) and write JSON
Lines to standard output; a bad line is reported on standard error with its number and
skipped, and the exit code is 1 if there was one (:mod:`broadsheet.cli_jsonl`).
``understand`` (re)computes the stored features of every article whose versions are out
of date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

BATCH = 64


InputOption = Annotated[
    Path | None, typer.Option("--input", help="JSON Lines file (default: standard input).")
]


def export_fields(features: dict[str, object], language: str | None) -> dict[str, object]:
    """What ``broadsheet export`` adds to each article from its stored features."""
    detected = features.get("language") or {}
    summary = features.get("summary") or {}
    return {
        "language": language or detected.get("code"),  # type: ignore[union-attr]
        "entities": features.get("entities", []),
        "countries": [c["code"] for c in features.get("countries", [])],  # type: ignore[union-attr]
        "topics": [t["topic"] for t in features.get("topics", [])],  # type: ignore[union-attr]
        "summary": summary.get("summary") if summary else None,  # type: ignore[union-attr]
    }


def register(app: typer.Typer) -> None:
    from broadsheet.cli import load_settings, opened_store, out

    @app.command()
    def entities(input: InputOption = None) -> None:
        """Named entities: JSON Lines {id, text} in, {id, entities: [...]} out."""
        from broadsheet.cli_jsonl import read_jsonl, write_jsonl
        from broadsheet.understand.annotate import entity_records
        from broadsheet.understand.pipelines import Pipelines

        settings = load_settings()
        pipelines = Pipelines(settings.spacy_models)
        records = read_jsonl(input, settings.max_input_line_bytes, strings=("language",))
        batch: list[dict[str, object]] = []
        for _number, record in records:
            batch.append(record)
            if len(batch) == BATCH:
                for row in entity_records(pipelines, batch):
                    write_jsonl({"id": row["id"], "entities": row["entities"]})
                batch = []
        for row in entity_records(pipelines, batch):
            write_jsonl({"id": row["id"], "entities": row["entities"]})
        records.finish()

    @app.command()
    def summarize(input: InputOption = None) -> None:
        """Extractive summaries: JSON Lines {id, title, text} in, {id, summary, key_points} out."""
        from broadsheet.cli_jsonl import read_jsonl, write_jsonl
        from broadsheet.understand.annotate import summary_record

        settings = load_settings()
        records = read_jsonl(input, settings.max_input_line_bytes, strings=("title",))
        for _number, record in records:
            write_jsonl(summary_record(record))
        records.finish()

    @app.command()
    def understand() -> None:
        """Compute language, entities, places, topics and summaries for stored articles."""
        from broadsheet.orchestrate.understanding import refresh_stored

        settings = load_settings()
        with opened_store(settings) as store:
            done = refresh_stored(settings, store)
        out.print(f"understood {done} articles")
