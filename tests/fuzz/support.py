"""How the property tests run: derandomized (the same examples on every run, so CI never
flakes on a seed) and bounded (the whole tests/fuzz directory takes well under a minute).

``BROADSHEET_FUZZ_EXAMPLES=N`` runs N examples per test, and ``BROADSHEET_FUZZ_RANDOM=1``
draws new ones each run: the longer runs of docs/notes/issue-16-hardening.md.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("BROADSHEET_FUZZ_EXAMPLES", "0") or 0)
RANDOM = os.environ.get("BROADSHEET_FUZZ_RANDOM") == "1"


def fuzz(examples: int) -> settings:
    """``@fuzz(n)``: n examples in CI (or the override), no per-example deadline."""
    return settings(
        max_examples=EXAMPLES or examples,
        derandomize=not RANDOM,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
