"""``broadsheet extract`` given bad files and bad URLs (issue 16): one error per file, the
batch goes on, memory stays bounded, no traceback."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from tests.cli.support import one_line_error, run

PAGE = (Path(__file__).parents[1] / "fixtures" / "pages" / "furniture_news.html").read_bytes()
TITLE = "Harbour town opens floating library for summer"

# the command runs with at most this much address space: decompressing the bomb whole
# (2 GB) would fail, so a passing test proves the decompression was capped
LIMIT_MEMORY = (
    "import resource\n"
    "resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, resource.RLIM_INFINITY))\n"
)


def gzip_bomb(path: Path, megabytes: int = 2000) -> Path:
    """~2 MB of gzip that expands to ``megabytes`` MB of HTML."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"a" * (1 << 20)
    with path.open("wb") as f:
        f.write(squeeze.compress(b"<html><body><p>"))
        for _ in range(megabytes):
            f.write(squeeze.compress(chunk))
        f.write(squeeze.compress(b"</p></body></html>") + squeeze.flush())
    return path


def test_a_gzip_bomb_is_capped(tmp_path: Path) -> None:
    bomb = gzip_bomb(tmp_path / "bomb.html.gz")
    assert bomb.stat().st_size < 3 * 1024 * 1024
    done = run(tmp_path, "extract", str(bomb), prelude=LIMIT_MEMORY)
    assert done.returncode == 1
    assert "decompresses to more than 8,388,608 bytes" in one_line_error(done)
    assert "BROADSHEET_MAX_BODY_BYTES" in json.loads(done.stdout)["error"]


def test_a_truncated_gzip_fails_alone_in_a_batch(tmp_path: Path) -> None:
    whole = gzip.compress(PAGE)
    (tmp_path / "cut.html.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "good.html.gz").write_bytes(whole)
    (tmp_path / "plain.html").write_bytes(PAGE)
    (tmp_path / "junk.html.gz").write_bytes(b"\x1f\x8b this is not gzip at all")
    names = ["cut.html.gz", "good.html.gz", "junk.html.gz", "plain.html"]
    done = run(tmp_path, "extract", *(str(tmp_path / n) for n in names))
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(o["path"]).name for o in out] == names  # every file, in order
    assert "truncated gzip" in out[0]["error"] and "not a readable gzip" in out[2]["error"]
    assert out[1]["title"] == out[3]["title"] == TITLE
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 2 and "cut.html.gz" in errors[0] and "junk.html.gz" in errors[1]


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "ftp://example.com/a", ""])
def test_a_bad_url_is_refused(tmp_path: Path, url: str) -> None:
    (tmp_path / "page.html").write_bytes(PAGE)
    done = run(tmp_path, "extract", "--url", url, str(tmp_path / "page.html"))
    assert done.returncode == 2 and done.stdout == ""
    assert "--url: not an absolute http or https URL" in one_line_error(done)


def test_a_good_url_with_an_ipv6_host(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(PAGE)
    done = run(tmp_path, "extract", "--url", "http://[::1]/news/a", str(tmp_path / "page.html"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["url"] == "http://[::1]/news/a"
