"""Wire-copy folding and agency credit, on hand-written text."""

from __future__ import annotations

from broadsheet.stories.agency import agency_credit
from broadsheet.stories.fold import WireFolder, containment
from tests.stories.sample import CHILE, STRIKE, WIRE, wire_copy


def test_an_edited_copy_folds_onto_the_original() -> None:
    folder = WireFolder()
    fold, mh, size = folder.check(WIRE[1])
    assert fold is None
    folder.add(1, mh, size)
    copy = wire_copy("Valley Times")[1]
    fold, _mh, _size = folder.check(copy)
    assert fold is not None and fold.original == 1
    assert fold.containment >= 0.8


def test_a_copy_of_a_copy_points_at_the_first_stored_copy() -> None:
    folder = WireFolder()
    _f, mh, size = folder.check(WIRE[1])
    folder.add(1, mh, size)
    copy = wire_copy("Valley Times")[1]
    fold, mh2, size2 = folder.check(copy)
    assert fold is not None
    folder.add(2, mh2, size2, root=fold.original)
    folder.forget(1)  # the original left the window: the copy still knows its root
    again, _mh, _size = folder.check(copy + " Updated at noon.")
    assert again is not None and again.original == 1


def test_distinct_articles_on_one_topic_are_not_copies() -> None:
    folder = WireFolder()
    for n, (_title, text) in enumerate(CHILE):
        fold, mh, size = folder.check(text)
        assert fold is None, f"article {n} taken for a copy"
        folder.add(n, mh, size)
    assert folder.check(STRIKE[1])[0] is None


def test_short_texts_are_never_copies() -> None:
    folder = WireFolder()
    _f, mh, size = folder.check("Breaking news: more soon.")
    folder.add(1, mh, size)
    assert folder.check("Breaking news: more soon.")[0] is None


def test_containment_of_a_trimmed_copy() -> None:
    assert containment(0.5, 100, 50) == 1.0
    assert containment(0.0, 100, 50) == 0.0
    assert containment(0.3, 0, 10) == 0.0


def test_agency_credit_from_dateline_byline_and_sign_off() -> None:
    assert agency_credit("PARIS (AFP) - The government said on Monday...") == "AFP"
    assert agency_credit("WASHINGTON (AP) — Lawmakers agreed...") == "AP"
    assert agency_credit("Text of the story.", author="Jane Doe, Reuters") == "Reuters"
    body = "x " * 400 + "(Reporting by Jane Doe; Editing by Tom Roe)"
    assert agency_credit(body) == "Reuters"
    assert agency_credit("BERLIN (dpa) - Die Regierung...") == "dpa"
    assert agency_credit(STRIKE[1]) is None
    assert agency_credit("The APA president spoke.") is None  # a word, not a credit
