from __future__ import annotations

import pytest

from broadsheet.config import Settings
from broadsheet.understand.pipelines import Pipelines


@pytest.fixture(scope="session")
def pipelines() -> Pipelines:
    """The configured pipelines; spaCy loads once per test session (first use)."""
    found = Pipelines(Settings(data_dir="/nonexistent").spacy_models)
    found.for_language("en")
    return found
