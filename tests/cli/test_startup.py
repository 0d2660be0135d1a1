"""``broadsheet extract`` imports what extraction needs and nothing else (issue 15): no
database, web, language-model or terminal-UI code before (or after) the first page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import one_line_error, run

PAGE = Path(__file__).parents[1] / "fixtures" / "pages" / "furniture_news.html"

# at exit, write the names of the modules the command imported
RECORD_MODULES = """
import atexit, json, sys
atexit.register(lambda: open({out!r}, "w").write(json.dumps(sorted(sys.modules))))
"""

NOT_NEEDED = (
    "sqlalchemy",
    "alembic",
    "rich",
    "uvicorn",
    "starlette",
    "jinja2",
    "httpx",
    "spacy",
    "broadsheet.store",
    "broadsheet.pipeline",
    "broadsheet.web",
    "broadsheet.jobs",
    "broadsheet.understand",
    "broadsheet.stories",
    "broadsheet.ai",
)


def test_extract_imports_only_what_extraction_needs(tmp_path: Path) -> None:
    record = tmp_path / "modules.json"
    done = run(tmp_path, "extract", str(PAGE), prelude=RECORD_MODULES.format(out=str(record)))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"]
    modules = json.loads(record.read_text())
    assert "broadsheet.extract.article" in modules  # the record is real
    loaded = [m for m in NOT_NEEDED if any(x == m or x.startswith(m + ".") for x in modules)]
    assert loaded == []
    assert not (tmp_path / "broadsheet.db").exists()  # nor does it open the database


# the environment the command meets has no BROADSHEET_ variable (support.run sets three)
NO_SETTINGS = """
import os
for _name in [k for k in os.environ if k.upper().startswith("BROADSHEET_")]:
    del os.environ[_name]
"""


@pytest.mark.sqlite_only(
    "on PostgreSQL runs the suite's sitecustomize imports the settings into every process it"
    " starts, to route that process's store (tests/support/pgsite)"
)
def test_extract_with_no_setting_in_the_environment_skips_the_settings(tmp_path: Path) -> None:
    record = tmp_path / "modules.json"
    prelude = NO_SETTINGS + RECORD_MODULES.format(out=str(record))
    done = run(tmp_path, "extract", str(PAGE), prelude=prelude)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"]
    modules = json.loads(record.read_text())
    assert "broadsheet.extract.article" in modules
    # the defaults are plain constants then; settings are read (and validated) otherwise.
    # (pydantic itself comes with typer, which coerces option values with it)
    assert [m for m in modules if m.split(".")[0] == "pydantic_settings"] == []
    assert "broadsheet.config" not in modules and "asyncio" not in modules


def test_extract_still_validates_a_setting_the_environment_sets(tmp_path: Path) -> None:
    done = run(tmp_path, "extract", str(PAGE), env={"BROADSHEET_EXTRACT_TIMEOUT": "-3"})
    assert done.returncode != 0
    assert "BROADSHEET_EXTRACT_TIMEOUT" in one_line_error(done)
    assert done.stdout == ""


def test_extract_with_no_setting_rejects_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-dir"
    a_file.write_text("x")
    done = run(a_file, "extract", str(PAGE), prelude=NO_SETTINGS)
    assert done.returncode != 0
    assert "not-a-dir" in one_line_error(done)
