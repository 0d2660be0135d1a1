"""Plain data passed between the pipeline stages. No I/O here.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Literal, TypeVar


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
    failing_entries: int = 0  # feed entries whose article keeps failing (backing off)


SkipReason = Literal[
    "duplicate_url",  # the same canonical URL is stored (``duplicate_of`` is its id)
    "duplicate_text",  # the same text from the same outlet is stored (``duplicate_of``)
    "stored_concurrently",  # another writer stored the same URL first
    "fetch_failed",  # the page failed and the feed had no usable text either
]


@dataclass(frozen=True)
class Skipped:
    """A result that carries its reason instead of a bare None: a typed ``kind``, the id
    of the article it duplicates where there is one, and for failures what went wrong.
    ``reason`` (and ``str()``) reads as a sentence for messages and logs."""

    kind: SkipReason
    duplicate_of: int | None = None
    detail: str = ""

    @property
    def reason(self) -> str:
        if self.kind == "duplicate_url":
            return f"duplicate of {self.duplicate_of} (same URL)"
        if self.kind == "duplicate_text":
            return f"duplicate of {self.duplicate_of} (same text)"
        if self.kind == "stored_concurrently":
            return "duplicate (same URL, stored concurrently)"
        return self.detail or self.kind.replace("_", " ")

    def __str__(self) -> str:
        return self.reason


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
    updated_at: datetime | None = None  # when the stories stage last changed it
    created_at: datetime | None = None  # when the site first saw it


# --- pages (issue 10) -----------------------------------------------------------------------
T = TypeVar("T")


@dataclass
class ArticleTeaser:
    """An article as a list shows it: no text, no HTML; ``lead`` is the description, or the
    start of the text when there is none."""

    id: int
    source_id: int
    source_name: str
    source_has_icon: bool
    title: str
    sort_at: datetime
    fetched_at: datetime
    published: datetime | None = None
    language: str | None = None
    image: str | None = None
    lead: str = ""
    comments: int = 0  # visible comments (the kept count), read with the teaser

    @property
    def shown_at(self) -> datetime:
        """The date readers see: published when known, else when we fetched it."""
        return self.published or self.fetched_at


@dataclass(frozen=True)
class Cursor:
    """A position in a list sorted newest first: the sort time and the id that breaks ties.
    In a URL it reads ``<microseconds since the epoch>_<id>``."""

    at: datetime
    id: int

    def __str__(self) -> str:
        micros = (self.at - _EPOCH) // _MICROSECOND
        return f"{micros}_{self.id}"

    @classmethod
    def parse(cls, raw: str) -> Cursor | None:
        """The cursor ``raw`` spells, or None when it is not one (never an exception)."""
        micros, sep, ident = raw.partition("_")
        if not sep or not _is_digits(micros.lstrip("-")) or not _is_digits(ident) or len(raw) > 40:
            return None
        try:
            return cls(_EPOCH + int(micros) * _MICROSECOND, int(ident))
        except OverflowError:
            return None


@dataclass
class Page(Generic[T]):
    """One page of a list sorted newest first, and the cursors of its neighbours (None when
    there is none)."""

    items: list[T]
    older: Cursor | None = None  # pass as ``before`` for the next, older page
    newer: Cursor | None = None  # pass as ``after`` for the previous, newer page


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _is_digits(s: str) -> bool:
    return s.isascii() and s.isdigit() and len(s) <= 19


@dataclass
class StoryChange:
    """What the stories stage decided for one article, for the store to apply
    (story ids < 0 are new stories; the store hands back their permanent ids)."""

    article_id: int
    story: int
    similarity: float = 0.0
    agency: str | None = None
    duplicate_of: int | None = None  # set when the article is a near copy (wire)
    moves: list[tuple[int, int, int]] = field(default_factory=list)  # article, from, to
    merges: list[tuple[int, int]] = field(default_factory=list)  # story, into
    terms: dict[int, dict[str, float]] = field(default_factory=dict)  # story -> main terms


@dataclass(frozen=True)
class CleanBody:
    """A stored article's body re-cleaned with its outlet's learned furniture."""

    text: str
    html: str
    description: str | None
    content_hash: str


@dataclass(frozen=True)
class StoredBody:
    """A stored article as re-cleaning reads it (issue 3; issue 15 adds what site rules
    need: its URL, headline, author, dates and the numeric date it printed)."""

    id: int
    html: str
    unfiltered_html: str | None
    url: str
    title: str
    author: str | None
    published_at: datetime | None
    fetched_at: datetime
    printed_date: str | None


@dataclass(frozen=True)
class OutletLayout:
    """What the store keeps of an outlet's layout (issue 15): learned boundary
    fingerprints, pages that proved each order of numeric dates, the page count when
    boundaries were last learned, the outlet's pages seen and its furniture kill switch."""

    outlet: str
    boundaries: frozenset[str] = frozenset()
    dmy_pages: int = 0
    mdy_pages: int = 0
    learned_at_page: int = 0
    pages_seen: int = 0
    enabled: bool = True


# --- readers (issue 11) ------------------------------------------------------------------
ROLES = ("reader", "moderator", "admin")


@dataclass(frozen=True)
class User:
    """A reader's account. ``password_hash`` stays in the store and the auth module."""

    id: int
    email: str
    display_name: str
    role: str  # one of ROLES
    created_at: datetime
    disabled: bool = False
    banned: bool = False
    language: str | None = None  # the interface language they picked; None: not picked
    digest: bool = False  # the Daily 8 by mail
    edition: str | None = None  # the edition of that mail ("fr-fr"); None: the world's
    verified: bool = True  # False: the address is not proved yet (verify_email)
    visit_mark_at: datetime | None = None  # when the reader's previous visit ended
    seen_at: datetime | None = None  # the reader's last page view (of those recorded)

    @property
    def can_moderate(self) -> bool:
        return self.role in ("moderator", "admin")


@dataclass
class Comment:
    """A comment on an article or a story as shown: its author's name, status and one level
    of replies."""

    id: int
    article_id: int | None  # None: on a story
    user_id: int
    author: str
    parent_id: int | None
    body: str  # plain text, exactly as written; escaped when shown
    status: str  # visible | held | hidden | deleted
    created_at: datetime
    edited_at: datetime | None = None
    report_count: int = 0
    held_reason: str | None = None
    article_title: str = ""
    story_id: int | None = None
    replies: list[Comment] = field(default_factory=list)

    @property
    def page(self) -> str:
        """The address of the page the comment is on."""
        if self.article_id is not None:
            return f"/articles/{self.article_id}"
        return f"/stories/{self.story_id}"


@dataclass(frozen=True)
class ReaderArticle:
    """An article in a reader's Saved list or history."""

    article_id: int
    title: str
    source_name: str
    at: datetime  # saved or read
