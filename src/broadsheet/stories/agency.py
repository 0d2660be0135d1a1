"""Agency credit: which news agency a text says it comes from (byline, dateline, sign-off).

Site-specific knowledge is data: ``AGENCIES`` maps an agency to the ways outlets credit
it. A credit is searched in the byline, the first ``HEAD`` characters (datelines such as
"PARIS (AFP) -") and the last ``TAIL`` characters (sign-offs such as "- Reuters" or
"(Reporting by ...; Editing by ...)").
"""

from __future__ import annotations

import re

HEAD = 300
TAIL = 300

AGENCIES: dict[str, tuple[str, ...]] = {
    "AFP": (r"\bAFP\b", r"Agence France[- ]Presse"),
    "AP": (r"\(AP\)", r"\bAP\b\s*[—–-]", r"[—–-]\s*AP\b", r"Associated Press"),
    "Reuters": (r"\bReuters\b", r"Reporting by [^;]{1,80};\s*(?i:additional reporting|editing) by"),
    "dpa": (r"\bdpa\b", r"Deutsche Presse-Agentur"),
    "EFE": (r"\bEFE\b", r"Agencia EFE"),
    "ANSA": (r"\bANSA\b",),
    "TASS": (r"\bTASS\b", r"\bИТАР-ТАСС\b"),
    "RIA Novosti": (r"\bRIA Novosti\b",),
    "Xinhua": (r"\bXinhua\b",),
    "Kyodo": (r"\bKyodo\b",),
    "Yonhap": (r"\bYonhap\b",),
    "PTI": (r"\(PTI\)", r"\bPress Trust of India\b"),
    "ANI": (r"\(ANI\)", r"\bAsian News International\b"),
    "AAP": (r"\bAAP\b", r"Australian Associated Press"),
    "Anadolu": (r"\bAnadolu Agency\b", r"\bAA\)"),
    "UPI": (r"\bUPI\b", r"United Press International"),
    "Europa Press": (r"\bEuropa Press\b",),
    "APA": (r"\bAPA\b\s*[—–-]", r"\(APA\)"),
    "Belga": (r"\bBelga\b",),
    "ANP": (r"\bANP\b",),
    "PAP": (r"\(PAP\)",),
    "CTK": (r"\bČTK\b", r"\bCTK\b"),
    "Lusa": (r"\bLusa\b",),
    "Ukrinform": (r"\bUkrinform\b",),
    "KNA": (r"\bKNA\b",),
    "PA": (r"\bPA Media\b", r"\(PA\)"),
    "Canadian Press": (r"\bThe Canadian Press\b",),
}
_HINT = re.compile(r"(?<!\\)[^\W\d_]{2,}")
# each pattern with a literal it cannot match without, tested first (a plain substring
# test is far cheaper than a regular expression, and most texts credit no agency)
_PATTERNS = [
    (name, _HINT.findall(p)[0], re.compile(p)) for name, ps in AGENCIES.items() for p in ps
]


def agency_credit(text: str, author: str | None = None) -> str | None:
    """The agency credited for ``text``, or None. The byline wins, then the dateline."""
    for where in (author or "", text[:HEAD], text[-TAIL:]):
        if not where:
            continue
        found = [
            (m.start(), name)
            for name, hint, pattern in _PATTERNS
            if hint in where and (m := pattern.search(where))
        ]
        if found:
            return min(found)[1]  # the leftmost credit
    return None
