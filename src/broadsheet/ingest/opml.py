"""OPML subscription lists in and out.

Import is forgiving row by row: a hostile or broken outline is skipped with a warning
saying why, and the rest are imported. An outline with children is a folder; a childless
one that says it is a feed (a ``type``, an ``htmlUrl``) but has no ``xmlUrl`` is reported;
one with only a text is an empty folder. Nested folders flatten: a feed takes the text
of its nearest folder as its category, unless it names its own ``category``.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

import defusedxml
import defusedxml.ElementTree

from broadsheet.errors import ParseError
from broadsheet.ingest import fields
from broadsheet.ingest.urls import absolute_url
from broadsheet.models import OPMLOutline

MAX_DEPTH = 8  # nesting levels of <outline>; deeper rows are skipped
MAX_OUTLINES = 10_000
NAME_MAX = 200
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def parse_opml(body: bytes) -> tuple[list[OPMLOutline], list[str]]:
    """Feeds listed in an OPML document, and a warning for every row rejected."""
    outlines: dict[str, OPMLOutline] = {}
    warnings: list[str] = []
    stack: list[str | None] = []  # per open <outline>: the category its children inherit
    root_seen = False
    try:
        events = defusedxml.ElementTree.iterparse(
            io.BytesIO(body), events=("start", "end"), forbid_dtd=False
        )
        for event, elem in events:
            tag = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else ""
            if not root_seen:
                root_seen = True
                if tag.lower() != "opml":
                    raise ParseError(f"not an OPML document: the root is <{tag[:40]}>")
            if tag != "outline":
                continue
            if event == "end":
                if len(stack) <= MAX_DEPTH and len(elem) == 0 and _is_feed_row(elem):
                    _no_feed_url(warnings, elem)
                stack.pop()
                elem.clear()
                continue
            inherited = stack[-1] if stack else None
            if len(stack) >= MAX_DEPTH:
                stack.append(inherited)
                _warn_once(warnings, f"outlines nested deeper than {MAX_DEPTH} levels skipped")
                continue
            name = fields.plain_text(elem.get("text") or elem.get("title"), NAME_MAX) or None
            raw_url = _attr(elem, "xmlUrl")
            if raw_url is None:  # a folder
                stack.append(name or inherited)
                continue
            stack.append(inherited)
            if len(outlines) >= MAX_OUTLINES:
                _warn_once(warnings, f"more than {MAX_OUTLINES} feeds: the rest skipped")
                continue
            _add(outlines, warnings, elem, name, raw_url, inherited)
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(f"refused: OPML declares entities ({exc})") from exc
    except (ET.ParseError, ValueError, LookupError) as exc:  # an encoding expat lacks
        if not outlines:
            raise ParseError(f"not an OPML document: {exc}") from exc
        warnings.append(f"malformed OPML, kept the feeds before the error: {exc}")
    if not root_seen:
        raise ParseError("not an OPML document: empty")
    return list(outlines.values()), warnings


def _attr(elem: ET.Element, name: str) -> str | None:
    """An attribute by name, ignoring case (xmlUrl, xmlurl, XMLURL all occur)."""
    value = elem.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in elem.attrib.items() if k.lower() == wanted), None)
    return value


def _is_feed_row(elem: ET.Element) -> bool:
    """A childless outline without ``xmlUrl`` that says it is a feed (a ``type`` such as
    "rss", or an ``htmlUrl``); one with only a text is an empty folder."""
    kind = (elem.get("type") or "").strip().lower()
    says_feed = kind not in ("", "folder", "category") or _attr(elem, "htmlUrl") is not None
    return says_feed and _attr(elem, "xmlUrl") is None


def _no_feed_url(warnings: list[str], elem: ET.Element) -> None:
    name = fields.plain_text(elem.get("text") or elem.get("title"), NAME_MAX)
    site = _attr(elem, "htmlUrl")
    label = repr(name or site or "(untitled)")[:80]
    warnings.append(f"outline {label}: no xmlUrl, so no feed to import")


def _warn_once(warnings: list[str], message: str) -> None:
    if message not in warnings:
        warnings.append(message)


def _add(
    outlines: dict[str, OPMLOutline],
    warnings: list[str],
    elem: ET.Element,
    name: str | None,
    raw_url: str,
    inherited: str | None,
) -> None:
    label = repr(name or raw_url)[:80]
    url = _feed_url(raw_url)
    if url is None:
        warnings.append(f"outline {label}: xmlUrl {raw_url[:80]!r} is not an http(s) URL")
        return
    if url in outlines:
        warnings.append(f"outline {label}: duplicate of an earlier feed")
        return
    own = (_attr(elem, "category") or "").split(",")[0].strip(" /")
    country = (elem.get("country") or "").strip()
    outlines[url] = OPMLOutline(
        url=url,
        name=name,
        site_url=absolute_url(None, _attr(elem, "htmlUrl")),
        category=fields.plain_text(own or inherited, NAME_MAX) or None,
        country=country.upper() if _COUNTRY.match(country) else None,
        language=fields.language(elem.get("language")),
    )


def _feed_url(raw: str) -> str | None:
    """An absolute http(s) URL; the old feed:// and feed:https:// forms are unwrapped."""
    raw = raw.strip()
    if raw.lower().startswith("feed://"):
        raw = "http://" + raw[7:]
    elif raw.lower().startswith("feed:"):
        raw = raw[5:]
    return absolute_url(None, raw)


def write_opml(items: list[OPMLOutline], title: str = "Broadsheet sources") -> str:
    """OPML 2.0 with one folder per category; parse_opml reads it back unchanged."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for item in items:
        parent = body
        if item.category:
            category = _clean(item.category)
            if category not in folders:
                folders[category] = ET.SubElement(body, "outline", text=category, title=category)
            parent = folders[category]
        name = _clean(item.name or item.url)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": _clean(item.url)}
        optional = {"htmlUrl": item.site_url, "country": item.country, "language": item.language}
        attrs.update({k: _clean(v) for k, v in optional.items() if v})
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _clean(value: str) -> str:
    """Only characters XML 1.0 allows; ElementTree escapes the rest of the syntax."""
    return _XML_INVALID.sub("", value)
