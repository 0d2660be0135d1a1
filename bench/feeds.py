"""Benchmark parse_feed over a corpus of real and synthetic feeds.

    .venv/bin/python bench/feeds.py [CORPUS_DIR] [--verbose]

CORPUS_DIR defaults to ../shared/datasets/feeds (relative to the repository root). Every
file is parsed once; the table counts files, successes, ParseErrors and crashes (any
other exception, which must stay 0) and the entry throughput. Nothing is written.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from broadsheet.errors import ParseError
from broadsheet.ingest.feeds import parse_feed

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "feeds"


def corpus(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name in ("manifest.tsv", "SOURCE.txt"):
            continue
        if path.name.endswith(".serde.json") or path.name.startswith(("README", "LICENSE")):
            continue
        files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("corpus", nargs="?", type=Path, default=DEFAULT)
    args.add_argument("--verbose", action="store_true", help="list every ParseError")
    opts = args.parse_args(argv)
    if not opts.corpus.is_dir():
        print(f"corpus {opts.corpus} not found: nothing to benchmark (skipped)")
        return 0
    files = corpus(opts.corpus)
    ok = errors = crashes = entries = 0
    slowest = (0.0, "")
    started = time.perf_counter()
    for path in files:
        body = path.read_bytes()
        url = f"https://bench.invalid/{path.relative_to(opts.corpus).as_posix()}"
        t0 = time.perf_counter()
        try:
            feed = parse_feed(url, body)
        except ParseError as exc:
            errors += 1
            if opts.verbose:
                print(f"ParseError  {path.relative_to(opts.corpus)}: {exc}")
        except Exception:  # the thing this benchmark exists to catch
            crashes += 1
            print(f"CRASH  {path.relative_to(opts.corpus)}", file=sys.stderr)
            traceback.print_exc()
        else:
            ok += 1
            entries += len(feed.entries)
        slowest = max(slowest, (time.perf_counter() - t0, path.name))
    elapsed = time.perf_counter() - started
    print(f"{'corpus':<12} {opts.corpus}")
    print(f"{'files':<12} {len(files)}")
    print(f"{'parsed ok':<12} {ok}")
    print(f"{'ParseError':<12} {errors}")
    print(f"{'crashes':<12} {crashes}")
    print(f"{'entries':<12} {entries}")
    print(f"{'seconds':<12} {elapsed:.2f}")
    print(f"{'entries/s':<12} {entries / elapsed:,.0f}")
    print(f"{'files/s':<12} {len(files) / elapsed:,.0f}")
    print(f"{'slowest':<12} {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
