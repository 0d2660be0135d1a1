from __future__ import annotations

from broadsheet.understand.spans import agree, split


def test_a_name_is_cut_at_a_line_break_a_spaced_dash_and_a_trailing_score() -> None:
    text = "CRICKET - AUSTRALIA\nRomania - Cosmin Contra\nJ. Ratcliffe 63\nKent 108-3\nSchalke 04"
    at = {line: text.index(line) for line in text.split("\n")}

    def cut(piece: str, label: str) -> list[str]:
        start = at[piece]
        return [(text[s:e], lab) for s, e, lab in split(text, start, start + len(piece), label)]

    assert cut("CRICKET - AUSTRALIA", "ORG") == [("AUSTRALIA", "GPE")]
    assert cut("Romania - Cosmin Contra", "PERSON") == [
        ("Romania", "GPE"),
        ("Cosmin Contra", "PERSON"),
    ]
    assert cut("J. Ratcliffe 63", "PERSON") == [("J. Ratcliffe", "PERSON")]
    assert cut("Kent 108-3", "ORG") == [("Kent", "ORG")]
    assert cut("Schalke 04", "ORG") == [("Schalke 04", "ORG")]  # a club's name keeps it
    two_lines = text.index("AUSTRALIA")
    assert split(text, two_lines, two_lines + 17, "GPE") == [
        (two_lines, two_lines + 9, "GPE")  # never across the line break
    ]
    assert split(text, 0, 7, "DATE") == [(0, 7, "DATE")]  # not a name: left alone


def test_one_text_uses_one_name_one_way() -> None:
    text = (
        "Wang Junxia won the race. Lebed Alexander spoke; Lebed said Wang was fast. "
        "Acme rose. Acme fell. Acme Corp said little."
    )

    def span(name: str, label: str, nth: int = 0) -> tuple[int, int, str]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(name, start + 1)
        return (start, start + len(name), label)

    spans = [
        span("Wang Junxia", "PERSON"),
        span("Lebed", "PERSON"),
        span("Wang", "ORG", 1),  # the surname of the one Wang named in full
        span("Acme", "ORG"),
        span("Acme", "ORG", 1),
        span("Acme", "PERSON", 2),  # outvoted
    ]
    found = {(text[s:e], s, lab) for s, e, lab in agree(text, spans)}
    assert ("Wang", text.index("Wang", 1), "PERSON") in found
    assert ("Acme", text.index("Acme Corp"), "ORG") in found
    assert ("Lebed", text.index("Lebed said"), "PERSON") not in found  # no mention added
    assert not any(name == "Alexander" for name, _, _ in found)
