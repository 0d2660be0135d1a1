"""Sentence banks for the demo's sample content, one module per language.

Everything in these modules was written for the Broadsheet demo. It is fictional sample
content — invented places, people, companies and events — not real news.

Templates are ``str.format`` strings. The slots every template may use are filled per
article by :mod:`broadsheet.demo.content`: ``city district district2 person person2
person3 role role2 n n2 big pct money day day2 temp temp_low team rival g1 g2 venue uni
company line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BEATS = ("weather", "council", "transport", "markets", "science", "sport", "culture")


@dataclass(frozen=True)
class Beat:
    section: str  # the section's name in the outlet's language (nav menu, URL)
    headlines: tuple[str, ...]
    sentences: tuple[str, ...]
    roles: tuple[str, ...]  # who gets quoted on this beat


@dataclass(frozen=True)
class Event:
    """One fictional event that several outlets cover, each in its own words."""

    headlines: tuple[str, ...]
    facts: tuple[str, ...]  # fixed sentences: names and numbers agree across languages


@dataclass(frozen=True)
class Furniture:
    """The site furniture around an article, in the outlet's language."""

    home: str
    byline: str  # "By"
    cookie: str
    cookie_accept: str
    app: str
    newsletter: str
    newsletter_button: str
    share: str
    related: str
    latest: str
    rights: str


@dataclass(frozen=True)
class Bank:
    language: str
    days: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    districts: tuple[str, ...]
    companies: tuple[str, ...]
    rivals: tuple[str, ...]
    venues: tuple[str, ...]
    team: str  # formatted with {city}
    university: str  # formatted with {city}
    thousands: str  # thousands separator
    decimal: str  # decimal mark
    beats: dict[str, Beat]
    background: tuple[str, ...]
    quotes: tuple[str, ...]
    closings: tuple[str, ...]
    events: dict[str, Event]
    furniture: Furniture
    extra: dict[str, str] = field(default_factory=dict)
