"""Page HTML -> a clean, attributed Article. Pure: no network, no database.

The cascade, in order, within a time budget (``budget.py``):
 1. decode the bytes honestly (BOM, then the declared charset, then UTF-8 with
    replacement) after trimming the page to ``max_bytes``;
 2. parse once with lxml; read what trafilatura does not give (rel=canonical, html lang,
    og:locale, JSON-LD);
 3. trafilatura (standard mode, tables, no comments): body as XML blocks plus metadata;
    hidden elements are pruned first;
 4. blocks -> paragraphs; an outlet + date line glued at the top read as metadata
    (``glued.py``); the headline, byline and date lines removed from the top; metadata
    lines, cross-links and calls to action dropped (``cleanup.py``): the page-level body,
    which ``unfiltered_html`` keeps. Then ``site.finish``: the outlet's learned boundary and
    teasers of its other articles (when ``site`` is given), furniture (the phrase table,
    and the outlet's learned blocks when a ``LearnedFurniture`` is given), the headline
    once more, the end-of-article section (``cleanup.cut_tail``); the standfirst put back
    (``lead.py``);
 5. when that under-delivers: readability, JSON-LD articleBody and the feed's content
    compete, the best by a measured score wins, and its name is recorded (``strategies.py``);
 6. title (``titles.py``), author, dates by locale, modified date (``dates.py``),
    language, with the feed entry as fallback;
 7. text, sanitized HTML, description, canonical URL and content hash.
"""

from __future__ import annotations

import codecs
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import html as lxml_html
from trafilatura.metadata import Document, extract_metadata
from trafilatura.utils import load_html

from broadsheet.errors import ExtractError
from broadsheet.extract import cleanup
from broadsheet.extract import metadata as meta
from broadsheet.extract.blocks import Block, feed_blocks, render, xml_blocks
from broadsheet.extract.budget import DEFAULT_BUDGET, Budget, hard_limit
from broadsheet.extract.canonical import canonical_url, content_hash
from broadsheet.extract.dates import find_dates, jsonld_articles
from broadsheet.extract.furniture import FurnitureFilter, drop_furniture
from broadsheet.extract.glued import parse_glued
from broadsheet.extract.lead import find_lead, lead_after_headline
from broadsheet.extract.sanitize import clean_text
from broadsheet.extract.site import SiteRules, apply_furniture, finish
from broadsheet.extract.strategies import (
    Candidate,
    choose,
    jsonld_blocks,
    readability_blocks,
    under_delivers,
    visible_text_chars,
)
from broadsheet.extract.titles import pick_title
from broadsheet.ingest.urls import absolute_url
from broadsheet.models import Article, FeedEntry

DESCRIPTION_CHARS = 280
# Plain trafilatura on trafilatura-eval (990 pages, segment F, measured 2026-11-29):
#   standard (fast=False)  F 0.926   fast 0.920   favor_precision 0.922   favor_recall 0.920
# Standard mode is the best base; Broadsheet's cleanup on top wins back precision (the
# precision modes cost more recall than they save, and combining them gained nothing).
TRAFILATURA_OPTIONS: dict[str, bool] = {
    "fast": False,
    "favor_precision": False,
    "include_comments": False,
    "include_tables": True,
}
# The headline, a byline, a kicker or a date line are looked for in this many top blocks.
HEAD_BLOCKS = 4
HIDDEN_XPATH = [
    "//*[@hidden]",
    "//*[contains(translate(@style, ' ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'display:none')]",
    "//*[contains(translate(@style, ' ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),"
    " 'visibility:hidden')]",
]
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip
# WHATWG: these labels mean windows-1252; a UTF-16 label in a meta tag means UTF-8.
_CHARSET_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
                    "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}  # fmt: skip
_HOSTNAME = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.I)


def _codec(label: str | bytes | None) -> str | None:
    if isinstance(label, bytes):
        label = label.decode("ascii", errors="replace")
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name if label else None
    except LookupError:
        return None
    return _CHARSET_ALIASES.get(name, name) if name else None


def decode_html(
    data: bytes | str, max_bytes: int = 3_000_000, *, encoding: str | None = None
) -> str:
    """Trim to ``max_bytes`` (at a tag boundary when possible) and decode honestly:
    a BOM, else the HTTP header's charset (``encoding``), else the page's meta charset,
    else UTF-8; undecodable bytes become U+FFFD."""
    if len(data) > max_bytes and isinstance(data, str):
        cut = data.rfind("<", max_bytes // 2, max_bytes)
        return data[: cut if cut > 0 else max_bytes]
    if isinstance(data, str):
        return data
    if len(data) > max_bytes:
        cut = data.rfind(b"<", max_bytes // 2, max_bytes)
        data = data[: cut if cut > 0 else max_bytes]
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, errors="replace")
    match = _META_CHARSET.search(data[:4096])
    chosen = _codec(encoding) or _codec(match.group(1) if match else None) or "utf-8"
    return data.decode(chosen, errors="replace")


def _first(tree: lxml_html.HtmlElement, xpath: str) -> str | None:
    values = tree.xpath(xpath)
    if isinstance(values, str):
        return values.strip() or None
    return str(values[0]).strip() if values else None


def _is_byline(line: str, author: str | None) -> bool:
    """ "By Jane Doe | Staff writer" -- but not "By noon the pier was full." """
    prefix = meta.BYLINE_PREFIX.match(line)
    if not prefix or len(line.split()) > 12:
        return False
    if author:
        return meta.clean_author(line) == author
    words = line[prefix.end() :].split()
    return 0 < len(words) <= 6 and all(w[0].isupper() for w in words if w[0].isalpha())


def _drop_headline(blocks: list[Block], title: str, author: str | None) -> list[Block]:
    """Remove the headline (and a byline, a lone date or kicker line) from the top of the
    body: the title is shown exactly once."""
    out = list(blocks)
    for _ in range(HEAD_BLOCKS):
        if not out:
            break
        first = out[0].text
        if (
            cleanup.is_headline(first, title)
            or _is_byline(first, author)
            or cleanup.is_metadata_line(first)
        ):
            out.pop(0)
        else:
            break
    return out


def _page_clean(blocks: list[Block], title: str, author: str | None) -> list[Block]:
    """Page-level rules that keep the body's shape: the headline once, metadata lines,
    cross-links and calls to action, the author's closing biography. Furniture (the
    phrase table's too) and the end of the article come in ``site.finish``: an outlet's
    "Related articles" heading is where its articles end, which its learned boundaries
    need to see."""
    kept = cleanup.drop_metadata_lines(_drop_headline(blocks, title, author))
    return cleanup.drop_author_bio(kept, author)


def _glued_head(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """An outlet + date line glued at the top ("Arab News04-06-2025") is metadata: the
    blocks without it, and the outlet's name it credits."""
    for i, block in enumerate(blocks[: HEAD_BLOCKS + 1]):
        glued = parse_glued(block.text)
        if glued:
            return blocks[:i] + blocks[i + 1 :], glued.outlet
    return blocks, None


def describe(blocks: list[Block]) -> str | None:
    """The first real paragraph, cut at a word to DESCRIPTION_CHARS."""
    paragraphs = [b.text for b in blocks if b.kind in ("p", "blockquote")] or [
        b.text for b in blocks
    ]
    if not paragraphs:
        return None
    first = next((p for p in paragraphs if len(p) >= 60), paragraphs[0])
    first = clean_text(first)
    if len(first) <= DESCRIPTION_CHARS:
        return first
    cut = first[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def _text_length(blocks: list[Block]) -> int:
    return sum(len(b.text) for b in blocks)


def _date_params() -> dict[str, object]:
    # No "extensive" search: it turns "© 2025" into 1 January, worse than no date.
    max_date = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    return {"original_date": True, "extensive_search": False, "max_date": max_date,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z"}  # fmt: skip


def _head(tree: lxml_html.HtmlElement) -> dict[str, str | None]:
    return {
        "canonical": _first(tree, "//link[translate(@rel, 'CANONICAL', 'canonical')"
                                  "='canonical']/@href")
        or _first(tree, "//meta[@property='og:url']/@content"),
        "lang": tree.get("lang") or _first(tree, "//meta[@http-equiv='content-language']"
                                                 "/@content")
        or _first(tree, "//meta[@property='og:locale']/@content"),
        "locale": _first(tree, "//meta[@property='og:locale']/@content") or tree.get("lang"),
    }  # fmt: skip


def _read_page(url: str, tree: lxml_html.HtmlElement | None) -> tuple[Document | None, list[Block]]:
    """trafilatura on its own copy of the tree: body blocks and metadata."""
    if tree is None:
        return None, []
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, prune_xpath=HIDDEN_XPATH,
        date_extraction_params=_date_params(), **TRAFILATURA_OPTIONS,
    )  # fmt: skip
    if isinstance(doc, Document):
        return doc, xml_blocks(doc.body)
    # no body: metadata still names and dates the article
    return extract_metadata(tree, url, _date_params()), []


def _publisher(jsonld: list[dict[str, object]]) -> str | None:
    """The outlet's name from the article's JSON-LD publisher, when it is a name."""
    for obj in jsonld:
        publisher = obj.get("publisher")
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        name = publisher.get("name") if isinstance(publisher, dict) else None
        if isinstance(name, str):
            name = clean_text(name)[:200]
            if name and not _HOSTNAME.match(name):
                return name
    return None


def extract(
    url: str,
    html: bytes | str,
    *,
    entry: FeedEntry | None = None,
    max_bytes: int = 3_000_000,
    encoding: str | None = None,
    furniture: FurnitureFilter = drop_furniture,
    budget: float | None = DEFAULT_BUDGET,
    site: SiteRules | None = None,
) -> Article:
    """Turn a fetched page into an Article; the feed entry fills what the page lacks.

    ``encoding`` is the charset of the HTTP Content-Type header, if any; ``furniture``
    filters the body's paragraphs (pass the outlet's ``LearnedFurniture``); ``budget`` is
    the time allowed, in seconds (None: unbounded); ``site`` is what the outlet's other
    pages taught (boundaries, date order, its recent articles: ``SiteRules``). Raises
    ExtractError when neither the page nor the feed yields text, or when the budget runs
    out.
    """
    clock = Budget(budget)
    with hard_limit(budget, url):
        return _extract(url, html, entry, max_bytes, encoding, furniture, clock, site)


def _extract(
    url: str,
    html: bytes | str,
    entry: FeedEntry | None,
    max_bytes: int,
    encoding: str | None,
    furniture: FurnitureFilter,
    clock: Budget,
    site: SiteRules | None = None,
) -> Article:
    text = decode_html(html, max_bytes, encoding=encoding)
    tree = load_html(text) if text.strip() else None
    head = _head(tree) if tree is not None else {}
    doc, raw_blocks = _read_page(url, tree)
    raw_blocks, credited = _glued_head(raw_blocks)
    jsonld = jsonld_articles(tree) if tree is not None else []
    site_name = clean_text(doc.sitename if doc else None)[:200] or None
    if site_name and (
        _HOSTNAME.match(site_name) or site_name.lower() == urlsplit(url).netloc.lower()
    ):
        site_name = None  # trafilatura's fallback from a URL (even <base href>), not a name
    site_name = site_name or _publisher(jsonld) or credited
    title = pick_title(tree, jsonld, doc.title if doc else None, site_name, url)
    title = title or clean_text(entry.title if entry else "")[: meta.MAX_TITLE_CHARS]
    author = meta.clean_author(doc.author if doc else None, site_name) or meta.clean_author(
        entry.author if entry else None, site_name
    )

    def headline(blocks: list[Block]) -> list[Block]:
        return _drop_headline(blocks, title, author)

    def clean(blocks: list[Block]) -> list[Block]:
        return finish(_page_clean(blocks, title, author), furniture=furniture, site=site,
                      url=url, title=title, headline=headline)  # fmt: skip

    # the page as trafilatura sees it, plus the standfirst it left out
    blocks = clean(raw_blocks)
    lead = None
    if tree is not None and clock.spent_share() < 0.5:
        body_text = "\n".join(b.text for b in blocks)

        def usable(lead: str | None) -> str | None:
            bad = lead and (cleanup.is_noise(lead) or cleanup.is_headline(lead, title)
                            or not furniture([lead]))  # fmt: skip
            return None if bad else lead

        lead = usable(find_lead(tree, body_text)) or usable(
            lead_after_headline(tree, title, body_text)
        )
        if lead:
            blocks.insert(0, Block("p", lead))
    best = Candidate("trafilatura", blocks)
    from_feed = clean(feed_blocks(entry))
    visible = visible_text_chars(tree) if tree is not None else 0
    if under_delivers(best.chars, visible, _text_length(from_feed)) and clock.spent_share() < 0.5:
        others = []
        if tree is not None:
            others += [("readability", lambda: readability_blocks(tree)),
                       ("jsonld", lambda: jsonld_blocks(tree, jsonld))]  # fmt: skip
        others.append(("feed", lambda: feed_blocks(entry)))
        best = choose(best, others, clean)
    if not best.blocks:
        raise ExtractError(f"extract {url}: no article text on the page or in the feed")
    text, body_html = render(best.blocks)
    unfiltered_html = None
    if furniture is not drop_furniture or site is not None:
        # the body after the page-level rules only: what the learners count and what a
        # later re-clean (``site.finish`` with what the outlet taught by then) starts from
        unfiltered = _page_clean(raw_blocks, title, author) if best.name == "trafilatura" else []
        if best.name == "trafilatura" and lead:
            unfiltered.insert(0, Block("p", lead))
        if best.name != "trafilatura":
            unfiltered = best.blocks
        unfiltered_html = render(unfiltered)[1] if unfiltered else body_html

    language = meta.normalize_language(head.get("lang")) or meta.normalize_language(
        entry.language if entry else None
    )
    dates = find_dates(
        tree, url, htmldate_value=doc.date if doc else None, language=head.get("lang"),
        locale=head.get("locale"), visible_text=None, date_order=site and site.date_order,
        jsonld=jsonld,
    )  # fmt: skip
    published = meta.pick_date(dates.published, entry.published if entry else None)
    image = absolute_url(url, doc.image if doc else None) or absolute_url(
        url, entry.image if entry else None
    )
    return Article(
        url=url,
        canonical_url=canonical_url(url, head.get("canonical")),
        title=title or _fallback_title(text),
        text=text,
        html=body_html,
        author=author,
        published=published,
        modified=dates.modified,
        language=language,
        site_name=site_name,
        image=image,
        description=describe(best.blocks),
        extraction=best.name,
        content_hash=content_hash(text),
        unfiltered_html=unfiltered_html,
        printed_date=dates.printed,
    )


def _fallback_title(text: str) -> str:
    words = clean_text(text).split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def extract_from_entry(entry: FeedEntry, *, furniture: FurnitureFilter = drop_furniture) -> Article:
    """An Article from the feed alone, for when the page cannot be fetched."""
    title = clean_text(entry.title)[: meta.MAX_TITLE_CHARS]
    author = meta.clean_author(entry.author)
    blocks = _drop_headline(apply_furniture(feed_blocks(entry), furniture), title, author)
    if not blocks:
        raise ExtractError(f"extract {entry.url}: the feed entry carries no text")
    text, body_html = render(blocks)
    return Article(
        url=entry.url,
        canonical_url=canonical_url(entry.url),
        title=title or _fallback_title(text),
        text=text,
        html=body_html,
        author=author,
        published=meta.plausible_date(entry.published),
        language=meta.normalize_language(entry.language),
        image=absolute_url(entry.url, entry.image),
        description=describe(blocks),
        extraction="feed",
        content_hash=content_hash(text),
    )


def timed_extract(*args: Any, **kwargs: Any) -> tuple[Article, float]:
    """``extract`` as a worker process runs it: the article and the seconds spent on it.

    It lives here, not in the orchestrator, because a process pool imports the module of
    the function it runs: ``broadsheet.pipeline`` would bring the stories stage
    (scikit-learn, SciPy: ~130 MB) into every extraction process."""
    start = time.perf_counter()
    article = extract(*args, **kwargs)
    return article, time.perf_counter() - start
