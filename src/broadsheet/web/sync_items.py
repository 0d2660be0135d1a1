"""Items as the sync protocols hand them out, built once for Google Reader and Fever:
articles (their stored, sanitized HTML) and stories (title, the multi-outlet summary,
the coverage, and links to every member article, as HTML).

The item numbers, streams and marks are ``store/sync.py``'s; this module only shapes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from fastapi import Request

from broadsheet import story_digest
from broadsheet.errors import StoreError
from broadsheet.models import Story
from broadsheet.store.sync import STORY_ITEM, is_story
from broadsheet.web.credentials import origin

log = logging.getLogger(__name__)

STORIES_FEED = "stories"  # the Stories feed's key (Google Reader: feed/stories)
STORIES_TITLE = "Stories"
OUTLETS_FOLDER = "Outlets"
STORY_LINKS = 50  # member articles a story item links to


@dataclass
class Item:
    num: int
    title: str
    url: str
    html: str
    at: datetime  # what streams sort by
    published: datetime
    feed: int | str  # a source id, or STORIES_FEED
    feed_title: str
    site_url: str
    author: str = ""
    read: bool = False
    starred: bool = False
    topics: list[str] = field(default_factory=list)


def items(request: Request, user_id: int, nums: list[int]) -> list[Item]:
    """The items with these numbers that exist, in the order asked (unknown ones left out)."""
    store = request.app.state.store
    rows = store.sync_articles(user_id, [n for n in nums if not is_story(n)])
    story_ids = [n - STORY_ITEM for n in nums if is_story(n)]
    found: dict[int, Item] = {n: _article(r) for n, r in rows.items()}
    if story_ids:
        marks = store.sync_story_marks(user_id, story_ids)
        for story in store.stories_by_ids(story_ids):
            read, starred = marks.get(story.id, (False, False))
            found[STORY_ITEM + story.id] = _story(request, story, read, starred)
    return [found[n] for n in dict.fromkeys(nums) if n in found]


def _article(r: dict[str, Any]) -> Item:
    return Item(
        num=r["id"],
        title=r["title"],
        url=r["canonical_url"] or r["url"],
        html=r["html"],
        at=r["sort_at"],
        published=r["published_at"] or r["sort_at"],
        feed=r["source_id"],
        feed_title=r["source_name"],
        site_url=r["site_url"] or "",
        author=r["author"] or "",
        read=bool(r["read"]),
        starred=bool(r["saved"]),
        topics=list(r["topics"]),
    )


def _story(request: Request, story: Story, read: bool, starred: bool) -> Item:
    store = request.app.state.store
    try:
        digest: dict[str, Any] = story_digest.load(store, story)
    except StoreError as exc:  # a busy database: the item still goes out, without digest
        log.warning("story digest not loaded: %s", exc)
        digest = {"summary": {"lines": []}, "coverage": {}}
    members = store.story_member_page(story.id, STORY_LINKS).items
    site = origin(request)
    link = f"{site}/stories/{story.id}"
    by_id = {m.article_id: m for m in members}
    parts = []
    coverage = digest.get("coverage") or {}
    outlets = [o.get("name", "") for o in coverage.get("outlets", [])]
    countries = [str(c[0]) for c in coverage.get("countries") or []]  # (code, outlets)
    parts.append(
        f"<p><strong>{story.source_count} outlets</strong>"
        + (f" in {len(countries)} countries ({escape(', '.join(countries))})" if countries else "")
        + f", {story.article_count} reports"
        + (f": {escape(', '.join(outlets))}" if outlets else "")
        + ".</p>"
    )
    lines = (digest.get("summary") or {}).get("lines") or []
    if lines:
        parts.append("<h3>What the outlets say</h3><ul>")
        for line in lines:
            source = by_id.get(line.get("article_id"))
            credit = (
                f' (<a href="{escape(source.url)}">{escape(source.source_name)}</a>)'
                if source
                else ""
            )
            parts.append(f"<li>{escape(line.get('text', ''))}{credit}</li>")
        parts.append("</ul>")
    parts.append("<h3>Coverage</h3><ul>")
    for m in members:
        parts.append(
            f'<li><a href="{escape(m.url)}">{escape(m.title)}</a> — {escape(m.source_name)}'
            f", {m.shown_at:%Y-%m-%d %H:%M} UTC</li>"
        )
    parts.append("</ul>")
    parts.append(f'<p><a href="{escape(link)}">The whole story on Broadsheet</a></p>')
    at = story.last_at or story.updated_at or story.first_at
    assert at is not None
    return Item(
        num=STORY_ITEM + story.id,
        title=story.title or f"Story {story.id}",
        url=link,
        html="".join(parts),
        at=at,
        published=story.first_at or at,
        feed=STORIES_FEED,
        feed_title=STORIES_TITLE,
        site_url=f"{site}/stories",
        read=read,
        starred=starred,
    )


def usec(at: datetime) -> int:
    return int(at.timestamp() * 1_000_000)
