"""`broadsheet search` as a user runs it, on a store seeded with the web sample."""

from __future__ import annotations

import json
from pathlib import Path

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.test_cli import broadsheet
from tests.web.sample import seed


def _seeded(tmp_path: Path) -> dict[str, int]:
    store = Store.open(Settings(data_dir=tmp_path, default_sources=False))
    try:
        return seed(store)
    finally:
        store.close()


def test_search_jsonl_lists_highlighted_matches(tmp_path: Path) -> None:
    ids = _seeded(tmp_path)
    ran = broadsheet(tmp_path, "search", "strike -aurora", "--format", "jsonl")
    assert ran.returncode == 0, ran.stderr
    records = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [r["id"] for r in records][:1] == [ids["port-strike-ends"]]
    assert "[strike]" in records[0]["snippet"]
    assert records[0]["source"] == "The Harbour Gazette"


def test_search_table_and_no_results(tmp_path: Path) -> None:
    _seeded(tmp_path)
    table = broadsheet(tmp_path, "search", "strike")
    assert table.returncode == 0, table.stderr
    assert "Port workers end" in table.stdout
    none = broadsheet(tmp_path, "search", "zyzzyvaquux")
    assert none.returncode == 0 and "No results for 'zyzzyvaquux'." in none.stdout


def test_search_needs_a_word(tmp_path: Path) -> None:
    _seeded(tmp_path)
    ran = broadsheet(tmp_path, "search", "--", "-only -excluded")
    assert ran.returncode == 2
    message = " ".join(ran.stderr.replace("│", " ").split())
    assert "give at least one word to search for" in message
