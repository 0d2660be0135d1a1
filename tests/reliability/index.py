"""Where each line of docs/RELIABILITY.md is tested.

A "line" is a sentence (or ;-separated clause) of one numbered group of the document. Each
group has its module here, ``test_NN_<name>.py``, whose ``LINES`` maps the start of each
of its lines to the test node ids that fail if that behaviour regresses: tests of the
module itself (named for their line) and tests elsewhere in the suite that already cover
it well. A line that belongs to another issue's work says so with :class:`Deferred`.
``test_00_index.py`` checks that this mapping is whole and that every node exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "RELIABILITY.md"


@dataclass(frozen=True)
class Deferred:
    """A line whose test is another issue's work (``issue``: "issue 14")."""

    issue: str
    why: str


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def groups(text: str | None = None) -> dict[int, list[str]]:
    """The document's numbered groups, each as its lines (sentences and clauses)."""
    text = DOCUMENT.read_text(encoding="utf-8") if text is None else text
    body = text.split("## Known holes")[0]
    found: dict[int, list[str]] = {}
    for number, block in re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |^## |\Z)", body, re.M | re.S):
        block = re.sub(r"(\s*\[[A-Z]\])+$", "", normalized(block))
        parts = re.split(r"(?<=[.;])\s+(?=[A-Z`\"(])|;\s+", block)
        found[int(number)] = [p.strip() for p in parts if p.strip()]
    return found


def modules() -> dict[int, object]:
    """The group modules, by group number."""
    import importlib

    found: dict[int, object] = {}
    for path in sorted(Path(__file__).parent.glob("test_[0-9][0-9]_*.py")):
        number = int(path.name[5:7])
        if number:
            found[number] = importlib.import_module(f"tests.reliability.{path.stem}")
    return found


def table() -> str:
    """The Markdown table of docs/security.md: each line of the document and its tests."""
    rows = ["| # | line | tested by |", "|---|---|---|"]
    found = modules()
    for number, lines in groups().items():
        mapping = found[number].LINES  # type: ignore[attr-defined]
        for line in lines:
            key = next(k for k in mapping if normalized(line).startswith(normalized(k)))
            target = mapping[key]
            if isinstance(target, Deferred):
                tests = f"*{target.issue}*: {target.why}"
            else:
                tests = "<br>".join(f"`{n}`" for n in target)
            shown = line if len(line) <= 90 else line[:87].rstrip() + "…"
            rows.append(f"| {number} | {shown.replace('|', '/')} | {tests} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m tests.reliability.index > the table
    from tests.reliability import index  # the module the group modules import

    print(index.table(), end="")
