"""Commands of the stories stage: ``cluster``; and the story fields of ``export``.

``cluster`` reads JSON Lines ({id, title, text, published, source, url}) from a file or
standard input and runs each article through what ingest does after extraction, in the
order given and with the same settings: ``Store.save_article`` (same URL skipped, exact
copies pointed at their first copy), the understanding stage (its entities are a
clustering signal; off with ``BROADSHEET_UNDERSTAND=false``), then the stories stage
``cluster_stored`` (wire-copy folding, clustering, moves and merges), all in a throw-away
store. It then writes one line per input: ``{"id", "story", "duplicate_of"}`` with the
story as it stands once every input is in (later articles can move earlier ones) and
``duplicate_of`` the input id of the first copy of the same text, or null. A bad line (not
JSON, no id or text, ...: :mod:`broadsheet.cli_jsonl`) is reported on standard error with
its number and skipped, and the exit code is then 1. An input without a date
counts as fetched when the input before it was published.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from broadsheet.models import Article, Skipped

if TYPE_CHECKING:
    from broadsheet.store import Store

InputOption = Annotated[
    Path | None, typer.Option("--input", help="JSON Lines file (default: standard input).")
]
_DUPLICATE_OF = re.compile(r"duplicate of (\d+)")


def parse_published(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time (naive means UTC), or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def article_from_record(record: dict[str, Any], number: int) -> Article:
    from broadsheet.extract import canonical_url, content_hash

    title = str(record.get("title") or "").strip()
    text = str(record.get("text") or "").strip()
    url = str(record.get("url") or "").strip() or f"urn:broadsheet:input:{number}"
    return Article(
        url=url,
        canonical_url=canonical_url(url) if url.startswith("http") else url,
        title=title or url,
        text=text,
        html="",
        published=parse_published(record.get("published")),
        content_hash=content_hash(text or title),  # an empty body must not equal another
    )


def cluster_records(
    store: Store, settings: Any, records: list[tuple[int, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Store and cluster ``records`` in order; one result per record, in the same order."""
    from broadsheet.stories.engine import cluster_stored, flush_stories
    from broadsheet.understand.ingest import understand_article

    source_ids: dict[str, int] = {}
    article_of: list[int | None] = []
    # An undated input arrives right after the one before it: its "fetched" time is the
    # last date seen (the first date of the input, before any), never the wall clock,
    # which would put a historical stream's windows years away.
    dated = [p for _n, r in records if (p := parse_published(r.get("published")))]
    clock = dated[0] if dated else datetime.now(UTC)
    for number, record in records:
        outlet = str(record.get("source") or "unknown")[:300]
        if outlet not in source_ids:
            source_ids[outlet] = store.add_source(f"urn:broadsheet:source:{outlet}", outlet).id
        article = article_from_record(record, number)
        clock = article.published or clock
        result = store.save_article(source_ids[outlet], article, clock)
        if isinstance(result, Skipped):
            found = _DUPLICATE_OF.search(result.reason)
            article_of.append(int(found.group(1)) if found else None)
            continue
        if settings.understand:  # ingest understands an article before clustering it
            values, versions = understand_article(
                settings.spacy_models, article.title, article.text, article.language
            )
            store.save_understanding(result, values, versions)
        cluster_stored(store, settings, result, wait=False)
        article_of.append(result)
    flush_stories(store, settings)
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
