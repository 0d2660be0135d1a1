"""CI quality gate: extraction F on trafilatura-eval must not drop below the recorded floor.

Runs bench/extraction.py (``broadsheet.extract.extract``, no feed entry, no learned
furniture) on all 990 pages of the shared dataset, split over two processes: about a
minute and a half on the 2-core CI machine, so the full set is used, not a subset.
Skipped when the dataset folder is absent. The floor lives in bench/extraction_floor.json;
lowering it is a reviewed change.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLOOR = json.loads((ROOT / "bench" / "extraction_floor.json").read_text(encoding="utf-8"))
DATASET = (
    Path(os.environ.get("BROADSHEET_DATASETS", ROOT.parent / "shared" / "datasets"))
    / "trafilatura-eval"
)


@pytest.mark.skipif(not (DATASET / "evaldata.json").is_file(), reason=f"no dataset at {DATASET}")
@pytest.mark.no_database("bench/extraction.py extracts files: the SQLite run's figures hold")
def test_extraction_f1_stays_above_the_floor(tmp_path: Path) -> None:
    data = (DATASET / "evaldata.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == FLOOR["evaldata_sha256"], (
        "the dataset changed: re-measure with bench/extraction.py and update the floor"
    )
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "extraction.py"), str(DATASET), "--only",
         "broadsheet", "--processes", "2", "--json", str(out)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["pages"] == FLOOR["pages"]
    got = figures["broadsheet"]
    assert got["f1"] >= FLOOR["f1_floor"], (
        f"extraction F {got['f1']:.4f} fell below the floor {FLOOR['f1_floor']} "
        f"(P {got['precision']:.3f}, R {got['recall']:.3f})\n{done.stdout}"
    )
