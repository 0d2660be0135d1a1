"""Realistic sample data for the web tests: two outlets, seven articles, a real PNG icon."""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from broadsheet.models import Article

NOW = datetime(2024, 5, 14, 12, 0, tzinfo=UTC)


def png(width: int = 16, height: int = 16, rgb: tuple[int, int, int] = (0, 82, 147)) -> bytes:
    """A real, solid-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Sample:
    outlet: str
    slug: str
    title: str
    author: str | None
    age: timedelta
    description: str | None
    paragraphs: tuple[str, ...]
    language: str = "en"


HARBOUR = "The Harbour Gazette"
NORDIC = "Nordic Wire"

ARTICLES = (
    Sample(
        HARBOUR,
        "port-strike-ends",
        "Port workers end three-day strike after pay deal",
        "Amelia Okafor",
        timedelta(minutes=26),
        "Dockers accepted a 6% rise over two years; the first ships berth tonight.",
        (
            "Dock workers at the city's container terminal voted on Tuesday to end a "
            "three-day strike that had left more than forty ships waiting at anchor.",
            "The agreement, reached after eleven hours of talks, raises pay by 6% over two "
            "years and limits night shifts to four a week. Union leaders called it a "
            "fair settlement; the port authority said it would cost less than the strike.",
            "The first vessels are expected to berth tonight, and the backlog should clear "
            "by the end of next week, according to the harbour master.",
        ),
    ),
    Sample(
        NORDIC,
        "aurora-forecast",
        "Strongest solar storm in years could bring auroras south",
        "Lars Henriksen",
        timedelta(hours=2, minutes=5),
        None,
        (
            "Forecasters issued a severe geomagnetic storm watch on Tuesday after the sun "
            "released several large bursts of charged particles toward Earth.",
            "If the storm arrives as predicted, the northern lights may be visible much "
            "farther south than usual, including in parts of central Europe.",
            "Operators of power grids and satellites said they were monitoring the "
            "situation; no disruption has been reported so far.",
        ),
    ),
    Sample(
        HARBOUR,
        "library-reopens",
        "City library reopens after two-year renovation",
        None,
        timedelta(hours=5),
        "A new reading room, longer hours and a roof garden open to the public.",
        (
            "The central library reopened its doors on Tuesday morning after a renovation "
            "that took twice as long as planned.",
            "Visitors queued before dawn to see the new reading room, which now stays "
            "open until ten at night, and the roof garden overlooking the harbour.",
        ),
    ),
    Sample(
        NORDIC,
        "rail-link",
        "Cross-border rail link approved, with trains due by 2029",
        "Sofia Lindqvist",
        timedelta(hours=9),
        "Two governments signed off on the 140 km line after a decade of planning.",
        (
            "The transport ministers of both countries signed the final agreement for a "
            "140-kilometre high-speed line on Tuesday.",
            "Construction starts next spring. Journey times between the two capitals "
            "would fall from five hours to under two and a half.",
            "Environmental groups welcomed the plan but asked for stronger protection of "
            "the wetlands the line crosses near the border.",
        ),
    ),
    Sample(
        HARBOUR,
        "ferry-timetable",
        "Island ferries add summer sailings as bookings soar",
        "Tom Reyes",
        timedelta(days=1, hours=3),
        "Three extra daily crossings from June, and a new night boat on weekends.",
        (
            "The ferry company will add three daily crossings to the islands from the "
            "first of June, after advance bookings rose by a third on last year.",
            "A night service on Fridays and Saturdays returns for the first time since 2019.",
        ),
    ),
    Sample(
        NORDIC,
        "fishing-quotas",
        "Fishing quotas cut as cod stocks fall again",
        "Lars Henriksen",
        timedelta(days=3),
        "Scientists recommended the lowest catch limit since records began.",
        (
            "Ministers agreed to cut the cod quota by a fifth for next year, following "
            "scientific advice that stocks have fallen for the fourth year in a row.",
            "Fishing communities warned of job losses; the ministry promised support for "
            "boats that switch to other species.",
        ),
    ),
    Sample(
        NORDIC,
        "energy-prices",
        "Energiepreise sinken im dritten Monat in Folge",
        "Anna Berg",
        timedelta(days=4),
        "Strom und Gas sind für Haushalte wieder günstiger geworden.",
        (
            "Die Preise für Strom und Gas sind im April den dritten Monat in Folge "
            "gesunken, wie das Statistikamt am Dienstag mitteilte.",
            "Verbraucherschützer raten dennoch, Tarife regelmäßig zu vergleichen.",
        ),
        language="de",
    ),
)


def article_for(
    sample: Sample, now: datetime = NOW, html: str | None = None, **overrides: object
) -> Article:
    domain = "harbourgazette.example" if sample.outlet == HARBOUR else "nordicwire.example"
    url = f"https://{domain}/news/{sample.slug}"
    text = "\n\n".join(sample.paragraphs)
    values: dict[str, object] = dict(
        url=url,
        canonical_url=url,
        title=sample.title,
        text=text,
        html=html if html is not None else "".join(f"<p>{p}</p>" for p in sample.paragraphs),
        author=sample.author,
        published=now - sample.age,
        language=sample.language,
        site_name=sample.outlet,
        description=sample.description,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    values.update(overrides)
    return Article(**values)  # type: ignore[arg-type]


def seed(store, now: datetime = NOW) -> dict[str, int]:  # noqa: ANN001 - the real Store
    """Two outlets (one with a PNG favicon), seven articles; returns slug -> article id."""
    harbour = store.add_source(
        "https://harbourgazette.example/rss",
        name=HARBOUR,
        site_url="https://harbourgazette.example/",
    )
    nordic = store.add_source(
        "https://nordicwire.example/feed", name=NORDIC, site_url="https://nordicwire.example/"
    )
    store.set_icon(harbour.id, png(), "image/png")
    ids: dict[str, int] = {}
    for sample in ARTICLES:
        source = harbour if sample.outlet == HARBOUR else nordic
        result = store.save_article(source.id, article_for(sample, now), fetched_at=now)
        assert isinstance(result, int), result
        ids[sample.slug] = result
    return ids
