"""JSON Lines input of ``summarize``, ``entities`` and ``cluster`` (issue 16): every bad line
is reported with its number and why, the rest processed, the exit code says so, and every
line out is valid JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadsheet.cli_jsonl import BadLine, JsonLines
from tests.cli.support import run

GOOD = {"id": "a", "title": "Harbour", "text": "The harbour reopened on Monday after repairs."}


def strict(line: str) -> Any:
    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in output: not JSON")

    return json.loads(line, parse_constant=refuse)


def lines(*rows: bytes | dict[str, Any]) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows)


def summarize(tmp_path: Path, data: bytes, stdin: bool = False) -> tuple[int, list, list[str]]:
    if stdin:
        done = run(tmp_path, "summarize", input=data)
    else:
        (tmp_path / "in.jsonl").write_bytes(data)
        done = run(tmp_path, "summarize", "--input", str(tmp_path / "in.jsonl"))
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, [strict(x) for x in done.stdout.splitlines()], done.stderr.splitlines()


def test_all_good_lines_exit_zero(tmp_path: Path) -> None:
    code, out, err = summarize(tmp_path, lines(GOOD, {**GOOD, "id": 2}))
    assert code == 0 and [o["id"] for o in out] == ["a", 2] and err == []


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
def test_bytes_that_are_not_utf8(tmp_path: Path, stdin: bool) -> None:
    bad = json.dumps({**GOOD, "id": "b"}).encode().replace(b"harbour", b"harb\xffour")
    code, out, err = summarize(tmp_path, lines(GOOD, bad, {**GOOD, "id": "c"}), stdin)
    assert code == 1 and [o["id"] for o in out] == ["a", "c"]  # not replaced, not processed
    where = "stdin" if stdin else "in.jsonl"
    assert any(where in e and "line 2: not UTF-8 (byte 0xff" in e for e in err), err


def test_a_line_nested_100k_deep(tmp_path: Path) -> None:
    deep = b'{"id": "d", "text": "x", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    code, out, err = summarize(tmp_path, lines(deep, GOOD))
    assert code == 1 and [o["id"] for o in out] == ["a"]
    assert any("line 1:" in e and "nested too deeply" in e for e in err), err


def test_an_escaped_lone_surrogate(tmp_path: Path) -> None:
    surrogate = b'{"id": "s", "text": "broken \\ud800 pair"}'
    code, out, err = summarize(tmp_path, lines(surrogate, GOOD))
    assert code == 1 and [o["id"] for o in out] == ["a"]
    assert any("line 1:" in e and "unpaired surrogate (\\ud800)" in e for e in err), err


@pytest.mark.parametrize("ident", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_an_id_that_is_not_a_json_number(tmp_path: Path, ident: bytes) -> None:
    row = b'{"id": ' + ident + b', "text": "Some text here."}'
    code, out, err = summarize(tmp_path, lines(row, GOOD))
    assert code == 1 and [o["id"] for o in out] == ["a"]  # strict() proved the output valid
    assert any("line 1:" in e for e in err), err


def test_a_line_over_the_size_cap_is_refused_and_the_next_read(tmp_path: Path) -> None:
    huge = json.dumps({"id": "h", "text": "word " * 5_000_000}).encode()  # 25 MB
    code, out, err = summarize(tmp_path, lines(huge, GOOD))
    assert code == 1 and [o["id"] for o in out] == ["a"]
    assert any(
        "line 1: longer than 2,097,152 bytes (BROADSHEET_MAX_INPUT_LINE_BYTES)" in e for e in err
    ), err


def test_records_without_id_or_text_are_reported_not_processed(tmp_path: Path) -> None:
    code, out, err = summarize(
        tmp_path,
        lines(
            {"text": "No id here."},
            {"id": "t"},
            {"id": None, "text": "Null id."},
            {"id": "blank", "text": "   "},
            {"id": ["x"], "text": "A list for an id."},
            {"id": "n", "text": 42},
            [GOOD],
            GOOD,
        ),
    )
    assert code == 1 and [o["id"] for o in out] == ["a"]
    assert [e.split(":", 1)[0].rsplit(" ", 1)[-1] for e in err[:7]] == [str(n) for n in range(1, 8)]
    assert "no 'id'" in err[0] and "no 'text'" in err[1] and "no 'id'" in err[2]
    assert "'text' is blank" in err[3] and "'id' must be a string or a number" in err[4]
    assert "'text' must be a string" in err[5] and "not a JSON object" in err[6]
    assert err[-1] == "7 of 8 lines skipped"


def test_the_bad_json_message_is_whole(tmp_path: Path) -> None:
    code, out, err = summarize(tmp_path, lines(b'{"id": "c", "text": "tab\there"}', GOOD))
    assert code == 1 and len(out) == 1
    assert any("line 1: not JSON: Invalid control character at column" in e for e in err), err


def test_entities_and_cluster_read_the_same_way(tmp_path: Path) -> None:
    data = lines({"text": "Ada Lovelace visited Paris."}, b"\xff\xfe", GOOD)
    (tmp_path / "in.jsonl").write_bytes(data)
    for command in ("entities", "cluster"):
        done = run(tmp_path, command, "--input", str(tmp_path / "in.jsonl"))
        assert done.returncode == 1, done.stderr
        assert [strict(x)["id"] for x in done.stdout.splitlines()] == ["a"]
        assert "line 1: no 'id'; skipped" in done.stderr
        assert "line 2: not UTF-8" in done.stderr and "Traceback" not in done.stderr


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.sampled_from(["id", "text", "title"]), inner, max_size=3)
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_a_line_is_a_record_or_a_reason_never_a_crash(raw: bytes) -> None:
    reader = JsonLines(None, max_line_bytes=1 << 20, strings=("title",))
    try:
        record = reader.parse(raw)
    except BadLine as why:
        assert str(why)
        return
    assert record.get("id") not in (None, "") and isinstance(record["text"], str)
    json.dumps(record, allow_nan=False).encode()  # whatever is accepted can be written


def test_a_binary_file_does_not_flood_the_terminal(tmp_path: Path) -> None:
    junk = b"\xff\xfe not text\n" * 5000
    code, out, err = summarize(tmp_path, junk + lines(GOOD))
    assert code == 1 and [o["id"] for o in out] == ["a"]
    assert len(err) == 52 and err[-1] == "5000 of 5001 lines skipped"
