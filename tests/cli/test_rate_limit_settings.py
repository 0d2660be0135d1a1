"""Rate-limit settings are checked without importing ``limits`` for the usual forms (so a
command such as ``extract`` starts without it), and with it for anything else."""

from __future__ import annotations

import pytest

from broadsheet.config import Settings
from broadsheet.errors import ConfigError


@pytest.mark.parametrize("value", ["10/minute;50/hour", "5 per 2 minutes", "3/second, 1/day"])
def test_usual_rate_limits_are_accepted(value: str) -> None:
    assert Settings(limit_signin=value).limit_signin == value


@pytest.mark.parametrize("value", ["often", "10/fortnight", ""])
def test_other_rate_limits_are_refused(value: str) -> None:
    with pytest.raises((ConfigError, ValueError)):
        Settings(limit_signin=value)
