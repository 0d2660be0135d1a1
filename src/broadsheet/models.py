"""Plain data passed between the pipeline stages. No I/O here.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed or sitemap, as the publisher described it (untrusted)."""

    url: str
    title: str = ""
    guid: str | None = None
    author: str | None = None
    published: datetime | None = None
    summary: str | None = None  # raw HTML or text from the feed, unsanitized
    content: str | None = None  # full content when the feed carries it, unsanitized
    categories: tuple[str, ...] = ()
    image: str | None = None
    language: str | None = None


@dataclass
class ParsedFeed:
    """What a source document yields: entries, and for sitemap indexes, child sitemaps."""

    kind: str  # rss | atom | jsonfeed | sitemap | sitemapindex
    title: str | None = None
    site_url: str | None = None
    language: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # sitemap index -> sitemaps
    warnings: list[str] = field(default_factory=list)  # bad rows skipped, with reasons


@dataclass(frozen=True)
class OPMLOutline:
    url: str
    name: str | None = None
    site_url: str | None = None
    category: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    language: str | None = None  # ISO 639-1 or a BCP 47 tag


@dataclass
class FetchResult:
    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    elapsed: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass
class Article:
    """A clean, attributed article: what extraction returns and the store keeps."""

    url: str
    canonical_url: str
    title: str
    text: str  # paragraphs separated by blank lines
    html: str  # sanitized minimal HTML for display
    author: str | None = None
    # aware; extraction keeps the page's own UTC offset (its calendar day), the store UTC
    published: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    image: str | None = None
    description: str | None = None
    # which strategy produced the body: trafilatura | readability | jsonld | feed
    extraction: str = "page"
    content_hash: str = ""
    modified: datetime | None = None  # the page's "last modified", never taken as published
    # the body after the page-level rules only, before what the outlet's other pages taught
    # (learned furniture, boundaries, teasers) and the end-of-article cut (None: not kept)
    unfiltered_html: str | None = None
    # the numeric date printed near the headline, as shown ("04-06-2025"): its day/month
    # order is learned per outlet (issue 15)
    printed_date: str | None = None


@dataclass
class Source:
    id: int
    url: str
    name: str
    kind: str = "feed"  # feed | sitemap
    site_url: str | None = None
    country: str | None = None
    language: str | None = None
    enabled: bool = True
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    poll_interval: int = 1800  # seconds
    error_count: int = 0
    last_error: str | None = None
    disabled_reason: str | None = None
    has_icon: bool = False
    icon_checked_at: datetime | None = None
    article_count: int = 0


@dataclass(frozen=True)
class Skipped:
    """A result that carries its reason instead of a bare None."""

    reason: str


@dataclass
class StoredArticle:
    """An article as the store returns it for display and export."""

    id: int
    source_id: int
    source_name: str
    source_has_icon: bool
    url: str
    canonical_url: str
    title: str
    text: str
    html: str
    fetched_at: datetime
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    image: str | None = None
    description: str | None = None
    extraction: str = "page"

    @property
    def shown_at(self) -> datetime:
        """The date readers see: published when known, else when we fetched it."""
        return self.published or self.fetched_at


# --- stories (issue 4) ----------------------------------------------------------------------
@dataclass
class StoryMember:
    """One article of a story, with what the coverage view needs about its outlet."""

    article_id: int
    story_id: int
    title: str
    url: str
    source_id: int
    source_name: str
    source_has_icon: bool
    shown_at: datetime  # published, never later than fetched
    published: datetime | None
    country: str | None  # the outlet's
    language: str | None  # the article's, else the outlet's
    duplicate_of: int | None  # the first stored copy of the same (wire) text
    agency: str | None
    similarity: float = 0.0


@dataclass
class Story:
    id: int
    first_at: datetime | None
    last_at: datetime | None
    article_count: int
    source_count: int
    lead_article_id: int | None
    title: str = ""
    members: list[StoryMember] = field(default_factory=list)
    score: float = 0.0  # trending rank, when ranked
