"""An outlet's name and a date glued on one line: metadata, never body.

Aggregators print the credited outlet and the date as two spans with nothing between
them, so the page's text reads "Arab News04-06-2025" (or "Arab News | June 4, 2025").
Such a line at the top of the body is parsed into (outlet, printed date) and removed.

The order of an ambiguous numeric date (04-06-2025: 4 June or 6 April?) is a property of
the outlet, not of the page: a day above 12 on any of the outlet's pages ("21-06-2025")
decides it for all of them. :func:`order_evidence` reads one printed date,
:func:`decide_order` turns the outlet's counts into its order; the store keeps the counts
and ``extract(site=...)`` receives the decision as data (``SiteRules.date_order``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from broadsheet.extract.dates import MONTHS

DMY = "dmy"
MDY = "mdy"
GLUED_MAX_CHARS = 100
MAX_OUTLET_WORDS = 6
# Words an outlet's name may hold in lower case ("The Voice of the North").
_LOWER_WORDS = frozenset(
    "of the and & de la le les du des el al di da do der die das und van von y et for on "
    "in at".split()
)
_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_NUMERIC = r"(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})"
_ISO = r"(?:19|20)\d{2}-\d{2}-\d{2}"
_WORDY = (
    rf"\d{{1,2}}\.?\s+(?:{_MONTH_NAMES})\.?,?\s+(?:19|20)\d{{2}}"
    rf"|(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
)
_TIME = r"(?:\s*(?:,|at|-|–|\|)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_GLUED = re.compile(
    rf"^(?P<outlet>[^\W\d_][^\n|·•]{{1,70}}?)\s*(?:[|·•–—-]\s*)?"
    rf"(?P<date>{_NUMERIC}|{_ISO}|{_WORDY}){_TIME}\s*$",
    re.IGNORECASE | re.UNICODE,
)
_STAMP = re.compile(rf"^{_NUMERIC}$")
# A date's label or a weekday is not an outlet ("Published04-06-2025", "Monday 4 June 2025").
_NOT_OUTLET = re.compile(
    r"^(by|on|date|dated|published|posted|updated|last updated|modified|created|"
    r"veröffentlicht|aktualisiert|stand|publié|mis à jour|publicado|actualizado|pubblicato|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)"
    r"\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Glued:
    outlet: str
    printed: str  # the date as printed: "04-06-2025", "June 4, 2025"


def _is_name(text: str) -> bool:
    words = text.split()
    if not 0 < len(words) <= MAX_OUTLET_WORDS or text[-1] in ".:;!?":
        return False
    named = [w for w in words if w.lower() not in _LOWER_WORDS]
    return bool(named) and all(w[0].isupper() or w[0].isdigit() for w in named)


def parse_glued(line: str) -> Glued | None:
    """ "Arab News04-06-2025" -> Glued("Arab News", "04-06-2025"); None for anything
    that is not exactly an outlet's name followed by a date (and perhaps a time)."""
    line = line.strip()
    if len(line) > GLUED_MAX_CHARS or "\n" in line:
        return None
    match = _GLUED.match(line)
    if not match:
        return None
    if match.group("outlet").rstrip().endswith(","):
        return None  # "LONDON, June 4, 2025": a dateline's place, not an outlet
    outlet = match.group("outlet").strip(" |·•–—-")
    if not _is_name(outlet) or _NOT_OUTLET.match(outlet):
        return None
    return Glued(outlet, match.group("date"))


def numeric_parts(printed: str | None) -> tuple[int, int, int] | None:
    """(a, b, year) of a numeric a-b-yyyy date, else None."""
    match = _STAMP.match(printed.strip()) if printed else None
    if not match:
        return None
    return int(match.group("a")), int(match.group("b")), int(match.group("y"))


def is_ambiguous(printed: str | None) -> bool:
    """Both readings are real, different days: 04-06-2025 (but not 21-06 or 05-05)."""
    parts = numeric_parts(printed)
    return parts is not None and parts[0] <= 12 and parts[1] <= 12 and parts[0] != parts[1]


def order_evidence(printed: str | None) -> str | None:
    """What one printed date proves: "dmy" when its first number is a day above 12,
    "mdy" when its second is, else nothing."""
    parts = numeric_parts(printed)
    if parts is None:
        return None
    a, b, _ = parts
    if 12 < a <= 31 and 1 <= b <= 12:
        return DMY
    if 12 < b <= 31 and 1 <= a <= 12:
        return MDY
    return None


def decide_order(dmy_pages: int, mdy_pages: int) -> str | None:
    """The outlet's order from the pages that proved one: any proof decides; when its
    pages disagree (two templates), the clear majority (twice the other), else none."""
    if dmy_pages and not mdy_pages:
        return DMY
    if mdy_pages and not dmy_pages:
        return MDY
    if dmy_pages >= 2 * mdy_pages > 0:
        return DMY
    if mdy_pages >= 2 * dmy_pages > 0:
        return MDY
    return None


def redate(published: datetime | None, printed: str | None, order: str | None) -> datetime | None:
    """The corrected publication date of a stored article whose date was read from an
    ambiguous printed date in the wrong order, now that the outlet's order is known; None
    when there is nothing to correct (another source dated it, or it was read right)."""
    parts = numeric_parts(printed) if is_ambiguous(printed) else None
    if published is None or parts is None or order not in (DMY, MDY):
        return None
    a, b, year = parts
    right, wrong = ((b, a), (a, b)) if order == DMY else ((a, b), (b, a))
    try:
        if published.date() != date(year, *wrong):
            return None
        return published.replace(month=right[0], day=right[1])
    except ValueError:
        return None
