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
    last_names=(
        "Mutua",
        "Omondi",
        "Kariuki",
        "Wafula",
        "Kiplagat",
        "Njoroge",
        "Odhiambo",
        "Wekesa",
        "Jeptoo",
        "Maina",
        "Nyambura",
        "Chege",
    ),
    districts=("Mjini", "Kibanda", "Soko Mpya", "Lakeview", "Mwanga", "Kilele", "Bondeni"),
    rivals=("Mlima United", "Ziwani Rangers", "Pwani Sharks", "Bonde FC", "Savanna Stars"),
    companies=("Safari Cement", "Kilele Tea Growers", "Mwanga Telecom", "Pwani Bank", "Jua Solar"),
    team="{city} Leopards",
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

    @property
    def section(self) -> str:
        return self.outlet.bank.beats[self.beat].section

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
        article = SampleArticle(
            outlet, i, key, beat, event, "", "", now - timedelta(minutes=minutes), ""
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
    """The article's paragraphs (5–10 of them, roughly 400–700 words)."""
    bank = bank_en.BANK if article.wire else article.outlet.bank
    key = f"wire:{article.key.split(':')[0]}:{article.event}" if article.wire else article.key
    slots = _slots(article, key)
    rng = random.Random(key + ":body")
    fill = _filler(slots, bank, rng)
    facts = list(bank.events[article.event].facts) if article.event else []
    beat_s = _shuffled(rng, bank.beats[article.beat].sentences)
    background = _shuffled(rng, bank.background)
    quotes = _shuffled(rng, bank.quotes)

    pools = {"beat": beat_s, "background": background, "quote": quotes}

    def take(kind: str) -> str:
        for name in (kind, "beat", "background", "quote"):
            if pools[name]:
                return pools[name].pop()
        raise AssertionError("sentence banks exhausted")  # banks hold more than enough

    lead = facts[:2] if facts else [take("beat"), take("beat")]
    del facts[:2]
    paragraphs = [fill(*lead, fresh=False)]  # the lead agrees with the headline
    count = rng.randint(8, 10)
    plans = (
        ("quote", "beat", "background"),
        ("beat", "background", "beat"),
        ("background", "beat", "quote"),
    )
    for k in range(1, count - 1):
        plan = plans[k % 3][: rng.choice((2, 3, 3, 3, 3))]
        parts = [facts.pop(0)] if facts else []
        paragraphs.append(fill(*parts, *(take(kind) for kind in plan)))
    paragraphs.append(fill(take("background"), take("beat"), rng.choice(bank.closings)))
    return paragraphs


def article_summary(article: SampleArticle, words: int = 40) -> str:
    """A short standfirst for feeds: the start of the first paragraph."""
    lead = article_body(article)[0].split()
    return " ".join(lead[:words]) + ("…" if len(lead) > words else "")


# --- helpers ---------------------------------------------------------------------------


def _name(bank: Bank, rng: random.Random) -> str:
    return f"{rng.choice(bank.first_names)} {rng.choice(bank.last_names)}"


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
    while len(people) < 3:
        people.add(_name(bank, rng))
    person, person2, person3 = sorted(people, key=lambda _: rng.random())
    districts = rng.sample(bank.districts, 2)
    g1 = rng.randint(1, 4)
    temp = rng.randint(14, 34)
    slots = {
        "city": city,
        "district": districts[0],
        "district2": districts[1],
        "person": person,
        "person2": person2,
        "person3": person3,
        **_numbers(bank, rng),
        "money": money.format(m=rng.randint(2, 90)),
        "day": rng.choice(bank.days),
        "day2": rng.choice(bank.days),
        "temp": str(temp),
        "temp_low": str(rng.randint(-4, 6)),
        "team": bank.team.format(city=city),
        "rival": rng.choice(bank.rivals),
        "g1": str(g1),
        "g2": str(rng.randint(0, g1 - 1)),
        "venue": rng.choice(bank.venues),
        "uni": bank.university.format(city=city),
        "company": rng.choice(bank.companies),
        "line": str(rng.randint(2, 19)),
    }
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
    slots = _slots(article, article.key)
    title = ""
    for _ in range(8):
        title = _capitalise(rng.choice(bank.beats[article.beat].headlines).format(**slots))
        if title not in used:
            break
    return title
