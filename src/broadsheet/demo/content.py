"""Sample content for the Broadsheet demo: fictional outlets and their articles.

Everything here is sample content generated for the Broadsheet demo — not real news. The
outlets, places, people and events are invented; the sentence banks live in
:mod:`broadsheet.demo.banks`, one module per language.

The generator is deterministic: the same ``(outlet, n, now, seed)`` always yields the same
articles. :func:`plan_articles` is cheap (headlines, authors, times, URLs); bodies are
produced on demand by :func:`article_body`, so a publisher with thousands of articles does
not hold their text in memory.

Some fictional events (a telescope result, a climate summit, a marathon, a chip plant, a
night train) are covered by every outlet in its own words, so that story clustering has
something to find; the two English outlets carry the telescope story as identical wire
copy, so that wire-copy folding has something to fold.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from broadsheet.demo.banks import BEATS, Bank
from broadsheet.demo.banks import de as bank_de
from broadsheet.demo.banks import en as bank_en
from broadsheet.demo.banks import es as bank_es
from broadsheet.demo.banks import fr as bank_fr

SAMPLE_NOTICE = "Sample content generated for the Broadsheet demo — not real news"

EVENTS = ("telescope", "summit", "marathon", "chips", "nighttrain")
EVENT_BEATS = {
    "telescope": "science",
    "summit": "weather",
    "marathon": "sport",
    "chips": "markets",
    "nighttrain": "transport",
}
EVENT_HOURS_AGO = {"telescope": 5, "summit": 11, "marathon": 20, "chips": 27, "nighttrain": 36}
WIRE_EVENTS = {"telescope"}  # English outlets carry these as identical agency copy
WIRE_AUTHOR = "Sample Wire Service"

_KILIMA_BANK = replace(
    bank_en.BANK,
    first_names=(
        "Wanjiru",
        "Otieno",
        "Achieng",
        "Kamau",
        "Njeri",
        "Mwangi",
        "Atieno",
        "Kiprono",
        "Zawadi",
        "Baraka",
        "Amani",
        "Chebet",
    ),
    place_parts=(
        (
            *("Ki", "Mto", "Nya", "Ka", "Bo", "Ma", "Lu", "Ru", "Wa", "Ngu", "Ole", "Mu", "Ta"),
            *("Ng'a", "Ene", "Shi", "Ndu", "Ga", "Li", "Su", "Ko", "Za", "Mwi", "Tu"),
        ),
        (
            *("ambani", "ngeni", "hururu", "sani", "rogoto", "mwani", "tende", "limani"),
            *("bwezi", "tito", "kuyu", "ruri", "vasha", "mbeni", "goni", "sero", "lolo", "pesi"),
        ),
    ),
    surname_parts=(
        ("Omo", "Kip", "Wan", "Njo", "Oti", "Che", "Mwa", "Kar", "Wek", "Odh", "Ach", "Mut"),
        ("ndi", "rono", "jiru", "roge", "eno", "bet", "ngi", "iuki", "esa", "iambo", "ieng", "ua"),
    ),
    company_names=(
        "{place} Cement",
        "{place} Tea Growers",
        "{place} Telecom",
        "{place} Savings Bank",
        "{place} Solar",
        "{place} Dairies",
    ),
    club_names=("{place} Leopards", "{place} United", "{place} Stars", "{place} Rangers"),
)


@dataclass(frozen=True)
class Outlet:
    """A fictional news outlet."""

    slug: str
    name: str
    language: str
    country: str  # ISO 3166-1 alpha-2
    city: str
    colour: str  # "#rrggbb", for its favicon and masthead
    feed_format: str  # rss-full | rss | atom | jsonfeed | news-sitemap
    path: str  # article path template: {section} {y} {m} {d} {slug} {id}
    money: str  # format for amounts of money, with {m} millions
    tagline: str
    bank: Bank


OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        "harbourton-courier",
        "The Harbourton Courier",
        "en",
        "GB",
        "Harbourton",
        "#1f4e79",
        "rss-full",
        "/news/{section}/{y}/{m}/{d}/{slug}-{id}",
        "£{m} million",
        "News from Harbourton and the coast",
        bank_en.BANK,
    ),
    Outlet(
        "elbbruecker-rundschau",
        "Elbbrücker Rundschau",
        "de",
        "DE",
        "Elbbrück",
        "#b22222",
        "atom",
        "/{section}/{slug}-a{id}.html",
        "{m} Millionen Euro",
        "Nachrichten aus Elbbrück und der Region",
        bank_de.BANK,
    ),
    Outlet(
        "gazette-de-morvalle",
        "La Gazette de Morvalle",
        "fr",
        "FR",
        "Morvalle",
        "#2e7d32",
        "jsonfeed",
        "/{section}/article/{y}/{m}/{d}/{slug}_{id}",
        "{m} millions d'euros",
        "L'actualité de Morvalle et de sa région",
        bank_fr.BANK,
    ),
    Outlet(
        "heraldo-de-costaluna",
        "El Heraldo de Costaluna",
        "es",
        "ES",
        "Costaluna",
        "#e65100",
        "rss",
        "/{section}/{y}-{m}-{d}/{slug}-{id}.html",
        "{m} millones de euros",
        "Noticias de Costaluna y su comarca",
        bank_es.BANK,
    ),
    Outlet(
        "kilima-observer",
        "The Kilima Observer",
        "en",
        "KE",
        "Kilima",
        "#6a1b9a",
        "news-sitemap",
        "/{section}/{slug}-{id}",
        "KSh {m} million",
        "Kilima's independent daily",
        _KILIMA_BANK,
    ),
)


@dataclass(frozen=True)
class SampleArticle:
    """An article's metadata. The body comes from :func:`article_body`."""

    outlet: Outlet
    index: int
    key: str  # seeds everything random about this article
    beat: str
    event: str | None
    title: str
    author: str
    published: datetime
    path: str
    subject: int = 0  # which of its beat's subjects a routine article is about

    @property
    def section(self) -> str:
        return self.outlet.bank.beats[self.beat].section

    @property
    def topic(self) -> str:
        """What the article is about, as the generator knows it: the shared event's name,
        or the article's own key for a routine item (the truth story clustering is
        measured against)."""
        return self.event or self.key

    @property
    def wire(self) -> bool:
        return self.event in WIRE_EVENTS and self.outlet.language == "en"


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80].rstrip("-")


def plan_articles(outlet: Outlet, n: int, now: datetime, seed: int = 1) -> list[SampleArticle]:
    """``n`` articles for ``outlet``, newest first, published within ~48 hours before ``now``."""
    staff_rng = random.Random(f"{seed}:{outlet.slug}:staff")
    staff = [_name(outlet.bank, staff_rng) for _ in range(6)]
    used: set[str] = set()
    # an outlet works through its beats' subjects in turn; the outlets sharing a language
    # start at different places in the list
    position = [o.slug for o in OUTLETS if o.language == outlet.language]
    start = position.index(outlet.slug) * 7 if outlet.slug in position else 0
    covered: dict[str, int] = {}
    articles = []
    for i in range(n):
        key = f"{seed}:{outlet.slug}:{i}"
        rng = random.Random(key + ":plan")
        event = EVENTS[i // 3] if i % 3 == 1 and i // 3 < len(EVENTS) else None
        if event:
            beat = EVENT_BEATS[event]
            minutes = EVENT_HOURS_AGO[event] * 60 + rng.randint(-90, 90)
        else:
            beat = rng.choice(BEATS)
            minutes = int((i + rng.random()) / max(n, 1) * 46 * 60) + 3
        subject = start + covered.get(beat, 0)
        covered[beat] = covered.get(beat, 0) + 1
        article = SampleArticle(
            outlet, i, key, beat, event, "", "", now - timedelta(minutes=minutes), "", subject
        )
        title = _headline(article, rng, used)
        used.add(title)
        author = WIRE_AUTHOR if article.wire else rng.choice(staff)
        published = article.published.replace(second=rng.randrange(60), microsecond=0)
        path = outlet.path.format(
            section=slugify(article.section),
            y=f"{published:%Y}",
            m=f"{published:%m}",
            d=f"{published:%d}",
            slug=slugify(title),
            id=100000 + i,
        )
        articles.append(
            replace(article, title=title, author=author, published=published, path=path)
        )
    articles.sort(key=lambda a: a.published, reverse=True)
    return articles


def article_body(article: SampleArticle) -> list[str]:
    """The article's paragraphs (6–8 of them, roughly 150–300 words).

    A shared event's report is made of that event's own sentences only (the same names,
    places and numbers in every language), so that the outlets' reports of it resemble
    each other. A routine article is a few of its beat's sentences around the names
    invented for it, a couple of quotes and a closing line: two routine articles share
    few words beyond their beat's vocabulary.
    """
    bank = bank_en.BANK if article.wire else article.outlet.bank
    key = f"wire:{article.key.split(':')[0]}:{article.event}" if article.wire else article.key
    slots = _slots(article, key)
    rng = random.Random(key + ":body")
    fill = _filler(slots, bank, rng)
    if article.event:
        event = bank.events[article.event]
        facts, details = list(event.facts), _shuffled(rng, event.details)
        paragraphs = [fill(*facts[:2], fresh=False)]
        rest = [facts[2], details.pop(), facts[3], *details]
        paragraphs += [fill(sentence, fresh=False) for sentence in rest]
        # the outlet's own angle: a quote and some background, in its own words
        background = _shuffled(rng, bank.background)
        paragraphs.insert(3, fill(rng.choice(bank.quotes), background.pop()))
        paragraphs.insert(6, fill(background.pop(), background.pop()))
        return paragraphs
    beat_s = _shuffled(rng, bank.beats[article.beat].sentences)
    local = _shuffled(rng, bank.local)
    quotes = _shuffled(rng, bank.quotes)
    background = _shuffled(rng, bank.background)
    return [
        fill(local.pop(), beat_s.pop(), fresh=False),
        fill(quotes.pop(), local.pop()),
        fill(beat_s.pop(), background.pop()),
        fill(local.pop(), quotes.pop()),
        fill(beat_s.pop(), local.pop()),
        fill(background.pop(), rng.choice(bank.closings)),
    ]


def article_summary(article: SampleArticle, words: int = 40) -> str:
    """A short standfirst for feeds: the start of the first paragraph."""
    lead = article_body(article)[0].split()
    return " ".join(lead[:words]) + ("…" if len(lead) > words else "")


# --- helpers ---------------------------------------------------------------------------


def _name(bank: Bank, rng: random.Random) -> str:
    return f"{rng.choice(bank.first_names)} {_invent(bank.surname_parts, rng)}"


def _invent(parts: tuple[tuple[str, ...], tuple[str, ...]], rng: random.Random) -> str:
    """An invented name: one start and one ending (``Thorn`` + ``wick``)."""
    return rng.choice(parts[0]) + rng.choice(parts[1])


def _shuffled(rng: random.Random, items: tuple[str, ...]) -> list[str]:
    out = list(items)
    rng.shuffle(out)
    return out


def _number(bank: Bank, value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans({",": bank.thousands, ".": bank.decimal}))


def _slots(article: SampleArticle, key: str) -> dict[str, str]:
    """The values a template's slots are filled with, drawn from the article's key."""
    bank, money = article.outlet.bank, article.outlet.money
    city = article.outlet.city
    if article.wire:  # agency copy: the same text whichever outlet runs it
        bank, money, city = bank_en.BANK, "${m} million", "Valdora"
    rng = random.Random(key + ":slots")
    people = set()
    while len(people) < 4:
        people.add(_name(bank, rng))
    person, person2, person3, person4 = sorted(people, key=lambda _: rng.random())
    places = set()
    while len(places) < 12:  # two districts, and the places in ten invented names
        places.add(_invent(bank.place_parts, rng))
    districts = sorted(places, key=lambda _: rng.random())
    kinds = (("street", "street"), ("street2", "street"), ("group", "group"), ("hall", "hall"))
    kinds += (("school", "school"), ("pub", "pub"))
    local = {
        slot: rng.choice(bank.local_names[kind]).format(place=districts[k])
        for k, (slot, kind) in enumerate(kinds, 6)
    }
    g1 = rng.randint(1, 4)
    temp = rng.randint(14, 34)
    slots = {
        "city": city,
        "district": districts[0],
        "district2": districts[1],
        "person": person,
        "person2": person2,
        "person3": person3,
        "person4": person4,
        **_numbers(bank, rng),
        "money": money.format(m=rng.randint(2, 90)),
        "day": rng.choice(bank.days),
        "day2": rng.choice(bank.days),
        "temp": str(temp),
        "temp_low": str(rng.randint(-4, 6)),
        "team": rng.choice(bank.club_names).format(place=districts[2]),
        "rival": rng.choice(bank.club_names).format(place=districts[3]),
        "g1": str(g1),
        "g2": str(rng.randint(0, g1 - 1)),
        "venue": rng.choice(bank.venue_names).format(place=districts[4]),
        "uni": bank.university.format(city=city),
        "company": rng.choice(bank.company_names).format(place=districts[5]),
        "line": str(rng.randint(2, 19)),
        "year": str(rng.randint(1952, 2012)),
        **local,
    }
    subjects = bank.beats[article.beat].subjects
    slots["subject"] = subjects[article.subject % len(subjects)].format(place=districts[0])
    roles = rng.sample(bank.beats[article.beat].roles, 2)
    slots["role"] = roles[0].format(**slots)
    slots["role2"] = roles[1].format(**slots)
    return slots


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _filler(slots: dict[str, str], bank: Bank, rng: random.Random):  # noqa: ANN202
    """``fill(*templates)``: one paragraph. Small numbers and passers-by are drawn afresh
    for each sentence so that one article does not repeat the same figure everywhere."""

    def fill(*sentences: str, fresh: bool = True) -> str:
        out = []
        for template in sentences:
            values = slots
            if fresh:
                values = {**slots, **_numbers(bank, rng), "person3": _name(bank, rng)}
            out.append(_capitalise(template.format(**values)))
        return " ".join(out)

    return fill


def _numbers(bank: Bank, rng: random.Random) -> dict[str, str]:
    return {
        "n": str(rng.randint(3, 12)),
        "n2": str(rng.randint(2, 9)),
        "big": _number(bank, rng.randrange(1200, 48000, 10)),
        "pct": _number(bank, rng.randint(15, 190) / 10, 1),
    }


def _headline(article: SampleArticle, rng: random.Random, used: set[str]) -> str:
    bank = article.outlet.bank
    if article.event:
        options = bank.events[article.event].headlines
        if article.wire:
            return options[0]
        # outlets sharing a language pick different wordings of the same event
        position = [o.slug for o in OUTLETS if o.language == article.outlet.language]
        return options[(position.index(article.outlet.slug) + 1) % len(options)]
    # an outlet's articles on a beat take its headline wordings in turn, as its subjects
    slots = _slots(article, article.key)
    options = bank.beats[article.beat].headlines
    title = ""
    for attempt in range(len(options)):
        title = _capitalise(options[(article.subject + attempt) % len(options)].format(**slots))
        if title not in used:
            break
    return title
