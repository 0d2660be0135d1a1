"""``broadsheet extract`` imports what extraction needs and nothing else (issue 15): no
database, web, language-model or terminal-UI code before (or after) the first page."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import run

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
