from __future__ import annotations

import pytest

from broadsheet.extract import article


@pytest.fixture(autouse=True)
def _no_default_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """``extract()`` gives a page 20 s of wall time by default (an alarm in the main
    thread): a loaded machine can spend that on a page that needs a fraction of a second
    of work, and its first use (imports, locale data) costs seconds. These tests check what
    is extracted, not how fast: without a budget of their own, pages get 300 s here, a
    hang guard. The tests of the budget pass theirs."""
    monkeypatch.setitem(article.extract.__kwdefaults__, "budget", 300.0)
