"""Attribution fields cleaned up: titles, bylines, dates, languages.

Everything here takes untrusted strings and returns clean values or None; no parsing of
whole pages (article.py does that once).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from broadsheet.extract.sanitize import clean_text

MAX_TITLE_CHARS = 300
MAX_AUTHOR_CHARS = 120
MAX_AUTHOR_NAME_CHARS = 60
MAX_AUTHORS = 4
MIN_YEAR = 1990
FUTURE_TOLERANCE = timedelta(days=1)
# A date without a time of day is placed at noon UTC: the same calendar day from UTC-11
# to UTC+11, so readers do not see it a day early or late.
DATE_ONLY_TIME = time(12, 0, tzinfo=UTC)

TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", " // ")
BYLINE_PREFIX = re.compile(r"^(?:by|from|von|vom|par|por|di|door|av|af|de|autor(?:in)?:?|"
                           r"author:?|written by)\s+", re.IGNORECASE)  # fmt: skip
# what a comment widget or a CMS puts where a name should be
NOT_A_NAME = re.compile(r"^(no author|name|admin|wordpressadmin|administrator|anonymous|"
                        r"unknown|guest|editor|user)$", re.IGNORECASE)  # fmt: skip
_SAYS = re.compile(r"\s+(says|said|schreibt|sagt)\b.*$", re.IGNORECASE)
AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||·|•|,|&|/|\s-\s|\s–\s|\s—\s|\band\b|\bund\b)\s*")
# Words that make up a role, not a name ("Staff writer", "Political correspondent").
ROLE_WORDS = frozenset(
    """staff writer writers reporter reporters correspondent correspondents editor editors
    senior chief political foreign news desk contributor contributing columnist associate
    deputy business science health sport sports technology tech economics home affairs
    culture opinion in at for the of and team agency agencies online digital web
    redakteur redakteurin redaktion korrespondent korrespondentin autor autorin
    rédaction journaliste redacción""".split()
)
ORGANISATION = re.compile(
    r"\b(gmbh|ag|ltd|limited|inc|llc|plc|verlag|redaktion|editorial|newsroom|"
    r"zeitung|media group|nachrichtenagentur)\b\.?",
    re.IGNORECASE,
)
POSTS_BY = re.compile(r"^\s*(view|see|read)?\s*(all|more)?\s*(posts|articles|stories)\s+by\s+",
                      re.IGNORECASE)  # fmt: skip
_URL_OR_EMAIL = re.compile(r"\S*(?:://|@|www\.)\S*")
LANG_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*$")


def strip_site_suffix(title: str, site_name: str | None, url: str) -> str:
    """ "Headline | Site Name" -> "Headline" (also " - Site" when it names the site)."""
    title = clean_text(title)[:MAX_TITLE_CHARS].strip()
    host = (urlsplit(url).hostname or "").removeprefix("www.").lower()
    host_label = host.split(".")[0] if host else ""
    names = {n for n in (clean_text(site_name).lower(), host, host_label) if n}
    for sep in TITLE_SEPARATORS:
        head, found, tail = title.rpartition(sep)
        if not found or not head.strip():
            continue
        tail_key = tail.strip().lower()
        compact = re.sub(r"[^\w]", "", tail_key)
        names_match = tail_key in names or any(re.sub(r"[^\w]", "", n) == compact for n in names)
        # a pipe is furniture in a title; a dash only when it names the site
        if names_match or (sep == " | " and len(tail) <= 40 and len(tail) < len(head)):
            return head.strip()
    return title


def _is_organisation(name: str, site_name: str | None) -> bool:
    key = re.sub(r"[^\w]", "", name.lower())
    if site_name and key == re.sub(r"[^\w]", "", site_name.lower()):
        return True
    return ORGANISATION.search(name) is not None


def clean_author(raw: str | None, site_name: str | None = None) -> str | None:
    """ "By Jane Doe | Staff writer" -> "Jane Doe"; several names joined with ", ".

    The outlet itself ("Frankfurter Allgemeine Zeitung GmbH", the site's name) and
    "View all posts by" prefixes are not bylines."""
    if not raw:
        return None
    text = _URL_OR_EMAIL.sub(" ", clean_text(raw[: MAX_AUTHOR_CHARS * 4]))
    text = POSTS_BY.sub("", text)
    names: list[str] = []
    for part in AUTHOR_SPLIT.split(text):
        name = _SAYS.sub("", BYLINE_PREFIX.sub("", part.strip(" .:-–—")).strip())
        words = name.lower().split()
        if (
            not name
            or len(name) > MAX_AUTHOR_NAME_CHARS
            or not any(ch.isalpha() for ch in name)
            or all(w.strip(".") in ROLE_WORDS for w in words)
            or name in names
            or _is_organisation(name, site_name)
            or NOT_A_NAME.match(name) is not None
        ):
            continue
        names.append(name)
    result = ""
    for name in names[:MAX_AUTHORS]:
        candidate = f"{result}, {name}" if result else name
        if len(candidate) > MAX_AUTHOR_CHARS:
            break
        result = candidate
    return result or None


def parse_date(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """An ISO-like date string -> aware UTC datetime, or None when impossible."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    date_only = len(value) <= 10 or (parsed.tzinfo is None and parsed.time() == time(0, 0))
    if date_only:
        parsed = datetime.combine(parsed.date(), DATE_ONLY_TIME)
    elif parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return plausible_date(parsed.astimezone(UTC), now=now)


def is_date_only(value: datetime) -> bool:
    return value.timetz() == DATE_ONLY_TIME


def plausible_date(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """None for dates before MIN_YEAR or more than a day in the future."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if value.year < MIN_YEAR or value > now + FUTURE_TOLERANCE:
        return None
    return value.astimezone(UTC)


def pick_date(page: datetime | None, feed: datetime | None) -> datetime | None:
    """The page's original date wins; the feed's when the page knows only the day and
    the feed's timestamp falls on (about) that day, or when the page has none."""
    feed = plausible_date(feed)
    if page is None:
        return feed
    if feed is not None and is_date_only(page) and abs(feed - page) <= timedelta(hours=14):
        return feed
    return page


def normalize_language(tag: str | None) -> str | None:
    """ "en-GB" -> "en"; None for anything that is not a language tag."""
    match = LANG_TAG.match(clean_text(tag)) if tag else None
    return match.group(1).lower() if match else None
