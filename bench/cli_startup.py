"""CPU time `broadsheet extract` spends before it reads its first page (issue 15).

Each run is a fresh process running the command as a user does (``python -m broadsheet
extract PAGE``); a line run first records ``time.process_time()`` (the process's CPU
time, interpreter start-up included) when the command starts reading the page, and the
modules loaded by then. The page is one of the test fixtures. Prints the minimum and
median over the runs, and the number of modules.

    python bench/cli_startup.py [--runs 9]

Compare two trees by running it with a different PYTHONPATH. On a shared machine CPU time
inflates with load (cache contention): compare trees in the same minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PAGE = Path(__file__).parents[1] / "tests" / "fixtures" / "pages" / "furniture_news.html"

PROBE = """
import json, sys, time
import broadsheet.cli_extract as _cli_extract
_name = "read_page" if hasattr(_cli_extract, "read_page") else "_read"  # before issue 15
_read = getattr(_cli_extract, _name)
def _first_read(*args, **kwargs):
    if not getattr(_first_read, "done", False):
        _first_read.done = True
        print(json.dumps({"cpu": time.process_time(), "modules": len(sys.modules)}),
              file=open(OUT, "w"))
    return _read(*args, **kwargs)
setattr(_cli_extract, _name, _first_read)
from broadsheet.cli import main
main()
"""


def one_run(out: Path, data_dir: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    probe = f"OUT = {str(out)!r}\n{PROBE}"
    subprocess.run(
        [sys.executable, "-c", probe, "--data-dir", data_dir, "extract", str(PAGE)],
        env=env,
        capture_output=True,
        check=True,
    )
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp) / "probe.json", tmp) for _ in range(args.runs)]
    cpu = [r["cpu"] for r in runs]
    print(
        f"CPU before the first page: min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s"
        f" ({args.runs} runs); {int(runs[0]['modules'])} modules loaded"
    )


if __name__ == "__main__":
    main()
