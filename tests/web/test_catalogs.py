"""The interface's gettext catalogs: complete, current, and correct where they translate.

- every shipped catalog translates every message (all plural forms), none fuzzy, and each
  translation keeps the original's placeholders (Babel's own checkers);
- messages.pot is what `pybabel extract` finds in the code today, and every catalog has
  every msgid of it: a string marked in a template or in Python and not run through
  `make messages` fails here.
"""

from __future__ import annotations

from configparser import RawConfigParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from broadsheet.web import i18n

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "broadsheet" / "locale"
SHIPPED = sorted(code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE)


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog: Catalog) -> set[object]:
    return {(m.context, m.id) for m in catalog if m.id}


def _extracted() -> set[object]:
    """What `make messages` would extract now, with the mapping of babel.cfg."""
    parser = RawConfigParser()
    parser.read(ROOT / "babel.cfg")
    method_map: list[tuple[str, str]] = []
    options_map: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        method, pattern = (part.strip() for part in section.split(":", 1))
        method_map.append((pattern, method))
        options_map[pattern] = dict(parser.items(section))
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    keywords["N_"] = None
    found: set[object] = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = message if isinstance(message, str) else tuple(message)[:2]
        found.add((context, msgid[0] if isinstance(msgid, tuple) and len(msgid) == 1 else msgid))
    return found


def test_every_interface_language_but_english_ships_a_catalog() -> None:
    assert SHIPPED == ["ar", "fr"]
    for code in SHIPPED:
        assert i18n.po_path(code).is_file()


@pytest.mark.parametrize("code", SHIPPED)
def test_catalog_is_complete_and_not_fuzzy(code: str) -> None:
    catalog = _read(i18n.po_path(code), locale=code)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if len(strings) != (catalog.num_plurals if message.pluralizable else 1):
            problems.append(f"wrong number of plural forms: {message.id!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
    for message, errors in catalog.check():  # placeholders kept, plural count right
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    assert not problems, "\n".join(problems)


def test_pot_is_current() -> None:
    extracted = _extracted()
    template = _ids(_read(LOCALE / "messages.pot"))
    assert extracted - template == set(), "marked in the code but not in messages.pot"
    assert template - extracted == set(), "in messages.pot but no longer in the code"
    for code in SHIPPED:
        missing = extracted - _ids(_read(i18n.po_path(code), locale=code))
        assert not missing, f"{code}: run `make messages` and translate {missing}"


def test_a_stale_catalog_is_caught(tmp_path: Path) -> None:
    """The check above can fail: a msgid the catalog lacks is reported."""
    catalog = _read(i18n.po_path("fr"), locale="fr")
    catalog.delete("Skip to content")
    assert ((None, "Skip to content")) in _extracted() - _ids(catalog)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "لا مقالات"),
        (1, "مقال واحد"),
        (2, "مقالان"),
        (3, "3 مقالات"),
        (11, "11 مقالًا"),
        (100, "100 مقال"),
    ],
)
def test_arabic_plurals_have_six_forms(n: int, expected: str) -> None:
    with i18n.language("ar"):
        text = i18n.ngettext("%(count)s article", "%(count)s articles", n) % {"count": n}
    assert text == expected


def test_french_plural_and_english_source() -> None:
    with i18n.language("fr"):
        assert i18n.ngettext("%(count)s outlet", "%(count)s outlets", 1) == "%(count)s média"
        assert i18n.ngettext("%(count)s outlet", "%(count)s outlets", 2) == "%(count)s médias"
    with i18n.language("en"):
        assert i18n.gettext("Skip to content") == "Skip to content"
    with i18n.language("xx"):  # not offered: English
        assert i18n.gettext("Skip to content") == "Skip to content"


def test_numbers_in_the_interface_language() -> None:
    with i18n.language("fr"):
        assert i18n.format_number(2000) == "2\u202f000"
    with i18n.language("en"):
        assert i18n.format_number(2000) == "2,000"
