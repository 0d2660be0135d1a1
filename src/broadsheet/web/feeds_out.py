"""Feeds out: RSS 2.0, Atom and JSON Feed 1.1 for the site's lists.

Every list page has its feeds at ``/feeds<page path>.<rss|atom|json>`` — the latest
articles, top stories, a story, a topic, an entity, a place, an outlet, a search — and
every such page advertises them with ``<link rel="alternate">`` (``alternates``). The XML is
built with ElementTree, so every value is escaped; characters XML 1.0 cannot carry (the C0
controls a publisher's text may hold) are dropped first.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urlencode

FORMATS = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# pages with feeds: the path of the page, as a pattern
_FEEDABLE = re.compile(
    r"^/(?:latest|stories|search|stories/[1-9][0-9]{0,17}|topics/[a-z]{2,20}"
    r"|entities/[a-z_]{2,12}:[\w-]{1,180}|places/[A-Za-z]{2}|sources/[1-9][0-9]{0,17})?\Z"
)
# the Daily 8's pages (a day, today, the archive; the world's or an edition's): one feed
DAILY_PAGE = re.compile(r"^/daily(/[a-z]{2}-[a-z]{2,3})?(?:/archive|/\d{4}-\d{2}-\d{2})?\Z")


@dataclass
class Item:
    id: str  # a permanent, absolute URL
    title: str
    link: str
    updated: datetime
    summary: str = ""
    author: str | None = None
    html: str = ""  # the full content as HTML, where the item has more than a summary


@dataclass
class Feed:
    title: str
    link: str  # the HTML page
    self_link: str  # this feed
    updated: datetime
    items: list[Item] = field(default_factory=list)
    description: str = ""
    language: str = ""  # of the feed's own text (its title), not of the items' headlines


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def rss(feed: Feed) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = _text(feed.title)
    ET.SubElement(channel, "link").text = feed.link
    ET.SubElement(channel, "description").text = _text(feed.description or feed.title)
    if feed.language:
        ET.SubElement(channel, "language").text = feed.language
    ET.SubElement(
        channel, "atom:link", {"href": feed.self_link, "rel": "self", "type": FORMATS["rss"]}
    )
    ET.SubElement(channel, "lastBuildDate").text = format_datetime(_utc(feed.updated))
    for item in feed.items:
        node = ET.SubElement(channel, "item")
        ET.SubElement(node, "title").text = _text(item.title)
        ET.SubElement(node, "link").text = item.link
        ET.SubElement(node, "guid", {"isPermaLink": "true"}).text = item.id
        ET.SubElement(node, "pubDate").text = format_datetime(_utc(item.updated))
        if item.html or item.summary:
            ET.SubElement(node, "description").text = _text(item.html or item.summary)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def atom(feed: Feed) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM})
    # xml:lang on the title only: the entries are headlines in their outlets' languages
    lang = {XML_LANG: feed.language} if feed.language else {}
    ET.SubElement(root, "title", lang).text = _text(feed.title)
    ET.SubElement(root, "id").text = feed.self_link
    ET.SubElement(root, "updated").text = _utc(feed.updated).isoformat()
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": feed.link})
    ET.SubElement(root, "link", {"rel": "self", "type": FORMATS["atom"], "href": feed.self_link})
    author = ET.SubElement(root, "author")
    ET.SubElement(author, "name").text = "Broadsheet"
    for item in feed.items:
        entry = ET.SubElement(root, "entry")
        ET.SubElement(entry, "title").text = _text(item.title)
        ET.SubElement(entry, "id").text = item.id
        ET.SubElement(entry, "updated").text = _utc(item.updated).isoformat()
        ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": item.link})
        if item.author:
            by = ET.SubElement(entry, "author")
            ET.SubElement(by, "name").text = _text(item.author)
        if item.summary:
            ET.SubElement(entry, "summary").text = _text(item.summary)
        if item.html:
            ET.SubElement(entry, "content", {"type": "html"}).text = _text(item.html)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")


def json_feed(feed: Feed) -> bytes:
    body = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.link,
        "feed_url": feed.self_link,
        "description": feed.description or feed.title,
        **({"language": feed.language} if feed.language else {}),
        "items": [
            {
                "id": item.id,
                "url": item.link,
                "title": item.title,
                "content_text": item.summary or item.title,
                "date_published": _utc(item.updated).isoformat(),
                **({"content_html": item.html} if item.html else {}),
                **({"authors": [{"name": item.author}]} if item.author else {}),
            }
            for item in feed.items
        ],
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


WRITERS = {"rss": rss, "atom": atom, "json": json_feed}


def alternates(path: str, query: dict[str, str], title: str) -> list[dict[str, str]]:
    """The ``<link rel="alternate">`` of a page that has feeds (none for other pages)."""
    daily = DAILY_PAGE.match(path)
    if daily is not None:
        base = "/feeds/daily" + (daily.group(1) or "")
    elif _FEEDABLE.match(path):
        base = "/feeds" + (path if path != "/" else "/top")
    else:
        return []
    if path == "/search":
        if not query.get("q"):
            return []
        tail = "?" + urlencode({"q": query["q"]})
    else:
        tail = ""
    names = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
    return [
        {"type": kind, "href": f"{base}.{fmt}{tail}", "title": f"{title} ({names[fmt]})"}
        for fmt, kind in FORMATS.items()
    ]
