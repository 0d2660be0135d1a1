"""Facts an article states that differ between two events of one kind: plain data, no state.

Two jewel heists in one city, two title defences of one boxer, two launches of one
laptop: their reports share the words, the names and the places, and differ in the
specifics they state. Five kinds are read here, each a set of values per article:

- ``year``: the years it names (1950-2099), e.g. {2008} for the 2008 election;
- ``money``: the sums of money it names, read from a currency sign or word and a scale
  word ("$2.6 million", "85 million euros", "€2m", "Rs 5 crore"), rounded to two
  significant digits and compared without their currency;
- ``count``: how many people it says were involved ("23 pirates", "26 Somali pirates",
  "288 candidates"), the number only; never a toll ("10 people were killed", "killing
  12 soldiers"), which rises while one event is covered over days;
- ``month``: the months it names by their full name (never "May", which is also a verb),
  e.g. {12} for a December election against {9, 12} for one announced in September;
- ``magnitude``: an earthquake's magnitude ("magnitude 6.1", "a 5.6-magnitude quake",
  "5.9 on the Richter scale"), in tenths.

An article's facts are one sorted array of keys (``kind << 56 | value``); ``disagreements``
compares a set of articles pairwise, per kind: two articles are *comparable* when both
state a fact of the kind, and *disagree* when they are comparable and share no value.
One report's values are noisy (a background year, a converted sum, an earlier record),
so no single pair decides anything: the clusterer keeps two groups apart only when most
of the many comparable pairs across them disagree (``cluster.FACT_PAIRS``,
``cluster.FACT_SHARE``; measured on ECB+ by ``bench/stories.py --only-lookalike``).
"""

from __future__ import annotations

import math
import re

import numpy as np

KINDS = ("year", "money", "count", "month", "magnitude")
_SHIFT = 56
_VALUE = (1 << _SHIFT) - 1
MAX_CHARS = 20_000  # as text.MAX_CHARS: the opening says what the story is about

_YEAR = re.compile(r"(?<![\w.,])(19[5-9]\d|20\d\d)(?!\w|[.,]\d)")
SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "million": 1e6,
    "mn": 1e6,
    "mln": 1e6,
    "mm": 1e6,
    "m": 1e6,
    "crore": 1e7,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
_NUMBER = r"(\d+(?:[.,]\d+)*)"
_SCALE = r"(?i:\s*-?\s*(thousand|million|billion|trillion|mln|mn|bn|mm|crore|lakh|m|b|k)\b)?"
SIGNS = ("$", "€", "£", "¥", "₹", "USD", "EUR", "GBP", "INR", "Rs")  # "US$", "HK$" end in "$"
_MONEY_BEFORE = (  # a sign or code before the number: "$2.6m", "US$ 137-million", "Rs 5 crore"
    re.compile(r"[$€£¥₹]\s?" + _NUMBER + _SCALE),
    re.compile(r"\b(?:USD|EUR|GBP|INR|Rs\.?)\s?" + _NUMBER + _SCALE),
)
CURRENCIES = ("dollar", "euro", "pound", "sterling", "yen", "rupee", "yuan", "franc")
_MONEY_AFTER = re.compile(  # a currency word after it: "85 million euros", "1,200 dollars"
    r"\b"
    + _NUMBER
    + _SCALE
    + r"\s*-?\s*(?i:dollars|euros?|pounds|sterling|yen|rupees|yuan|francs)\b"
)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
PEOPLE = (  # nouns for people taking part; what happened to them is read around the count
    "people|persons|men|women|children|students|workers|miners|passengers|crew|crewmen|"
    "sailors|fishermen|tourists|climbers|migrants|refugees|pirates|suspects|gunmen|"
    "militants|rebels|hostages|prisoners|inmates|protesters|soldiers|troops|civilians|"
    "police|policemen|officers|candidates"
)
_COUNT = re.compile(r"\b(\d{1,3}(?:,\d{3})*)\s+(?:[A-Za-z]+\s+)?(?i:" + PEOPLE + r")\b")
_TOLL_AFTER = re.compile(
    r"(?i)\s*(?:\w+\s+){0,2}?(?:dead|died|killed|injured|wounded|hurt|missing)\b"
)
_TOLL_BEFORE = re.compile(
    r"(?i)(?:kill|injur|wound|dead|death|toll|hurt|leaving|claim)\w*\s+"
    r"(?:at\s+least\s+|about\s+|some\s+|more\s+than\s+|nearly\s+|up\s+to\s+)?$"
)
MONTHS = {  # name -> number; "May" is never read (it is also a verb)
    name: number
    for number, name in enumerate(
        "January February March April May June July August September October November"
        " December".split(),
        1,
    )
    if name != "May"
}
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b")
_MAGNITUDE = (  # "magnitude 6.1", "magnitude-5.9", "a 5.6 -magnitude", "5.6 on the Richter"
    re.compile(
        r"(?i)\bmagnitude(?:\s*-\s*|\s+of\s+|\s+)(?:at least\s+|about\s+|around\s+)?(\d\.\d)\b"
    ),
    re.compile(r"(?i)\b(\d\.\d)\s*-?\s*magnitude\b"),
    re.compile(r"(?i)\b(\d\.\d)\s+(?:on the )?richter\b"),
    re.compile(r"(?i)\bmeasuring\s+(?:at least\s+)?(\d\.\d)\b"),
)
_MAGNITUDE_WORDS = ("magnitude", "richter", "measuring")
_NEAR = 40  # characters either side of such a word that a pattern may reach


def _amount(number: str, scale: str) -> int | None:
    """The sum as an integer of two significant digits ("2.63", "million" -> 2,600,000)."""
    if _THOUSANDS.fullmatch(number):
        number = number.replace(",", "")
    else:
        number = number.replace(",", ".")  # "2,6 millions": a decimal comma
    try:
        value = float(number) * SCALE.get(scale.lower(), 1.0)
    except ValueError:  # "1.2.3"
        return None
    if not 1.0 <= value < 1e15:
        return None
    step = 10.0 ** (math.floor(math.log10(value)) - 1)
    return int(round(value / step) * step)


def facts(title: str, text: str) -> np.ndarray:
    """The article's facts as sorted distinct keys (int64); empty if it states none."""
    body = f"{title}\n{text[:MAX_CHARS]}"
    keys = {KINDS.index("year") << _SHIFT | int(y) for y in _YEAR.findall(body)}
    money = KINDS.index("money") << _SHIFT
    found = []  # cheap looks first: most articles name no sum
    if any(sign in body for sign in SIGNS):
        for pattern in _MONEY_BEFORE:
            found += pattern.findall(body)
    low = body.lower()
    if any(word in low for word in CURRENCIES):
        found += _MONEY_AFTER.findall(body)
    for number, scale in found:
        amount = _amount(number, scale)
        if amount is not None:
            keys.add(money | amount)
    keys.update(KINDS.index("count") << _SHIFT | n for n in _counts(body))
    month = KINDS.index("month") << _SHIFT
    keys.update(month | MONTHS[m] for m in _MONTH.findall(body))
    magnitude = KINDS.index("magnitude") << _SHIFT
    keys.update(magnitude | m for m in _magnitudes(body, low))
    return np.array(sorted(keys), dtype=np.int64)


def _magnitudes(body: str, low: str) -> set[int]:
    """Quake magnitudes in tenths, looked for only around the words that announce one
    (the patterns, over a whole text, cost more than all the other kinds together)."""
    out = set()
    for word in _MAGNITUDE_WORDS:
        at = low.find(word)
        while at >= 0:
            lo, hi = max(0, at - _NEAR), min(len(body), at + len(word) + _NEAR)
            for pattern in _MAGNITUDE:
                out.update(round(float(v) * 10) for v in pattern.findall(body, lo, hi))
            at = low.find(word, at + 1)
    return out


def _counts(body: str) -> set[int]:
    """The numbers of people involved, leaving out tolls (a count with "dead", "killed",
    "injured" ... just after it, or "killing", "death toll", "leaving" ... just before)."""
    out = set()
    for m in _COUNT.finditer(body):
        if _TOLL_AFTER.match(body, m.end()) or _TOLL_BEFORE.search(
            body, max(0, m.start() - 40), m.start()
        ):
            continue
        out.add(int(m.group(1).replace(",", "")))
    return out


def described(keys: np.ndarray) -> list[tuple[str, int]]:
    """(kind, value) of each key, for reading and tests."""
    return [(KINDS[int(k) >> _SHIFT], int(k) & _VALUE) for k in keys.tolist()]


def disagreements(per_article: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
    """Per kind, which pairs of these articles are comparable and which disagree: two
    float arrays of shape (kinds, n, n), 1.0 where true; None when no pair is comparable."""
    n = len(per_article)
    lengths = np.fromiter((len(f) for f in per_article), dtype=np.int64, count=n)
    if np.count_nonzero(lengths) < 2:
        return None
    keys = np.concatenate(per_article)
    rows = np.repeat(np.arange(n), lengths)
    values, column = np.unique(keys, return_inverse=True)
    kind_of = values >> _SHIFT
    comparable = np.zeros((len(KINDS), n, n))
    disagree = np.zeros((len(KINDS), n, n))
    stated = np.zeros((n, len(values)))  # article x value
    stated[rows, column] = 1.0
    for k in np.unique(kind_of).tolist():
        held = stated[:, kind_of == k]
        states = held.any(axis=1)
        both = np.outer(states, states)
        np.fill_diagonal(both, False)
        comparable[k] = both
        disagree[k] = both & ((held @ held.T) == 0)
    if not comparable.any():
        return None
    return comparable, disagree
