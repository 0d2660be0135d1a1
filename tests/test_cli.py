"""The command-line contract, run as a user runs it: the installed `broadsheet` command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpserver import Reply, TestServer
from tests.test_pipeline import page, rss


def broadsheet(
    data_dir: Path, *args: str, allow_private: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(BROADSHEET_PER_HOST_DELAY="0", BROADSHEET_EXTRACT_WORKERS="1")
    # deadlines a loaded machine does not reach
    env.update(BROADSHEET_FETCH_TIMEOUT="60", BROADSHEET_EXTRACT_TIMEOUT="120")
    if allow_private:
        env["BROADSHEET_ALLOW_PRIVATE_NETWORKS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "broadsheet", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def site(server: TestServer) -> TestServer:
    items = [(f"Pier story {n}", f"/news/{n}", f"Summary {n}.") for n in (1, 2)]
    server.route(
        "/feed.xml", rss(server.base, items), headers={"content-type": "application/rss+xml"}
    )
    server.route(
        "/",
        f'<html><head><title>Harbour Post</title><link rel="alternate" '
        f'type="application/rss+xml" href="{server.base}/feed.xml"></head></html>',
    )
    for n in (1, 2):
        server.route(f"/news/{n}", page(f"Pier story {n}", n))
    server.route("/news/2", Reply(404, "gone"))  # falls back to the feed's summary
    return server


def test_add_ingest_list_export(site: TestServer, tmp_path: Path) -> None:
    added = broadsheet(tmp_path, "sources", "add", site.url("/"))  # discovered from the page
    assert added.returncode == 0, added.stderr
    assert "Harbour Post" in added.stdout

    ran = broadsheet(tmp_path, "ingest", "--once")
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"new articles\s*│\s*2\b", ran.stdout), ran.stdout

    listed = broadsheet(tmp_path, "sources", "list")
    assert listed.returncode == 0 and "Harbour Post" in listed.stdout and "ok" in listed.stdout

    exported = broadsheet(tmp_path, "export", "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 2
    first = next(r for r in records if r["title"] == "Pier story 1")
    assert set(first) >= {
        "id",
        "url",
        "canonical_url",
        "source",
        "title",
        "author",
        "published",
        "language",
        "text",
    }
    assert first["source"] == "Harbour Post" and first["author"] == "Ada Lovelace"
    assert first["published"] == "2026-11-28T09:00:00Z" and first["language"] == "en"
    assert "northern pier" in first["text"]
    second = next(r for r in records if r["title"] == "Pier story 2")
    assert second["text"] == "Summary 2."

    again = broadsheet(tmp_path, "ingest", "--once")  # nothing is due: nothing happens
    assert again.returncode == 0
    assert len(broadsheet(tmp_path, "export").stdout.splitlines()) == 2


def test_failing_feed_still_exits_zero_and_is_recorded(server: TestServer, tmp_path: Path) -> None:
    server.route("/feed.xml", rss(server.base, []), headers={"content-type": "application/rss+xml"})
    assert broadsheet(tmp_path, "sources", "add", server.url("/feed.xml")).returncode == 0
    server.route("/feed.xml", Reply(503, "down", {"retry-after": "120"}))
    ran = broadsheet(tmp_path, "ingest", "--once")
    assert ran.returncode == 0, ran.stderr
    assert "HTTP 503" in ran.stdout
    listed = broadsheet(tmp_path, "sources", "list")
    assert "error" in listed.stdout and "503" in listed.stdout


def test_opml_round_trip_and_remove(tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline text="World"><outline text="A" xmlUrl="https://a.example/feed"/>'
        '<outline text="Bad" xmlUrl="javascript:alert(1)"/>'
        '<outline text="B" xmlUrl="https://b.example/rss" htmlUrl="https://b.example/"/></outline>'
        "</body></opml>"
    )
    imported = broadsheet(tmp_path, "sources", "import-opml", str(opml))
    assert imported.returncode == 0, imported.stderr
    assert "imported 2 sources" in imported.stdout and "1 rejected" in imported.stdout
    exported = broadsheet(tmp_path, "sources", "export-opml")
    assert 'xmlUrl="https://a.example/feed"' in exported.stdout
    assert "javascript" not in exported.stdout
    assert broadsheet(tmp_path, "sources", "remove", "https://a.example/feed").returncode == 0
    assert "a.example" not in broadsheet(tmp_path, "sources", "export-opml").stdout
    missing = broadsheet(tmp_path, "sources", "remove", "999")
    assert missing.returncode == 1 and "no source" in missing.stderr


def test_private_address_refused_by_default(site: TestServer, tmp_path: Path) -> None:
    refused = broadsheet(tmp_path, "sources", "add", site.url("/feed.xml"), allow_private=False)
    assert refused.returncode == 1
    assert "private network" in refused.stderr
    assert site.seen == []


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    bad_format = broadsheet(tmp_path, "export", "--format", "xml")
    assert bad_format.returncode == 2 and "unknown format" in bad_format.stderr
    no_file = broadsheet(tmp_path, "sources", "import-opml", str(tmp_path / "missing.opml"))
    assert no_file.returncode == 1 and "cannot read" in no_file.stderr
    scheme = broadsheet(tmp_path, "sources", "add", "file:///etc/passwd")
    assert scheme.returncode == 1 and "Traceback" not in scheme.stderr
