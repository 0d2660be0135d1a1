"""``broadsheet furniture show/on/off`` take a host or a URL and list the known outlets
when the one asked for is unknown (issue 16)."""

from __future__ import annotations

from pathlib import Path

from broadsheet.config import Settings
from broadsheet.extract.learn import is_learned, page_fingerprints
from broadsheet.store import Store
from tests.cli.support import one_line_error, run

BLOCK = "Subscribe to our newsletter for the morning briefing, every weekday at six."


def _learned(tmp_path: Path) -> None:
    store = Store.open(Settings(data_dir=tmp_path, default_sources=False))
    try:
        for page in range(6):  # the same block on every page of the outlet
            seen = page_fingerprints([BLOCK, f"Story {page} " * 20])
            store.learn_furniture("harbourpost.example", seen, is_learned)
        store.learn_furniture("[/red]odd.example", page_fingerprints(["x"]), is_learned)
    finally:
        store.close()


def test_show_takes_a_host_or_a_url(tmp_path: Path) -> None:
    _learned(tmp_path)
    for given in (
        "harbourpost.example",
        "www.HarbourPost.example",
        "https://www.harbourpost.example/news/2026/pier?x=1",
    ):
        done = run(tmp_path, "furniture", "show", given)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("harbourpost.example: on")


def test_an_unknown_outlet_lists_the_known_ones(tmp_path: Path) -> None:
    _learned(tmp_path)
    for command in ("show", "off", "on"):
        done = run(tmp_path, "furniture", command, "https://nowhere.example/a")
        assert done.returncode == 1
        line = one_line_error(done)
        assert "no outlet 'https://nowhere.example/a'" in line
        assert "known outlets:" in line and "harbourpost.example" in line
        assert "[/red]odd.example" in line


def test_nothing_learned_yet(tmp_path: Path) -> None:
    done = run(tmp_path, "furniture", "show", "http://[::1")
    assert done.returncode == 1 and "nothing has been learned yet" in one_line_error(done)
