"""``broadsheet search QUERY``: the web's search from the command line.

The same parser and store query as the search page: words must all appear, "quoted
words" are a phrase, -word excludes. A table on a terminal, or one JSON object per line
with ``--format jsonl``; the highlight markers become ``[`` and ``]`` in JSON and bold in
the table. Untrusted text (titles, outlet names) never reaches Rich as markup.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

MAX_LIMIT = 200


def register(app: typer.Typer) -> None:
    @app.command()
    def search(
        query: Annotated[str, typer.Argument(help='Words, "a phrase", -excluded.')],
        fmt: Annotated[str, typer.Option("--format", help="table or jsonl.")] = "table",
        limit: Annotated[int, typer.Option(min=1, max=MAX_LIMIT, help="Results at most.")] = 20,
        language: Annotated[str | None, typer.Option(help="Only this language (en, de…).")] = None,
        country: Annotated[str | None, typer.Option(help="Only about this country (FR…).")] = None,
        topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    ) -> None:
        """Search stored articles; results of one story are folded into one."""
        from rich.table import Table
        from rich.text import Text

        from broadsheet.cli import load_settings, opened_store, out
        from broadsheet.store.search import MARK_CLOSE, MARK_OPEN, SearchFilters, parse_query

        if fmt not in ("table", "jsonl"):
            raise typer.BadParameter("must be table or jsonl", param_hint="--format")
        parsed = parse_query(query)
        if parsed.empty:
            raise typer.BadParameter("give at least one word to search for", param_hint="QUERY")
        filters = SearchFilters(
            language=language, country=country.upper() if country else None, topic=topic
        )
        settings = load_settings()
        with opened_store(settings) as store:
            results = store.search(parsed, filters, limit)
        if fmt == "jsonl":
            for h in results.hits:
                record = {
                    "id": h.article_id,
                    "title": h.title,
                    "source": h.source_name,
                    "published": h.sort_at.isoformat(),
                    "language": h.language,
                    "story": h.story_id,
                    "more_reports": h.more_reports,
                    "snippet": h.snippet.replace(MARK_OPEN, "[").replace(MARK_CLOSE, "]"),
                }
                print(json.dumps(record, ensure_ascii=False))
            return
        if not results.hits:
            out.print(Text(f"No results for {query!r}."))
            return
        table = Table("id", "outlet", "title", "when", "story")
        for h in results.hits:
            story = "" if h.story_id is None else f"{h.story_id} (+{h.more_reports})"
            table.add_row(
                str(h.article_id),
                Text(h.source_name),
                Text(h.title),
                h.sort_at.strftime("%Y-%m-%d %H:%M"),
                story,
            )
        out.print(table)
