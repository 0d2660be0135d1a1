"""``broadsheet cluster`` and the story fields of ``broadsheet export``, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from broadsheet.cli import app
from broadsheet.ingest.jsonl import parse_date as parse_published
from tests.stories.sample import CHILE, JAPAN, WIRE, wire_copy


def lines(records: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("BROADSHEET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BROADSHEET_DEFAULT_SOURCES", "0")
    return CliRunner()


def test_cluster_one_line_per_input(runner: CliRunner, tmp_path: Path) -> None:
    records = [
        {
            "id": "c1",
            "title": CHILE[0][0],
            "text": CHILE[0][1],
            "published": "2024-05-13T10:00:00Z",
            "source": "Andes Daily",
            "url": "https://andes.example/1",
        },
        {
            "id": "j1",
            "title": JAPAN[0][0],
            "text": JAPAN[0][1],
            "published": "2024-05-16",
            "source": "Nippon Herald",
            "url": "https://nippon.example/1",
        },
        {
            "id": "w1",
            "title": WIRE[0],
            "text": WIRE[1],
            "published": None,
            "source": "Euro Ledger",
            "url": "https://euro.example/1",
        },
        {
            "id": "c2",
            "title": CHILE[1][0],
            "text": CHILE[1][1],
            "published": "2024-05-13T14:00:00Z",
            "source": "Pacific Times",
            "url": "https://pacific.example/1",
        },
        {
            "id": "w2",
            "title": wire_copy("Valley")[0],
            "text": wire_copy("Valley")[1],
            "source": "Valley Times",
            "url": "https://valley.example/1",
        },
        {
            "id": "c1-again",
            "title": "Same URL",
            "text": "Whatever",
            "source": "Andes Daily",
            "url": "https://andes.example/1",
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text(lines(records) + "not json\n")
    result = runner.invoke(app, ["cluster", "--input", str(path)])
    assert result.exit_code == 1, result.output  # the bad line 7 was skipped
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in records]
    assert set(out[0]) == {"id", "story", "duplicate_of"}
    by = {o["id"]: o for o in out}
    assert by["c1"]["story"] == by["c2"]["story"] != by["j1"]["story"]
    assert by["w2"]["duplicate_of"] == "w1" and by["w2"]["story"] == by["w1"]["story"]
    assert by["c1-again"]["duplicate_of"] == "c1" and by["c1-again"]["story"] == by["c1"]["story"]
    assert by["c1"]["duplicate_of"] is None
    assert "line 7" in result.stderr


def test_cluster_reads_standard_input_and_leaves_no_store(
    runner: CliRunner, tmp_path: Path
) -> None:
    text = lines([{"id": 1, "title": CHILE[0][0], "text": CHILE[0][1], "source": "A"}])
    result = runner.invoke(app, ["cluster"], input=text)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": 1, "story": 1, "duplicate_of": None}
    assert not (tmp_path / "data" / "broadsheet.db").exists()  # a throw-away store


def test_export_carries_story_and_duplicate_of(settings, store, add) -> None:  # type: ignore[no-untyped-def]
    from broadsheet.cli_stories import export_fields
    from broadsheet.orchestrate.stories import cluster_stored
    from tests.stories.sample import at

    w = add("Euro Ledger", *WIRE, at(0))
    copy = add("Harbour Gazette", *wire_copy("Harbour Gazette"), at(1))
    for i in (w, copy):
        cluster_stored(store, settings, i)
    assert export_fields(store, copy) == {"story": store.story_of_article(w), "duplicate_of": w}
    assert export_fields(store, w)["duplicate_of"] is None


def test_published_dates() -> None:
    assert parse_published("2024-05-13").isoformat() == "2024-05-13T00:00:00+00:00"
    assert parse_published("2024-05-13T12:00:00+02:00").hour == 10
    assert parse_published("yesterday") is None and parse_published(None) is None
