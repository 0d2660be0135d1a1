"""Page HTML -> a clean, attributed Article. Pure: no network, no database.

The cascade, in order:
 1. decode the bytes honestly (BOM, then the declared charset, then UTF-8 with
    replacement) after trimming the page to ``max_bytes``;
 2. parse once with lxml; read what trafilatura does not give (rel=canonical, html lang);
 3. trafilatura: body as XML blocks plus title, author, date (htmldate, original date),
    site name and image; hidden elements are pruned first;
 4. blocks -> paragraphs; furniture dropped (``drop_furniture``, replaceable); the
    headline and byline removed from the top of the body;
 5. the feed's own content replaces a missing or much shorter body ("feed");
 6. title, author, date, language cleaned, with the feed entry as fallback;
 7. text, sanitized HTML, description, canonical URL and content hash.
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, timedelta
from difflib import SequenceMatcher

import trafilatura
from lxml import html as lxml_html
from trafilatura.metadata import Document, extract_metadata
from trafilatura.utils import load_html

from broadsheet.errors import ExtractError
from broadsheet.extract import metadata as meta
from broadsheet.extract.blocks import Block, feed_blocks, render, xml_blocks
from broadsheet.extract.canonical import canonical_url, content_hash, normalize_for_hash
from broadsheet.extract.furniture import FurnitureFilter, drop_furniture
from broadsheet.extract.sanitize import clean_text
from broadsheet.ingest.urls import absolute_url
from broadsheet.models import Article, FeedEntry

DESCRIPTION_CHARS = 280
# The page loses to the feed when its body is shorter than this share of the feed's.
TEASER_RATIO = 0.5
# Measured on trafilatura-eval (990 pages, segment F1, extract() as a whole):
#   fast + favor_precision   P 0.925 R 0.872 F 0.897  ~20 pages/s  <- chosen
#   full + favor_precision   P 0.924 R 0.902 F 0.913  ~12 pages/s
#   fast, default balance    P 0.907 R 0.920 F 0.914  ~20 pages/s (keeps nav-only pages' text)
# Speed is per process on this 2-core machine; the fixture article runs at ~160 pages/s.
TRAFILATURA_OPTIONS: dict[str, bool] = {
    "fast": True,
    "favor_precision": True,
    "include_comments": False,
    "include_tables": False,
}
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
    return str(values[0]).strip() if values else None


def _apply_furniture(blocks: list[Block], furniture: FurnitureFilter) -> list[Block]:
    kept = furniture([b.text for b in blocks])
    out: list[Block] = []
    i = 0
    for text in kept:  # the filter returns a subsequence: align it with the blocks
        while i < len(blocks) and blocks[i].text != text:
            i += 1
        if i < len(blocks):
            out.append(blocks[i])
            i += 1
    return out


def _same_line(a: str, b: str) -> bool:
    a, b = normalize_for_hash(a), normalize_for_hash(b)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.9


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
    """Remove the headline (and a byline) from the top of the body: shown once."""
    out = list(blocks)
    for _ in range(3):
        if not out:
            break
        first = out[0].text
        if (title and len(first) < 2 * len(title) + 20 and _same_line(first, title)) or (
            _is_byline(first, author)
        ):
            out.pop(0)
        else:
            break
    return out


def _description(blocks: list[Block]) -> str | None:
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


def _read_page(url: str, text: str) -> tuple[Document | None, list[Block], dict[str, str | None]]:
    """Parse once; trafilatura works on its own copy of the tree."""
    tree = load_html(text) if text.strip() else None
    if tree is None:
        return None, [], {}
    head = {
        "canonical": _first(tree, "//link[translate(@rel, 'CANONICAL', 'canonical')"
                                  "='canonical']/@href")
        or _first(tree, "//meta[@property='og:url']/@content"),
        "lang": tree.get("lang") or _first(tree, "//meta[@http-equiv='content-language']"
                                                 "/@content")
        or _first(tree, "//meta[@property='og:locale']/@content"),
    }  # fmt: skip
    doc = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, prune_xpath=HIDDEN_XPATH,
        date_extraction_params=_date_params(), **TRAFILATURA_OPTIONS,
    )  # fmt: skip
    if isinstance(doc, Document):
        return doc, xml_blocks(doc.body), head
    # no body: metadata still names and dates the article
    return extract_metadata(tree, url, _date_params()), [], head


def extract(
    url: str,
    html: bytes | str,
    *,
    entry: FeedEntry | None = None,
    max_bytes: int = 3_000_000,
    encoding: str | None = None,
    furniture: FurnitureFilter = drop_furniture,
) -> Article:
    """Turn a fetched page into an Article; the feed entry fills what the page lacks.

    ``encoding`` is the charset of the HTTP Content-Type header, if any; ``furniture``
    filters the body's paragraphs (the site-level boilerplate learner plugs in here).
    """
    doc, blocks, head = _read_page(url, decode_html(html, max_bytes, encoding=encoding))
    site_name = clean_text(doc.sitename if doc else None)[:200] or None
    if site_name and _HOSTNAME.match(site_name):
        site_name = None  # trafilatura's fallback from a URL (even <base href>), not a name
    title = meta.strip_site_suffix(doc.title or "", site_name, url) if doc else ""
    title = title or clean_text(entry.title if entry else "")[: meta.MAX_TITLE_CHARS]
    author = meta.clean_author(doc.author if doc else None) or meta.clean_author(
        entry.author if entry else None
    )
    blocks = _drop_headline(_apply_furniture(blocks, furniture), title, author)
    extraction = "page"
    from_feed = _drop_headline(_apply_furniture(feed_blocks(entry), furniture), title, author)
    if _text_length(blocks) < TEASER_RATIO * _text_length(from_feed):
        blocks, extraction = from_feed, "feed"
    if not blocks:
        raise ExtractError(f"extract {url}: no article text on the page or in the feed")
    text, body_html = render(blocks)
    published = meta.pick_date(
        meta.parse_date(doc.date if doc else None), entry.published if entry else None
    )
    language = meta.normalize_language(head.get("lang")) or meta.normalize_language(
        entry.language if entry else None
    )
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
        language=language,
        site_name=site_name,
        image=image,
        description=_description(blocks),
        extraction=extraction,
        content_hash=content_hash(text),
    )


def _fallback_title(text: str) -> str:
    words = clean_text(text).split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


def extract_from_entry(entry: FeedEntry, *, furniture: FurnitureFilter = drop_furniture) -> Article:
    """An Article from the feed alone, for when the page cannot be fetched."""
    title = clean_text(entry.title)[: meta.MAX_TITLE_CHARS]
    author = meta.clean_author(entry.author)
    blocks = _drop_headline(_apply_furniture(feed_blocks(entry), furniture), title, author)
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
        description=_description(blocks),
        extraction="feed",
        content_hash=content_hash(text),
    )
