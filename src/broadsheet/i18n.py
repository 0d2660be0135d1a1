"""The site's languages and their gettext catalogs, for a given language: below the web, so
what runs outside a request (the Daily 8 mail in the worker) speaks the reader's language
too. ``web/i18n.py`` adds the request's language on top (negotiation, the middleware, and
``gettext`` for the language of the page being answered).

    catalog(lang)            the compiled catalog: .gettext / .ngettext / .pgettext
    offered(code)            "fr-CA" → "fr" when the site speaks it, else None
    text_direction(lang)     "rtl" for Arabic
    country_name / language_name / format_day   names and dates from CLDR (Babel)

The catalogs are the ``.po`` files under ``locale/`` (one domain, ``messages``, for the
pages and the mails: ``make messages`` extracts both), compiled in memory the first time a
language is used.
"""

from __future__ import annotations

import functools
import io
import re
from datetime import date
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

# The site's languages, each named in itself (as the switcher shows them).
LANGUAGES = {"en": "English", "fr": "Français", "ar": "العربية"}
RTL_LANGUAGES = frozenset({"ar"})
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")


def offered(code: str | None) -> str | None:
    """``code`` if the site speaks it (``fr``, ``fr-CA`` and ``FR`` all give ``fr``)."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].strip().lower()
    return base if base in LANGUAGES else None


def text_direction(lang: str) -> str:
    return "rtl" if lang in RTL_LANGUAGES else "ltr"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalog(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang``; English (the source language) is the identity.

    The ``.po`` is compiled in memory (a few milliseconds, once per process and language)
    rather than shipping ``.mo`` files: one source of truth, nothing to rebuild or forget.
    Fuzzy entries are left out, as ``msgfmt`` would."""
    if lang == DEFAULT_LANGUAGE or lang not in LANGUAGES:
        return NullTranslations()
    with po_path(lang).open("rb") as handle:
        parsed = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, parsed, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark only")
    """Marks a string for extraction where it is defined; ``gettext`` translates it later."""
    return message


@functools.lru_cache(maxsize=1024)
def parse_locale(tag: str) -> Locale | None:
    """A Babel locale for a BCP 47 tag (``de-CH``) or identifier (``de_CH``), else None."""
    tag = tag.replace("_", "-")
    if not TAG.match(tag):
        return None
    try:
        return Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def cldr_country_name(code: str, ui: str) -> str | None:
    """A country's name in language ``ui`` ("Allemagne", "ألمانيا") from Babel's CLDR data,
    or None where CLDR has none."""
    where = parse_locale(ui) or Locale(DEFAULT_LANGUAGE)
    name = where.territories.get(code.upper()) if len(code) == 2 else None
    return str(name) if name else None


def country_name(code: str | None, ui: str) -> str:
    """A country's name in language ``ui``; the code itself where CLDR has none."""
    return (cldr_country_name(code, ui) or code.upper()) if code else ""


@functools.lru_cache(maxsize=4096)
def language_name(code: str | None, ui: str) -> str:
    """A language code's name in language ``ui``: ``de`` → "German" (en), "Allemand" (fr);
    ``pt-BR`` → "Portuguese (Brazil)". An unknown code is shown as is."""
    if not code:
        return ""
    where = parse_locale(ui) or Locale(DEFAULT_LANGUAGE)
    wanted = parse_locale(code)
    if wanted is None:
        return code
    name = wanted.get_display_name(where)
    return name[:1].upper() + name[1:] if name else code


def edition_label(country: str, language: str, ui: str) -> str:
    """'France · Français': an edition's country in language ``ui``, its language in
    itself."""
    try:
        own = Locale.parse(language).get_display_name(language) or ""
    except (UnknownLocaleError, ValueError):
        own = language
    return f"{country_name(country, ui)} · {own[:1].upper()}{own[1:]}"


def format_day(day: date, lang: str) -> str:
    """A day written out in ``lang``: "Thursday, May 16, 2024", "jeudi 16 mai 2024"."""
    from babel.dates import format_date

    return str(format_date(day, format="full", locale=parse_locale(lang) or DEFAULT_LANGUAGE))
