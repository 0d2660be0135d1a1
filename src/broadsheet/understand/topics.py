"""Topics from a small fixed taxonomy, and keywords, per article.

Method: a hand-made lexicon of stems per topic, counted over the headline (weighted) and
the text, normalised by length; topics above a threshold are kept, strongest first. It is
measured in bench/understanding.py against the sections in CNN/Daily Mail URLs.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass

from broadsheet.understand.sentences import content_words, words

VERSION = "2"  # 2: German, French and Spanish articles get topics too
TAXONOMY: dict[str, str] = {
    "world": "diplomat embassy foreign united nations summit treaty sanction refugee border "
    "ambassador international migrant asylum",
    "politics": "election vote voter parliament senate congress minister president party "
    "campaign lawmaker government opposition poll democrat republican policy legislation "
    "mp coalition referendum",
    "business": "company firm share shareholder profit revenue ceo merger acquisition market "
    "investor bank deal sale retailer brand stock earning billion startup",
    "economy": "economy economic inflation interest rate gdp growth unemployment job wage "
    "tax budget recession trade tariff debt deficit price pay union worker strike",
    "technology": "technology tech software app smartphone internet online computer google "
    "apple facebook microsoft ai robot data cyber hacker digital device iphone twitter",
    "science": "scientist research study researcher university space nasa planet species "
    "discovery experiment astronomer physics fossil dinosaur telescope",
    "health": "health hospital patient doctor disease virus cancer medical drug treatment "
    "nhs vaccine surgery infection diet obesity illness mental nurse",
    "sport": "match game team player coach league cup season goal win champion tournament "
    "football soccer tennis golf cricket rugby olympic club striker manager score race "
    "championship",
    "culture": "film movie actor actress music singer album star show festival art book "
    "novel theatre celebrity fashion tv television series director concert",
    "environment": "climate environment emission carbon pollution wildlife energy renewable "
    "weather flood drought storm forest ocean warming green",
    "conflict": "war military army soldier troop attack killed bomb missile strike fighter "
    "rebel militant terror terrorist ceasefire shelling weapon airstrike",
    "crime": "police arrest court trial judge jury murder prison sentence charged crime "
    "victim suspect lawyer guilty investigation",
}
LEXICON: dict[str, str] = {}
for _topic, _words in TAXONOMY.items():
    for _w in _words.split():
        LEXICON.setdefault(_w.rstrip("s") if len(_w) > 3 else _w, _topic)
# Other languages: word beginnings (a German "Wahlkampf", a French "élections" and a
# Spanish "elecciones" all start with one), matched on accent-free, lower-cased words.
PREFIXES: dict[str, dict[str, str]] = {
    "de": {
        "world": "diplomat botschaft ausland vereinte gipfel abkommen sanktion flüchtling grenze "
        "migrant asyl international",
        "politics": "wahl wähler parlament bundestag minister präsident partei kanzler "
        "regierung opposition abgeordnet koalition gesetz",
        "business": "unternehmen firma aktie gewinn umsatz konzern fusion übernahme anleger "
        "bank handel marke börse",
        "economy": "wirtschaft inflation zins konjunktur arbeitslos lohn steuer haushalt "
        "rezession zoll schulden preis gewerkschaft streik förderm",
        "technology": "technolog software internet computer digital roboter daten cyber "
        "smartphone künstliche",
        "science": "wissenschaft forsch studie universität weltraum planet entdeck experiment",
        "health": "gesundheit krankenhaus klinik patient arzt ärzt krankheit virus krebs "
        "medizin impf pflege",
        "sport": "spiel mannschaft spieler trainer liga pokal saison tor meister turnier "
        "fußball tennis olymp verein",
        "culture": "film musik sänger album festival kunst buch roman theater ausstellung "
        "konzert museum",
        "environment": "klima umwelt emission kohlendioxid verschmutz energie erneuerbar "
        "wetter hochwasser überschwemm dürre sturm wald meer",
        "conflict": "krieg militär armee soldat angriff bombe rakete rebell terror "
        "waffenruhe waffe",
        "crime": "polizei festnahm gericht prozess richter mord gefängnis urteil angeklagt "
        "verbrechen opfer verdächtig anwalt ermittl",
    },
    "fr": {
        "world": "diplomat ambassad étranger nations sommet traité sanction réfugié frontière "
        "migrant asile international",
        "politics": "élection électeur vote parlement assemblée sénat ministre président parti "
        "gouvernement opposition député coalition référendum",
        "business": "entreprise société action bénéfice chiffre fusion rachat investisseur "
        "banque marque bourse",
        "economy": "économi inflation taux croissance chômage salaire impôt budget récession "
        "commerce douane dette prix syndicat grève milliard",
        "technology": "technolog logiciel internet ordinateur numérique robot donnée cyber "
        "smartphone intelligence",
        "science": "scientifique recherch étude université espace planète découvert expérience",
        "health": "santé hôpital patient médecin maladie virus cancer médical vaccin "
        "traitement infirmi",
        "sport": "match équipe joueur entraîneur ligue coupe saison but champion tournoi "
        "football tennis olympi club",
        "culture": "film musique chanteu album festival art livre roman théâtre exposition "
        "concert musée",
        "environment": "climat environnement émission carbone pollution énergie renouvelable "
        "météo inondation sécheresse tempête forêt océan littoral",
        "conflict": "guerre militaire armée soldat attaque bombe missile rebelle terror "
        "cessez arme",
        "crime": "police arrest tribunal procès juge meurtre prison condamn crime victime "
        "suspect avocat enquête",
    },
    "es": {
        "world": "diplomát embajad extranjer naciones cumbre tratado sancion refugiad frontera "
        "migrant asilo internacional",
        "politics": "elección elecciones votant partido parlamento congreso senado ministr "
        "presidente partido gobierno oposición diputad coalición referéndum",
        "business": "empresa compañía accion beneficio ganancia fusión adquisición inversor "
        "banco marca bolsa",
        "economy": "economía económic inflación interés crecimiento desempleo salario impuesto "
        "presupuesto recesión comercio arancel deuda precio sindicato huelga",
        "technology": "tecnolog software internet ordenador computador digital robot datos "
        "ciber inteligencia",
        "science": "científic investigación estudio universidad espacio planeta descubrimiento "
        "experimento",
        "health": "salud hospital paciente médico enfermedad virus cáncer vacuna tratamiento",
        "sport": "equipo jugador entrenador liga copa temporada gol campeón torneo "
        "fútbol tenis olímpic club",
        "culture": "película música cantante álbum festival arte libro novela teatro "
        "exposición concierto museo",
        "environment": "clima ambiental emision carbono contaminación energía renovable "
        "inundación sequía tormenta bosque océano costero costera humedal",
        "conflict": "guerra militar ejército soldado ataque bomba misil rebelde terror armad",
        "crime": "policía detenid tribunal juicio juez asesinato prisión cárcel condena "
        "delito víctima sospechos abogado investigación",
    },
}
TITLE_WEIGHT = 3.0
THRESHOLD = 0.012  # share of content words that hit a topic's lexicon
MAX_TOPICS = 3
KEYWORDS = 8


@dataclass(frozen=True)
class Topic:
    topic: str
    score: float


def classify(
    title: str, text: str, entity_labels: list[str], language: str | None = None
) -> list[Topic]:
    """Topics of an article, strongest first (possibly none). English uses the stem lexicon;
    German, French and Spanish their word beginnings (:data:`PREFIXES`); other languages
    get none rather than guesses."""
    lang = (language or "en").split("-")[0].lower()
    if lang in PREFIXES:
        return _classify_prefixes(title, text, _prefix_index(lang))
    words = content_words(text)
    counts: Counter[str] = Counter()
    for w in words:
        if w in LEXICON:
            counts[LEXICON[w]] += 1.0
    for w in content_words(title):
        if w in LEXICON:
            counts[LEXICON[w]] += TITLE_WEIGHT
    total = max(1, len(words))
    scored = [Topic(t, round(c / total, 4)) for t, c in counts.items() if c / total >= THRESHOLD]
    scored.sort(key=lambda t: -t.score)
    return scored[:MAX_TOPICS]


@functools.cache
def _prefix_index(lang: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for topic, prefixes in PREFIXES[lang].items():
        for p in prefixes.split():
            index.setdefault(_plain(p), topic)
    return index


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


MIN_PREFIX = 4


def _topic_of(word: str, index: dict[str, str]) -> str | None:
    for n in range(min(len(word), 16), MIN_PREFIX - 1, -1):  # the longest beginning wins
        topic = index.get(word[:n])
        if topic:
            return topic
    return None


def _classify_prefixes(title: str, text: str, index: dict[str, str]) -> list[Topic]:
    body = [_plain(w) for w in words(text) if len(w) >= MIN_PREFIX]
    head = [_plain(w) for w in words(title) if len(w) >= MIN_PREFIX]
    counts: Counter[str] = Counter()
    for w in body:
        if topic := _topic_of(w, index):
            counts[topic] += 1.0
    for w in head:
        if topic := _topic_of(w, index):
            counts[topic] += TITLE_WEIGHT
    total = max(1, len(body))
    scored = [Topic(t, round(c / total, 4)) for t, c in counts.items() if c / total >= THRESHOLD]
    scored.sort(key=lambda t: -t.score)
    return scored[:MAX_TOPICS]


def keywords(title: str, text: str, limit: int = KEYWORDS) -> list[str]:
    """Words and two-word phrases that stand out: frequent, early, and in the headline."""
    tokens = content_words(title + "\n" + text)
    if not tokens:
        return []
    scores: Counter[str] = Counter()
    title_words = set(content_words(title))
    for i, w in enumerate(tokens):
        if w.isdigit() or len(w) < 3:
            continue
        scores[w] += 1.0 + (1.0 if w in title_words else 0.0) + 1.0 / math.sqrt(1 + i)
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.isalpha() and b.isalpha() and len(a) > 2 and len(b) > 2:
            scores[f"{a} {b}"] += 0.9
    ranked = [k for k, s in scores.most_common() if s >= 2.0]
    picked: list[str] = []
    for k in ranked:
        if any(k in p or p in k for p in picked):
            continue
        picked.append(k)
        if len(picked) == limit:
            break
    return picked
