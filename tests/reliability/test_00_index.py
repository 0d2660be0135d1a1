"""Every line of docs/RELIABILITY.md maps to tests that exist (tests/reliability/index.py)."""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

from tests.reliability.index import DOCUMENT, ROOT, Deferred, groups, normalized

HERE = Path(__file__).parent


def _modules() -> dict[int, ModuleType]:
    found: dict[int, ModuleType] = {}
    for path in sorted(HERE.glob("test_[0-9][0-9]_*.py")):
        number = int(path.name[5:7])
        if number:
            assert number not in found, f"two modules for group {number}"
            found[number] = importlib.import_module(f"tests.reliability.{path.stem}")
    return found


@cache
def _tests_in(path: Path) -> frozenset[str]:
    """``name`` and ``Class::name`` of every test function defined in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return frozenset(n for n in names if n.split("::")[-1].startswith("test_"))


def _exists(node_id: str) -> bool:
    path, _, name = node_id.partition("::")
    file = ROOT / path
    return file.is_file() and name.split("[")[0] in _tests_in(file)


def test_the_document_has_22_groups_and_each_has_its_module() -> None:
    assert DOCUMENT.is_file()
    assert sorted(groups()) == list(range(1, 23))
    assert sorted(_modules()) == list(range(1, 23))


def test_every_line_maps_to_existing_tests_or_a_named_issue() -> None:
    modules = _modules()
    problems: list[str] = []
    for number, lines in groups().items():
        mapping: dict[str, list[str] | Deferred] = modules[number].LINES
        used: set[str] = set()
        for line in lines:
            keys = [k for k in mapping if normalized(line).startswith(normalized(k))]
            if len(keys) != 1:
                problems.append(f"{number}: {len(keys)} entries for {line[:60]!r}")
                continue
            used.add(keys[0])
            target = mapping[keys[0]]
            if isinstance(target, Deferred):
                if not target.issue.startswith("issue ") or not target.why:
                    problems.append(f"{number}: deferral without an issue: {line[:60]!r}")
                continue
            if not target:
                problems.append(f"{number}: no test for {line[:60]!r}")
            problems += [f"{number}: no such test {n}" for n in target if not _exists(n)]
        problems += [f"{number}: {k!r} is no line of the document" for k in set(mapping) - used]
    assert problems == []


def test_every_test_of_a_group_module_is_named_in_its_mapping() -> None:
    for number, module in _modules().items():
        path = Path(module.__file__ or "")
        named = {
            n.partition("::")[2].split("[")[0]
            for target in module.LINES.values()
            if not isinstance(target, Deferred)
            for n in target
            if n.startswith(f"tests/reliability/{path.name}::")
        }
        assert _tests_in(path) <= named, f"group {number}: tests not in LINES"


def test_docs_security_has_the_current_table() -> None:
    """docs/security.md shows this mapping; regenerate it with
    ``python -m tests.reliability.index`` when a line or a test moves."""
    from tests.reliability.index import table

    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    start = doc.index("<!-- reliability-table -->\n") + len("<!-- reliability-table -->\n")
    end = doc.index("<!-- /reliability-table -->")
    assert doc[start:end] == table()
