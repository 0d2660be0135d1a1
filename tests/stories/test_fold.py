"""Wire-copy folding and agency credit, on hand-written text."""

from __future__ import annotations

import random

from broadsheet.stories.agency import agency_credit
from broadsheet.stories.fold import WireFolder, containment
from broadsheet.stories.text import shingle_hashes, shingle_sequence
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


def test_containment_of_the_shorter_text() -> None:
    assert containment(50, 100, 50) == 1.0
    assert containment(0, 100, 50) == 0.0
    assert containment(3, 0, 10) == 0.0


def test_shingle_sequence_keeps_text_order() -> None:
    text = "one two three four five six seven one two three four five"
    seq = shingle_sequence(text)
    assert len(seq) == 8 and seq[0] == seq[-1]  # the repeat is kept, in place
    assert shingle_hashes(text).tolist() == sorted(set(seq.tolist()))


def test_agency_credit_from_dateline_byline_and_sign_off() -> None:
    assert agency_credit("PARIS (AFP) - The government said on Monday...") == "AFP"
    assert agency_credit("WASHINGTON (AP) — Lawmakers agreed...") == "AP"
    assert agency_credit("Text of the story.", author="Jane Doe, Reuters") == "Reuters"
    body = "x " * 400 + "(Reporting by Jane Doe; Editing by Tom Roe)"
    assert agency_credit(body) == "Reuters"
    assert agency_credit("BERLIN (dpa) - Die Regierung...") == "dpa"
    assert agency_credit(STRIKE[1]) is None
    assert agency_credit("The APA president spoke.") is None  # a word, not a credit


# --- shortened copies (issue 15): invented paragraphs, an agency story of eight ---------
STORY = [
    "LAGOS (AFP) - Floods swept through three districts of the river city of Onitsha on "
    "Sunday after two days of torrential rain, killing at least eleven people and forcing "
    "some four thousand residents from their homes, the state emergency agency said.",
    "Rescue boats ferried families from rooftops in the Fegge and Odoakpu districts, where "
    "the water stood more than a metre deep in the streets by midday, witnesses said.",
    "The governor of Anambra state declared a week of emergency and ordered schools in the "
    "flooded districts closed until the water recedes and the buildings are inspected.",
    "Forecasters expect more rain on Tuesday and Wednesday, and the hydrological service "
    "warned that the Niger could rise another half metre before the end of the week.",
    "Residents blamed blocked drainage channels, which they said had not been cleared since "
    "last year's floods despite repeated promises by the local council to do the work.",
    "The emergency agency said it had opened six camps in schools and churches on higher "
    "ground and was distributing food, water and blankets to the displaced families.",
    "Floods in the rainy season killed more than six hundred people across the country "
    "last year and destroyed tens of thousands of hectares of farmland in the south.",
    "Aid groups urged the federal government to release the disaster fund promised after "
    "those floods, saying the money had still not reached the worst-hit communities.",
]
ORIGINAL = "\n\n".join(STORY)
OWN = [  # another outlet's own reporting on the same floods
    "Market traders in Onitsha counted their losses on Monday as the flood water began to "
    "drain from the main market, leaving mud and ruined stock in hundreds of stalls.",
    "Chinedu Okafor, who sells fabric, said he lost goods worth two million naira when the "
    "water came through the shutters of his shop before dawn on Sunday morning.",
    "The traders' association said it would ask the state for compensation and for the "
    "drainage channels around the market to be dredged before the next heavy rains.",
    "Several traders said they had moved their stock to upper floors after last year's "
    "floods, but the water rose faster this time and reached the first floor by noon.",
    "The market is expected to stay closed for at least a week while the council removes "
    "the mud and engineers check the older buildings for structural damage.",
    "Banks in the city said they would consider extending the repayment of loans taken "
    "by traders whose stock was destroyed, according to the association's chairman.",
]
BOILERPLATE = (
    "The agency is an independent news organisation with correspondents in more than forty "
    "countries; its reports may be republished by subscribers under the terms of their licence."
)


def _folder_with(*texts: str) -> WireFolder:
    folder = WireFolder()
    for n, text in enumerate(texts, 1):
        fold, sig, size = folder.check(text, source=n)
        assert fold is None, f"text {n} taken for a copy"
        folder.add(n, sig, size, source=n)
    return folder


def test_a_shortened_copy_folds() -> None:
    folder = _folder_with(ORIGINAL)
    copy = "\n\n".join(STORY[:3])  # the lead and two paragraphs: three eighths kept
    fold, _sig, _size = folder.check(copy, source=9)
    assert fold is not None and fold.original == 1


def test_a_copy_cut_in_the_middle_folds() -> None:
    folder = _folder_with(ORIGINAL)
    copy = "\n\n".join(STORY[:2] + STORY[6:])  # the middle dropped
    fold, _sig, _size = folder.check(copy, source=9)
    assert fold is not None and fold.original == 1


def test_a_copy_with_a_local_paragraph_folds() -> None:
    folder = _folder_with(ORIGINAL)
    local = (
        "In our town, the Red Cross branch on Station Road is collecting blankets and tinned "
        "food for the flood victims until Friday evening."
    )
    copy = "\n\n".join(STORY[:3] + [local] + STORY[3:4])
    fold, _sig, _size = folder.check(copy, source=9)
    assert fold is not None and fold.original == 1


def test_an_original_arriving_after_its_copy_folds_onto_it() -> None:
    folder = _folder_with("\n\n".join(STORY[:4]))
    fold, _sig, _size = folder.check(ORIGINAL, source=9)
    assert fold is not None and fold.original == 1


def test_original_reporting_quoting_one_paragraph_does_not_fold() -> None:
    quoting = "\n\n".join(OWN[:3] + [STORY[2]] + OWN[3:])
    folder = _folder_with(ORIGINAL)
    assert folder.check(quoting, source=9)[0] is None
    # nor the other way round: the agency text arriving after the article that quoted it
    folder = _folder_with(quoting)
    assert folder.check(ORIGINAL, source=9)[0] is None
    # nor a shortened copy that kept the quoted paragraph, arriving after the quote
    folder = _folder_with(quoting)
    assert folder.check("\n\n".join(STORY[:3]), source=9)[0] is None


def test_a_shared_boilerplate_paragraph_does_not_fold() -> None:
    first = "\n\n".join(STORY[:5] + [BOILERPLATE])
    second = "\n\n".join(OWN + [BOILERPLATE])  # another story of the same agency
    folder = _folder_with(first)
    assert folder.check(second, source=1)[0] is None  # the agency's own feed
    assert folder.check(second, source=9)[0] is None  # and a republisher's


def test_many_texts_and_forgotten_ones_stay_found() -> None:
    """Past the buffer, keys live in the sorted arrays; forgotten texts select nobody."""
    from broadsheet.stories import fold as fold_mod

    folder = WireFolder()
    rng = random.Random(5)
    words = [f"w{k}" for k in range(2000)]
    for n in range(fold_mod.MERGE_EVERY + 10):
        text = " ".join(rng.choices(words, k=14))
        _f, sig, size = folder.check(text, source=n)
        folder.add(n, sig, size, source=n)
    folder.add(10**6, *folder.signature(ORIGINAL), source=-1)
    assert len(folder.index.keys) >= fold_mod.MERGE_EVERY * fold_mod.NUM_PERM
    assert folder.check("\n\n".join(STORY[:3]), source=9)[0].original == 10**6
    folder.forget(10**6)
    folder.index.merge(folder.entries)
    assert folder.check("\n\n".join(STORY[:3]), source=9)[0] is None
