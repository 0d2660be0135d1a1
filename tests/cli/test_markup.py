"""Square brackets in a feed or OPML title are text, not Rich markup (issue 16)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run
from tests.support.httpserver import TestServer
from tests.test_pipeline import rss

TITLE = "[/red] Daily News [bold]from[/bold] [fd00::2]"


def test_a_title_with_brackets_is_printed_as_it_is(server: TestServer, tmp_path: Path) -> None:
    feed = rss(server.base, []).replace("<title>Harbour Post</title>", f"<title>{TITLE}</title>")
    server.route("/feed.xml", feed, headers={"content-type": "application/rss+xml"})
    added = run(tmp_path, "sources", "add", server.url("/feed.xml"))
    assert added.returncode == 0, added.stderr
    assert TITLE in added.stdout and "Traceback" not in added.stderr

    listed = run(tmp_path, "sources", "list")
    assert listed.returncode == 0, listed.stderr
    assert TITLE in listed.stdout

    removed = run(tmp_path, "sources", "remove", server.url("/feed.xml"))
    assert removed.returncode == 0 and TITLE in removed.stdout


def test_brackets_in_an_error_and_an_opml_title(tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="{TITLE}" xmlUrl="http://[fd00::2]/feed"/>'
        '<outline text="[red]Bad[/red]" xmlUrl="javascript:alert(1)"/>'
        "</body></opml>"
    )
    done = run(tmp_path, "sources", "import-opml", str(opml))
    assert done.returncode == 0, done.stderr
    assert "imported 1 sources" in done.stdout and "[red]Bad[/red]" in done.stderr
    listed = run(tmp_path, "sources", "list")
    assert TITLE in listed.stdout and "http://[fd00::2]/feed" in listed.stdout


def test_an_opml_row_without_xml_url_is_reported(tmp_path: Path) -> None:
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="Empty folder"/>'
        '<outline type="rss" text="Quay Weekly" htmlUrl="https://quay.example/"/>'
        '<outline text="Good" xmlUrl="https://good.example/feed"/>'
        "</body></opml>"
    )
    done = run(tmp_path, "sources", "import-opml", str(opml))
    assert done.returncode == 0, done.stderr
    assert "imported 1 sources, 0 already present, 1 rejected" in done.stdout
    assert done.stderr.strip() == "rejected: outline 'Quay Weekly': no xmlUrl, so no feed to import"
