"""The README's settings table generator shows every default (no PydanticUndefined)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from broadsheet.config import Settings

SCRIPT = Path(__file__).parents[2] / "scripts" / "settings_table.py"


def test_every_setting_has_a_shown_default_and_its_range() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], capture_output=True, text=True, check=True, env=env
    )
    rows = done.stdout.splitlines()[2:]
    assert len(rows) == len(Settings.model_fields)
    assert "PydanticUndefined" not in done.stdout
    spacy = next(r for r in rows if "BROADSHEET_SPACY_MODELS" in r)
    assert '`{"en": ' in spacy  # the factory's value, as the variable takes it (JSON)
    concurrency = next(r for r in rows if "BROADSHEET_PER_HOST_CONCURRENCY" in r)
    assert "(≥ 1)" in concurrency
