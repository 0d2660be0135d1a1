"""``broadsheet import``: export's format back into a store, through the orchestrator.

Run as a user runs it (the installed command, a real store in a temp dir): export → import
into an empty data dir round-trips every article with its story; a bad line is reported
with its line number and the rest is imported; importing the same file twice adds nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.ingest.jsonl import paragraphs_html
from broadsheet.jobs.pool import WorkerPool
from broadsheet.models import Article
from broadsheet.orchestrate.steps import Steps
from broadsheet.store import Store
from tests.stories.sample import CHILE, JAPAN, STRIKE, WIRE, at, wire_copy


def broadsheet(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(BROADSHEET_EXTRACT_WORKERS="1", BROADSHEET_DEFAULT_SOURCES="false")
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", "--data-dir", str(data_dir), *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def _fill(settings: Settings) -> int:
    """A store as ingest leaves it: saved, understood and placed through the steps."""
    items = [("Andes Daily", *x) for x in CHILE] + [("Nippon Herald", *x) for x in JAPAN]
    items += [("Harbour Gazette", *STRIKE), ("Euro Ledger", *WIRE)]
    items += [("Pacific Times", *wire_copy("Pacific Times")), ("Quiet Weekly", *WIRE)]
    store = Store.open(settings)
    try:
        sources = {name: store.add_source(f"https://{name[:5].lower()}.example/feed", name).id
                   for name in {i[0] for i in items}}  # fmt: skip

        async def run() -> None:
            with WorkerPool(1) as pool:
                steps = Steps(settings, store, pool)
                for n, (outlet, title, text) in enumerate(items):
                    url = f"https://{outlet[:5].lower()}.example/news/{n}"
                    article = Article(url=url, canonical_url=url, title=title, text=text,
                                      html=paragraphs_html(text), language="en", published=at(n),
                                      content_hash=content_hash(text))  # fmt: skip
                    added = await steps.add(sources[outlet], article, at(n + 0.5))
                    assert isinstance(added.result, int) and not added.failures
                await steps.close()

        asyncio.run(run())
        return len(items)
    finally:
        store.close()


def _export(data_dir: Path) -> list[dict[str, Any]]:
    done = broadsheet(data_dir, "export")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _groups(records: list[dict[str, Any]], key: str) -> set[frozenset[str]]:
    """The partition of URLs that ``key`` (a story id, or the article copied) makes."""
    by_id = {r["id"]: r["url"] for r in records}
    groups: dict[Any, set[str]] = {}
    for r in records:
        value = r[key] if key == "story" else by_id.get(r[key])
        if value is not None:
            groups.setdefault(value, set()).add(r["url"])
    return {frozenset(g) for g in groups.values()}


def test_export_then_import_round_trips_every_article_with_its_story(
    tmp_path: Path, settings: Settings
) -> None:
    source_dir = tmp_path / "source"
    count = _fill(settings.model_copy(update={"data_dir": source_dir, "database_url": None}))
    before = _export(source_dir)
    assert len(before) == count
    dump = tmp_path / "export.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in before), encoding="utf-8")

    empty = tmp_path / "empty"
    done = broadsheet(empty, "import", "--format", "jsonl", str(dump))
    assert done.returncode == 0, done.stderr
    assert f"imported {count} articles; 0 already stored; 0 bad lines" in done.stdout
    after = _export(empty)

    fields = ("url", "canonical_url", "source", "title", "author", "published", "fetched",
              "language", "text", "entities", "summary")  # fmt: skip
    assert [{f: r.get(f) for f in fields} for r in after] == [
        {f: r.get(f) for f in fields} for r in before
    ]
    assert _groups(after, "story") == _groups(before, "story")
    assert len(_groups(before, "story")) == 4  # Chile, Japan, the strike, the wire
    assert _groups(after, "duplicate_of") == _groups(before, "duplicate_of")
    assert _groups(before, "duplicate_of")  # the wire copies are there to compare


def test_bad_lines_are_reported_and_a_second_import_adds_nothing(tmp_path: Path) -> None:
    good = [
        {"url": f"https://harbour.example/news/{n}", "source": "Harbour Post",
         "title": title, "text": text, "published": "2024-05-13T10:00:00Z"}
        for n, (title, text) in enumerate(CHILE)
    ]  # fmt: skip
    lines = [json.dumps(good[0]), "{not json", json.dumps(good[1]), "[1, 2]", "",
             json.dumps({"url": "ftp://x.example/1", "title": "t"}),
             json.dumps({"title": "[bold red]no url[/]"}), json.dumps(good[2])]  # fmt: skip
    text = "\n".join(lines) + "\n"

    first = broadsheet(tmp_path, "import", "--no-understand", "-", stdin=text)
    assert first.returncode == 1, first.stderr  # lines were skipped: said in the exit code
    assert "imported 3 articles; 0 already stored; 4 bad lines skipped" in first.stdout
    for number in (2, 4, 6, 7):
        assert f"line {number}: " in first.stderr, first.stderr
    assert "line 5" not in first.stderr  # a blank line is not an error

    again = broadsheet(tmp_path, "import", "--no-understand", "-", stdin=text)
    assert "imported 0 articles; 3 already stored; 4 bad lines skipped" in again.stdout
    records = _export(tmp_path)
    assert [r["url"] for r in records] == [g["url"] for g in good]
    assert len({r["story"] for r in records}) == 1  # the three reports of one earthquake
    assert all(r["source"] == "Harbour Post" for r in records)


def test_understand_command_fills_in_what_an_import_skipped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"url": f"https://harbour.example/news/{n}", "source": "Harbour Post",
                    "title": title, "text": text, "language": "en"})
        for n, (title, text) in enumerate(JAPAN)
    ]  # fmt: skip
    done = broadsheet(tmp_path, "import", "--no-understand", "-", stdin="\n".join(lines))
    assert "imported 3 articles" in done.stdout, done.stderr
    assert all(r["entities"] == [] for r in _export(tmp_path))
    first = broadsheet(tmp_path, "understand")
    assert first.returncode == 0, first.stderr
    assert "understood 3 articles" in first.stdout
    assert "understood 0 articles" in broadsheet(tmp_path, "understand").stdout  # up to date
    found = {e["text"] for r in _export(tmp_path) for e in r["entities"]}
    assert {"Hokkaido", "Sapporo"} <= found, found
