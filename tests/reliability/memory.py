"""Peak memory of one resource case, measured in a fresh process (RELIABILITY 3, 6, 8).

The case runs in a child Python: ``setup`` builds its input (the bomb, the page: memory the
input itself needs, not the code under test), then the child resets its resident set's
high-water mark (``/proc/self/clear_refs``), notes what is resident, runs ``case``, and
reads the high-water mark (``VmHWM``). The growth is what the case cost. (``ru_maxrss``
will not do: Linux keeps the parent's peak across fork and exec, so a child of pytest
starts at pytest's size.) RSS counts what tracemalloc cannot see: lxml's and
libxml2's trees, zlib's buffers, httpx's C parts.

Bounds are generous (several times what was measured, see the note of issue 16) and no
time is asserted: the tests never flake on a loaded machine, and still fail on the
regressions they guard against (a body inflated without a cap is a GiB, not 20 MiB).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MiB = 1 << 20

_RUNNER = """
import json, re
def _status(field):
    with open("/proc/self/status") as f:
        return int(re.search(field + r":\\s+(\\d+) kB", f.read()).group(1)) * 1024
def _peak():
    return _status("VmHWM")
{setup}
try:  # the high-water mark back to what is resident now: the input's own peak forgotten
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    _before = _status("VmRSS")
except OSError:
    _before = _peak()
_outcome = "returned"
try:
{case}
except Exception as _exc:
    _outcome = type(_exc).__name__
print(json.dumps({{"before": _before, "after": _peak(), "outcome": _outcome}}))
"""


@dataclass(frozen=True)
class Peak:
    before: int  # bytes: the peak RSS with the input built, before the case
    growth: int  # bytes the case added to the peak
    outcome: str  # "returned", or the name of the exception the case raised

    def __str__(self) -> str:
        return f"{self.outcome}: peak RSS +{self.growth / MiB:.1f} MiB over {self.before / MiB:.0f}"


def peak_of(setup: str, case: str, timeout: float = 120) -> Peak:
    """Run ``case`` after ``setup`` in a fresh Python; its peak memory growth."""
    code = _RUNNER.format(
        setup=textwrap.dedent(setup), case=textwrap.indent(textwrap.dedent(case), "    ")
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return Peak(found["before"], found["after"] - found["before"], found["outcome"])


FETCH_SETUP = """
import asyncio, tempfile
from broadsheet.config import Settings
from broadsheet.ingest.fetch import Fetcher
settings = Settings(
    data_dir=tempfile.mkdtemp(), allow_private_addresses=["127.0.0.1"], per_host_delay=0.0,
    default_sources=False, fetch_timeout={timeout},
)
async def _get(url):
    async with Fetcher(settings) as fetcher:
        return await fetcher.get(url, robots=False)
fetch = lambda url: asyncio.run(_get(url))
fetch("{warm}")  # the first request's one-off costs (TLS context, event loop) out of the way
"""


def fetch_setup(warm_url: str, timeout: float = 10.0) -> str:
    """Setup of a fetch case: ``fetch(url)`` with the real fetcher (default body cap)."""
    return FETCH_SETUP.replace("{timeout}", repr(timeout)).replace("{warm}", warm_url)
