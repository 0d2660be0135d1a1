"""CPU cost of the last date fallback on a page with no readable date (issue 16).

When no source gives a date, ``find_dates`` runs htmldate's extensive search, which hands
what its own rules cannot read to dateparser. Built with every locale (htmldate's own
parser), dateparser's first such call in a process compiles the patterns of all 205
locales; Broadsheet's parser is limited to the page's language and English.

Each run is a fresh process: one page is parsed, then ``find_dates`` is called twice on
it; the probe records ``time.process_time()`` around each call (CPU time, so waiting for
a core on a loaded machine is not counted). "all locales" swaps htmldate's own parser
back in, the rest of the code is the same. Prints the median over the runs and the date
found (which must not differ between the two parsers).

    python bench/date_fallback.py [--runs 5]

On a shared machine CPU time inflates with load: compare rows of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

BODY = "<p>" + "Plain sentence of sample text for the date test. " * 20 + "</p>"
# an impossible stamp that only dateparser is left to try (the test's page; the page
# names its language, or not: then dateparser's 20 most used languages), and a
# Romanian page that prints its date in words neither Broadsheet's nor htmldate's rules read
PAGES = {
    "en, impossible stamp": (
        '<html lang="en"><head><meta property="article:published_time" '
        f'content="2024-13-45T10:00:00+25:00"></head><body><article>{BODY}</article></body></html>'
    ),
    "no lang, same stamp": (
        '<html><head><meta property="article:published_time" '
        f'content="2024-13-45T10:00:00+25:00"></head><body><article>{BODY}</article></body></html>'
    ),
    "ro, date in words": (
        '<html lang="ro"><head></head><body><article><p class="date">12 iunie 2025'
        f"</p>{BODY}</article></body></html>"
    ),
}

PROBE = """
import json, sys, time
from lxml import html
from htmldate import extractors
from broadsheet.extract import dates
if MODE == "all locales":
    dates._page_parser = extractors.get_external_parser  # htmldate's own: every locale
tree = html.fromstring(PAGE)
out = {}
for name in ("first", "second"):
    start = time.process_time()
    found = dates.find_dates(tree, "https://example.com/a", language=tree.get("lang"))
    out[name] = time.process_time() - start
out["date"] = found.published.date().isoformat() if found.published else None
print(json.dumps(out), file=open(OUT, "w"))
"""


def run_once(mode: str, page: str) -> dict[str, float | str | None]:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.json")
        code = f"MODE = {mode!r}\nPAGE = {page!r}\nOUT = {out!r}\n" + PROBE
        subprocess.run([sys.executable, "-c", code], check=True)
        with open(out) as f:
            return json.load(f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"find_dates on a dateless page, fresh process, CPU s, median of {args.runs} runs")
    print(f"{'page':<22} {'parser':<16} {'1st call':>9} {'2nd call':>9}  date")
    for label, page in PAGES.items():
        for mode in ("all locales", "page languages"):
            runs = [run_once(mode, page) for _ in range(args.runs)]
            first = statistics.median(float(r["first"] or 0) for r in runs)
            second = statistics.median(float(r["second"] or 0) for r in runs)
            print(f"{label:<22} {mode:<16} {first:>9.2f} {second:>9.3f}  {runs[0]['date']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
