"""Names in sports results and standings lines are teams (organisations).

"Bradford 1 Tranmere 0" or "Leicestershire 22 5 3 140" name clubs even when the club is
called after its town; a tagger reading the town sees a place. A line made only of
capitalised names each followed by numbers is such a line, and its names are ORG.
"""

from __future__ import annotations

import re

from broadsheet.understand.gazetteer import is_country

_NAME = r"[A-Z][\w'’.&-]*(?:[ \t]+(?:[A-Z][\w'’.&-]*|de|of|and))*"
_PAIR = re.compile(rf"({_NAME})[ \t]+(\d+(?:[ \t]+[\d.-]+)*)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\b(?:19|20)\d\d\b")
_LINE = re.compile(rf"^[ \t]*{_NAME}[ \t]+\d[\d .\t-]*(?:[ \t,;]+{_NAME}[ \t]+\d[\d .\t-]*)*$")


def team_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if _LINE.match(body) and not _DATE.search(body):
            for m in _PAIR.finditer(body):
                if not is_country(m.group(1)):
                    spans.append((offset + m.start(1), offset + m.end(1), "ORG"))
        offset += len(line)
    return spans


def apply(spans: list[tuple[int, int, str]], teams: list[tuple[int, int, str]]) -> list:
    """Team spans replace whatever the tagger found over the same characters."""
    if not teams:
        return spans
    kept = [s for s in spans if not any(s[0] < t[1] and t[0] < s[1] for t in teams)]
    return sorted(kept + teams)
