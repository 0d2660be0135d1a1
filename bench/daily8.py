"""The Daily 8's computation, the world's against an edition's, on the web tests' LARGE
store (7 outlets, 40 stories of 75 reports, 150 loose articles) plus one outlet with a
language (so the edition gb-en exists). Prints a table: median of ``--runs`` computations
of the day's eight, each story's digest already kept (as on a live site).

    PYTHONPATH=src python bench/daily8.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.web: the store the web tests build

from broadsheet import daily8  # noqa: E402
from tests.web.sample import NOW  # noqa: E402
from tests.web.test_query_counts import LARGE, build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        built = build(Path(tmp), LARGE)
        built.store.add_source("https://local.example/feed", "Local", country="GB", language="en")
        print(f"| edition | stories | compute (ms, median of {args.runs}) |")
        print("|---|---|---|")
        for code in ("world", "gb-en"):
            daily8.items(built.store, NOW.date(), "UTC", code)  # the stories' digests, kept
            runs = []
            for _ in range(args.runs):
                start = time.perf_counter()
                chosen = daily8.items(built.store, NOW.date(), "UTC", code)
                runs.append(time.perf_counter() - start)
            print(f"| {code} | {len(chosen)} | {statistics.median(runs) * 1000:.1f} |")
        built.store.close()


if __name__ == "__main__":
    main()
