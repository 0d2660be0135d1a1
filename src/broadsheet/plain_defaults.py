"""Defaults of the settings ``broadsheet extract`` reads, as plain constants.

:class:`broadsheet.config.Settings` takes its defaults for these from here, and
``broadsheet extract`` uses them directly when the environment sets no ``BROADSHEET_``
variable, so that the command starts without importing pydantic (about a third of its
start-up, issue 15). Nothing here may import more than the standard library and
platformdirs."""

from __future__ import annotations

from pathlib import Path

import platformdirs

MAX_BODY_BYTES = 8 * 1024 * 1024
EXTRACT_TIMEOUT = 30.0
MAX_HTML_BYTES = 3 * 1024 * 1024


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("broadsheet", appauthor=False))
