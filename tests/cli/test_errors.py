"""Bad settings and bad places give one line and an exit code, never a traceback (issue 16)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.support import one_line_error, run


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a directory")
    done = run(a_file, "sources", "list")
    assert done.returncode == 2
    line = one_line_error(done)
    assert "BROADSHEET_DATA_DIR" in line and "not a directory" in line
    assert a_file.read_text() == "not a directory"


@pytest.mark.sqlite_only("the SQLite file is what cannot be made below a file")
def test_data_dir_below_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a directory")
    below = run(a_file / "sub", "sources", "list")  # a path that runs through a file
    assert below.returncode == 1 and "Not a directory" in one_line_error(below)
    assert a_file.read_text() == "not a directory"


def test_serve_port_out_of_range_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = run(data, "serve", "--port", "99999")
    assert done.returncode == 2 and "65535" in done.stderr and "Traceback" not in done.stderr
    assert not data.exists()  # no data dir made, no sources seeded


def _listening() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def test_serve_and_demo_check_the_port_first(tmp_path: Path) -> None:
    with _listening() as taken:
        port = str(taken.getsockname()[1])
        data = tmp_path / "data"
        served = run(data, "serve", "--host", "127.0.0.1", "--port", port)
        assert served.returncode == 1
        assert f"127.0.0.1:{port}" in one_line_error(served)
        assert not data.exists()  # checked before the database is created and seeded
        demo = run(tmp_path / "demo", "demo", "--port", port, "--articles", "1", timeout=60)
        assert demo.returncode == 1 and "cannot listen" in one_line_error(demo)
        assert "sample publisher" not in demo.stdout  # nothing was ingested first


def test_demo_refuses_a_negative_article_count(tmp_path: Path) -> None:
    done = run(tmp_path, "demo", "--articles", "-1")
    assert done.returncode == 2 and "--articles" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("BROADSHEET_PER_HOST_CONCURRENCY", "0", "greater than or equal to 1"),
        ("BROADSHEET_FETCH_CONCURRENCY", "0", "greater than or equal to 1"),
        ("BROADSHEET_FETCH_TIMEOUT", "-5", "greater than 0"),
        ("BROADSHEET_MAX_REDIRECTS", "-1", "greater than or equal to 0"),
        ("BROADSHEET_MAX_BODY_BYTES", "-1", "greater than or equal to 1024"),
        ("BROADSHEET_SPACY_MODELS", "notjson", "not valid JSON"),
        ("BROADSHEET_PORT", "70000", "less than or equal to 65535"),
    ],
)
def test_a_bad_setting_names_the_variable(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    done = run(tmp_path, "ingest", "--once", env={variable: value}, timeout=60)
    assert done.returncode == 2
    line = one_line_error(done)
    assert line.startswith("configuration error:") and variable in line and says in line


def test_a_database_url_without_its_driver_names_the_package(tmp_path: Path) -> None:
    missing = "psycopg2"
    if subprocess.run([sys.executable, "-c", f"import {missing}"], check=False).returncode == 0:
        pytest.skip(f"{missing} is installed here")
    url = f"postgresql+{missing}://reader@127.0.0.1/news"
    done = run(tmp_path, "sources", "list", env={"BROADSHEET_DATABASE_URL": url})
    assert done.returncode == 2
    line = one_line_error(done)
    assert "BROADSHEET_DATABASE_URL" in line and f"'{missing}'" in line


@pytest.mark.sqlite_only("a damaged SQLite file")
def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "broadsheet.db").write_bytes(b"this is not a database" * 100)
    done = run(tmp_path, "sources", "list")
    assert done.returncode == 1
    assert one_line_error(done).startswith("error: cannot open the database")


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from broadsheet import cli_errors

    cli_errors.enable_file_log()
    handler = cli_errors.log_to(tmp_path / "data")
    assert handler is not None
    try:
        {}["missing"]  # a real bug's exception, raised and caught as a command's would be
    except KeyError as exc:
        code = cli_errors.exit_for(exc).exit_code
    finally:
        cli_errors.stop_file_log()
    assert code == 1
    line = capsys.readouterr().err.strip()
    log = tmp_path / "data" / "broadsheet.log"
    assert line == f"error: unexpected KeyError: 'missing' (details in {log})"
    assert "Traceback" in log.read_text() and "KeyError" in log.read_text()


def test_interrupted_is_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    from broadsheet.cli_errors import exit_for

    assert exit_for(KeyboardInterrupt()).exit_code == 130
    assert capsys.readouterr().err == "interrupted\n"
