"""Commands of the understanding stage: ``entities``, ``summarize``, ``understand``.

``entities`` and ``summarize`` read JSON Lines (a file or standard input) and write JSON
Lines to standard output; a line that is not a JSON object is reported on standard error
and skipped. ``understand`` (re)computes the stored features of every article whose
versions are out of date.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

BATCH = 64


def _records(stream: TextIO) -> Iterator[dict[str, object]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            print(f"line {number}: not JSON ({exc.msg}); skipped", file=sys.stderr)
            continue
        if not isinstance(record, dict):
            print(f"line {number}: not a JSON object; skipped", file=sys.stderr)
            continue
        yield record


def _open(path: Path | None) -> TextIO:
    if path is None:
        return sys.stdin
    try:
        return path.open(encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr)
        raise typer.Exit(1) from exc


def _write(record: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


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
        from broadsheet.understand.annotate import entity_records
        from broadsheet.understand.pipelines import Pipelines

        pipelines = Pipelines(load_settings().spacy_models)
        batch: list[dict[str, object]] = []
        with _open(input) as stream:
            for record in _records(stream):
                batch.append(record)
                if len(batch) == BATCH:
                    for row in entity_records(pipelines, batch):
                        _write({"id": row["id"], "entities": row["entities"]})
                    batch = []
            for row in entity_records(pipelines, batch):
                _write({"id": row["id"], "entities": row["entities"]})

    @app.command()
    def summarize(input: InputOption = None) -> None:
        """Extractive summaries: JSON Lines {id, title, text} in, {id, summary, key_points} out."""
        from broadsheet.understand.annotate import summary_record

        with _open(input) as stream:
            for record in _records(stream):
                _write(summary_record(record))

    @app.command()
    def understand() -> None:
        """Compute language, entities, places, topics and summaries for stored articles."""
        from broadsheet.orchestrate.understanding import refresh_stored

        settings = load_settings()
        with opened_store(settings) as store:
            done = refresh_stored(settings, store)
        out.print(f"understood {done} articles")
