"""Publication and modification dates, with the day/month order taken from the page.

Sources, most trusted first:

* structured: meta tags (``article:published_time``, ``itemprop=datePublished``, Dublin
  Core...), JSON-LD ``datePublished`` of the article object, ``<time datetime>``, and
  htmldate's original-date search as trafilatura runs it (no "extensive" guessing);
* the dateline: dates printed near the headline ("12. Juni 2025", "04-06-2025");
* the URL (``/2025/06/12/``; not an archive's snapshot stamp), then htmldate's extensive
  search (a 1 January found this way is a copyright year, not a day).

A dateline date that a structured source confirms wins; see :func:`find_dates`.

A numeric date whose day and month could be swapped (04-06-2025) is read day first unless
the page's locale is one that writes month first (en-US and a few others): an English
page from a Middle East outlet means 4 June. No date more than a small clock skew in the
future is ever returned, nor one before 1990. The modified date is kept separately and is
never taken for the publication date.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from dateparser import DateDataParser

CLOCK_SKEW = timedelta(days=1)
MIN_YEAR = 1990
DATE_ONLY_TIME = time(12, 0)
MAX_JSONLD_CHARS = 200_000
TEXT_SCAN_CHARS = 6000
# Locales that write the month first in numeric dates.
MONTH_FIRST_REGIONS = frozenset({"us", "ph", "fm", "mh", "pw", "as", "gu", "mp", "pr", "vi", "um"})

_ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting",
                  "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
                  "backgroundnewsarticle", "liveblogposting", "techarticle", "scholarlyarticle",
                  "report", "posting", "socialmediaposting")  # fmt: skip
_PUBLISHED_META = (
    "article:published_time", "og:published_time", "article:published", "published_time",
    "datepublished", "pubdate", "publishdate", "publish-date", "publish_date", "date",
    "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "citation_publication_date", "article.published",
    "originalpublicationdate", "cxenseparse:recs:publishtime", "dc.date.created",
)  # fmt: skip
_MODIFIED_META = (
    "article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "last-modified", "dcterms.modified", "dc.date.modified", "lastmod", "modified_time",
)  # fmt: skip

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier janv enero ene gennaio gen janeiro stycznia styczeń "
        "jänner januari tammikuu",
        "february feb februar février févr fevrier febrero febbraio fevereiro lutego luty "
        "februari helmikuu",
        "march mar märz maerz mars marzo março marca marzec maart maaliskuu",
        "april apr avril abril aprile kwietnia kwiecień huhtikuu",
        "may mai mayo maggio maio maja maj mei toukokuu",
        "june jun juni juin junio giugno junho czerwca czerwiec kesäkuu",
        "july jul juli juillet juil julio luglio julho lipca lipiec heinäkuu",
        "august aug août aout agosto sierpnia sierpień augustus elokuu",
        "september sep sept septembre septiembre settembre setembro września wrzesień syyskuu",
        "october oct okt oktober octobre octubre ottobre outubro października październik lokakuu",
        "november nov novembre noviembre novembro listopada listopad marraskuu",
        "december dec dez dezember décembre decembre diciembre dic dicembre dezembro grudnia "
        "grudzień joulukuu",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$|\d{0,6}[/_.-])"
)
_URL_DATE_SLASHED = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")
_NUMERIC = re.compile(
    r"(?<![\d.:/-])(\d{1,2})([./-])(\d{1,2})\2((?:19|20)\d{2}|\d{2})(?![\d/-]|\.\d)"
)
_ISO_TEXT = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
_DAY_MONTH = re.compile(
    rf"(?<!\w)(\d{{1,2}})\.?\s*(?:de\s+)?({_MONTH_RE})\.?,?\s*(?:de\s+)?((?:19|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"(?<!\w)({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{{2}})(?!\d)",
    re.IGNORECASE,
)


@dataclass
class PageDates:
    published: datetime | None = None  # aware; in the page's own offset when it gave one
    modified: datetime | None = None
    source: str | None = None  # jsonld | meta | url | htmldate | text
    printed: str | None = None  # the first numeric date printed near the headline, as shown


def month_first(language: str | None, locale: str | None) -> bool:
    """True when the page's locale writes numeric dates month first (en-US)."""
    for tag in (locale, language):
        if not tag:
            continue
        parts = re.split(r"[-_]", tag.strip().lower())
        if len(parts) >= 2 and parts[-1] in MONTH_FIRST_REGIONS:
            return True
        if len(parts) >= 2:
            return False  # a region was given, and it writes the day first
    return False


def _plausible(value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    if aware.year < MIN_YEAR or aware.astimezone(UTC) > now + CLOCK_SKEW:
        return None
    return aware


def parse_iso(value: str | None, now: datetime | None = None) -> datetime | None:
    """An ISO-8601-like stamp -> aware datetime in its own offset (date only: noon UTC)."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()[:40]
    now = now or datetime.now(UTC)
    match = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2}))?"
                     r"(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?", value)  # fmt: skip
    if not match:
        return None
    y, mo, d, hh, mm, ss, tz = match.groups()
    midnight = hh is not None and tz is None and int(hh) == int(mm) == int(ss or 0) == 0
    try:
        if hh is None or midnight:  # a day without a time of day
            parsed = datetime.combine(date(int(y), int(mo), int(d)), DATE_ONLY_TIME, tzinfo=UTC)
        else:
            zone: timezone = UTC
            if tz and tz != "Z":
                sign = -1 if tz[0] == "-" else 1
                digits = tz[1:].replace(":", "")
                hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
                if hours > 14 or minutes > 59:
                    return None
                zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
            parsed = datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0),
                              tzinfo=zone)  # fmt: skip
    except ValueError:
        return None
    return _plausible(parsed, now)


def _make(y: int, m: int, d: int, now: datetime) -> datetime | None:
    if y < 100:
        y += 2000 if y <= (now.year % 100) else 1900
    try:
        value = datetime.combine(date(y, m, d), DATE_ONLY_TIME, tzinfo=UTC)
    except ValueError:
        return None
    return _plausible(value, now)


def parse_numeric(a: int, b: int, y: int, *, us_order: bool, now: datetime) -> datetime | None:
    """a-b-y: day first unless the locale is month first; an impossible order is swapped."""
    if a > 12 and b <= 12:
        return _make(y, b, a, now)
    if b > 12 and a <= 12:
        return _make(y, a, b, now)
    return _make(y, a, b, now) if us_order else _make(y, b, a, now)


def text_dates(text: str, *, us_order: bool, now: datetime) -> list[datetime]:
    """Every date written in ``text``, in order of appearance."""
    found: list[tuple[int, datetime]] = []
    for m in _ISO_TEXT.finditer(text):
        value = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), now)
        if value:
            found.append((m.start(), value))
    for m in _NUMERIC.finditer(text):
        value = parse_numeric(int(m.group(1)), int(m.group(3)), int(m.group(4)),
                              us_order=us_order, now=now)  # fmt: skip
        if value:
            found.append((m.start(), value))
    for m in _DAY_MONTH.finditer(text):
        value = _make(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)), now)
        if value:
            found.append((m.start(), value))
    for m in _MONTH_DAY.finditer(text):
        value = _make(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)), now)
        if value:
            found.append((m.start(), value))
    return [v for _, v in sorted(found, key=lambda p: p[0])]


def url_date(url: str, now: datetime) -> datetime | None:
    for pattern in (_URL_DATE, _URL_DATE_SLASHED):
        m = pattern.search(url)
        if m:
            value = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), now)
            if value:
                return value
    return None


def _jsonld_objects(tree: etree._Element) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack and len(out) < 200:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    return out


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def jsonld_articles(tree: etree._Element) -> list[dict[str, Any]]:
    """JSON-LD objects that describe an article, best first (then any other object)."""
    objects = _jsonld_objects(tree)
    articles = [o for o in objects if _types(o) & set(_ARTICLE_TYPES)]
    return articles + [o for o in objects if o not in articles]


def _meta_values(tree: etree._Element, names: tuple[str, ...]) -> list[str]:
    values: list[tuple[int, str]] = []
    wanted = set(names)
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        if key in wanted and el.get("content"):
            values.append((names.index(key), el.get("content") or ""))
    for el in tree.xpath("//*[@itemprop]"):
        key = (el.get("itemprop") or "").lower()
        if key in wanted and el.tag != "meta":
            raw = el.get("datetime") or el.get("content")
            if raw:
                values.append((names.index(key), raw))
    return [v for _, v in sorted(values, key=lambda p: p[0])]


_NOT_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "head", "iframe"})
BEFORE_HEADLINE_CHARS = 300
AFTER_HEADLINE_CHARS = 1500


def dateline_text(tree: etree._Element) -> str:
    """The visible text around the headline (<h1>): where pages print the date."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    pieces: list[str] = []
    length = 0
    mark: int | None = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_TEXT:
            continue
        if el.tag == "h1" and mark is None:
            mark = length
        for piece in (el.text, el.tail):
            if piece and piece.strip():
                pieces.append(piece.strip() + " ")
                length += len(pieces[-1])
        if mark is not None and length > mark + AFTER_HEADLINE_CHARS:
            break
    text = "".join(pieces)
    if mark is None:
        return text[:AFTER_HEADLINE_CHARS]
    return text[max(0, mark - BEFORE_HEADLINE_CHARS) : mark + AFTER_HEADLINE_CHARS]


# htmldate's extensive search hands what its own rules cannot read to dateparser, built
# with every one of its 205 locales: the first such string in a process compiles every
# locale's patterns (3-7 s, issue 16). The page's languages (and English, the language of
# most machine-written stamps) are enough, or the most used ones when the page names none;
# _page_parser below is what htmldate gets.
DATEPARSER_SETTINGS = {  # htmldate 1.11's own (extractors.get_external_parser)
    "NORMALIZE": True, "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past", "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True,
}  # fmt: skip
_PAGE_LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar("page_languages", default=("en",))


COMMON_LANGUAGES = 20  # dateparser's most used languages, for a page that names none


def dateparser_languages(*tags: str | None) -> tuple[str, ...]:
    """English plus the primary language of each tag that dateparser knows ("fr-FR" -> fr);
    its COMMON_LANGUAGES most used ones when no tag names a language it knows."""
    from dateparser.data.languages_info import language_order

    known = set(language_order)
    wanted = ["en"]
    for tag in tags:
        code = re.split(r"[-_]", tag.strip().lower())[0] if tag and tag.strip() else ""
        if code in known and code not in wanted:
            wanted.append(code)
    named = len(wanted) > 1 or any(t and t.strip().lower()[:2] == "en" for t in tags)
    return tuple(wanted) if named else tuple(language_order[:COMMON_LANGUAGES])


@lru_cache(maxsize=64)
def _parser_for(languages: tuple[str, ...]) -> DateDataParser:
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=DATEPARSER_SETTINGS)


def _page_parser() -> DateDataParser:
    return _parser_for(_PAGE_LANGUAGES.get())


def _htmldate_extensive(
    tree: etree._Element, url: str, now: datetime, languages: tuple[str, ...] = ("en",)
) -> datetime | None:
    """htmldate's extensive search, only when nothing better was found. A 1 January it
    finds this way is a copyright year ("© 2025"), not a publication day. Strings only
    dateparser can read are read in ``languages`` (see ``dateparser_languages``)."""
    from copy import deepcopy

    from htmldate import extractors, find_date

    extractors.get_external_parser = _page_parser  # type: ignore[assignment]
    max_date = (now + CLOCK_SKEW).strftime("%Y-%m-%d")
    token = _PAGE_LANGUAGES.set(languages)
    try:
        found = find_date(deepcopy(tree), url=url, original_date=True, extensive_search=True,
                          max_date=max_date)  # fmt: skip
    except Exception:  # a third-party heuristic: any failure means "no date"
        return None
    finally:
        _PAGE_LANGUAGES.reset(token)
    if not found or found[5:10] == "01-01":
        return None
    return parse_iso(found, now)


def find_dates(
    tree: etree._Element | None,
    url: str,
    *,
    htmldate_value: str | None = None,
    language: str | None = None,
    locale: str | None = None,
    visible_text: str | None = None,
    now: datetime | None = None,
    extensive: bool = True,
    date_order: str | None = None,
    jsonld: list[dict[str, Any]] | None = None,
) -> PageDates:
    """Published and modified dates; ``htmldate_value`` is what trafilatura's metadata
    step found (htmldate, original date, no extensive search).

    A date printed near the headline that a structured source confirms (same day) wins:
    metadata often carries several dates (first version, update, republication), the
    dateline shows the one readers see. Otherwise, in order: meta tags, the dateline,
    JSON-LD, <time>, htmldate, the URL, htmldate's extensive search. Order and rule were
    measured on trafilatura-eval's date gold (see bench/extraction.py).

    ``date_order`` ("dmy" or "mdy") is the outlet's own order of numeric dates, learned
    from its other pages (issue 15); it overrides the guess from the page's locale.
    ``jsonld`` is ``jsonld_articles(tree)`` when the caller has it already (parse once)."""
    now = now or datetime.now(UTC)
    result = PageDates()
    meta: datetime | None = None
    ld_date: datetime | None = None
    timed: datetime | None = None
    if tree is not None:
        articles = jsonld if jsonld is not None else jsonld_articles(tree)
        metas = (parse_iso(raw, now) for raw in _meta_values(tree, _PUBLISHED_META))
        meta = next(filter(None, metas), None)
        keys = ("datePublished", "dateCreated")
        jsonlds = (parse_iso(_str(o.get(key)), now) for o in articles for key in keys)
        ld_date = next(filter(None, jsonlds), None)
        times = (parse_iso(el.get("datetime"), now) for el in tree.iter("time"))
        timed = next(filter(None, times), None)
        for obj in articles:
            result.modified = result.modified or parse_iso(_str(obj.get("dateModified")), now)
        for raw in _meta_values(tree, _MODIFIED_META):
            result.modified = result.modified or parse_iso(raw, now)
        if visible_text is None:
            visible_text = dateline_text(tree)
    htmldate = parse_iso(htmldate_value, now)
    us_order = date_order == "mdy" if date_order else month_first(language, locale)
    if visible_text:
        numeric = _NUMERIC.search(visible_text[:TEXT_SCAN_CHARS])
        result.printed = numeric.group(0) if numeric else None
    shown = (
        text_dates(visible_text[:TEXT_SCAN_CHARS], us_order=us_order, now=now)[:3]
        if (visible_text)
        else []
    )
    structured = [(d, src) for d, src in ((meta, "meta"), (ld_date, "jsonld"), (timed, "time"),
                                          (htmldate, "htmldate")) if d is not None]  # fmt: skip
    for day in shown:
        confirmed = next(((d, src) for d, src in structured if d.date() == day.date()), None)
        if confirmed:
            result.published, result.source = confirmed
            break
    if result.published is None:
        ordered = ((meta, "meta"), (shown[0] if shown else None, "text"), (ld_date, "jsonld"),
                   (timed, "time"), (htmldate, "htmldate"))  # fmt: skip
        result.published, result.source = next(
            ((d, src) for d, src in ordered if d is not None), (None, None)
        )
    if result.published is None and "://web.archive.org/" not in url:
        # an archive's snapshot stamp is not the date
        stamp = url_date(url, now)
        result.published, result.source = stamp, "url" if stamp else None
    if result.published is None and tree is not None and extensive:
        stamp = _htmldate_extensive(tree, url, now, dateparser_languages(language, locale))
        result.published, result.source = stamp, "htmldate" if stamp else None
    if result.modified is not None and result.published is not None:
        if result.modified < result.published:
            result.modified = None  # a "modified" before publication is noise
    return result


def _str(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None
