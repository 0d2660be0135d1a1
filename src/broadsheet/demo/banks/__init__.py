"""Sentence banks for the demo's sample content, one module per language.

Everything in these modules was written for the Broadsheet demo. It is fictional sample
content — invented places, people, companies and events — not real news.

Templates are ``str.format`` strings. The slots every template may use are filled per
article by :mod:`broadsheet.demo.content`: ``city district district2 person person2
person3 person4 role role2 n n2 big pct money day day2 temp temp_low team rival g1 g2 venue
uni company line year subject street street2 group hall school pub``.

So that unrelated sample articles do not read alike (and story clustering keeps them
apart), the names in a routine article are invented for that article: its districts
from ``place_parts``, its people's surnames from ``surname_parts``, and its club, rival,
company and venue from the ``*_names`` formats filled with another invented place. Each
routine article is about one ``subject`` of its beat (``the {place} footbridge``), named
in its headline and in the ``local`` sentences around its people, streets and halls
(``local_names``), so that two routine articles of one beat that share a template still
differ in most of their distinctive words.
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
    subjects: tuple[str, ...]  # what a routine article is about, formatted with {place}


@dataclass(frozen=True)
class Event:
    """One fictional event that several outlets cover, each in its own words."""

    headlines: tuple[str, ...]
    facts: tuple[str, ...]  # fixed sentences: names and numbers agree across languages
    details: tuple[str, ...] = ()  # more of the same: each outlet's report uses them all


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
    place_parts: tuple[tuple[str, ...], tuple[str, ...]]  # invented place = start + end
    surname_parts: tuple[tuple[str, ...], tuple[str, ...]]  # invented surname = start + end
    company_names: tuple[str, ...]  # formatted with {place}
    club_names: tuple[str, ...]  # formatted with {place}: the home team and its rivals
    venue_names: tuple[str, ...]  # formatted with {place}
    university: str  # formatted with {city}
    thousands: str  # thousands separator
    decimal: str  # decimal mark
    beats: dict[str, Beat]
    background: tuple[str, ...]
    quotes: tuple[str, ...]
    closings: tuple[str, ...]
    local: tuple[str, ...]  # sentences about a routine article's subject and its people
    local_names: dict[str, tuple[str, ...]]  # street group hall school pub: with {place}
    events: dict[str, Event]
    furniture: Furniture
    extra: dict[str, str] = field(default_factory=dict)
