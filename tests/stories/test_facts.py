"""Stated facts (years, sums, counts of people, months, magnitudes) and the rule that
keeps look-alike events apart."""

from __future__ import annotations

import numpy as np

from broadsheet.stories.cluster import Clusterer, apart
from broadsheet.stories.facts import described, disagreements, facts
from broadsheet.stories.index import TermIndex
from broadsheet.stories.text import features


def test_facts_are_the_years_and_the_sums_a_text_states() -> None:
    text = (
        "In 2008 four robbers took $2.63 million from the shop; police put the loss at "
        "85 million euros (74 million pounds) and the reward at US$ 137-million, €2m or "
        "Rs 5 crore. Tickets cost 1,200 dollars. Not facts: 12008 fans, 20081 people, "
        "2,6 millions without a currency, a score of 1999.5."
    )
    assert described(facts("Heist", text)) == [
        ("year", 2008),
        ("money", 1200),
        ("money", 2_000_000),
        ("money", 2_600_000),  # two significant digits: $2.63 million reads as 2.6 million
        ("money", 50_000_000),
        ("money", 74_000_000),
        ("money", 85_000_000),
        ("money", 140_000_000),
    ]
    assert len(facts("Quiet day", "Nothing happened.")) == 0


def test_counts_of_people_are_read_but_never_a_toll() -> None:
    text = (
        "The navy captured 23 Somali pirates and freed 1,200 passengers. "
        "The quake left 10 people dead, 40 were injured, killing at least 12 soldiers; "
        "leaving 15 civilians homeless. 7 new cases; 5 of them were hurt."
    )
    assert [v for kind, v in described(facts("", text)) if kind == "count"] == [23, 1200]


def test_months_are_full_names_and_may_is_left_out() -> None:
    text = "Polls open on December 15; the law passed in September. May we vote? In May."
    assert [v for kind, v in described(facts("", text)) if kind == "month"] == [9, 12]


def test_magnitudes_are_read_in_tenths() -> None:
    texts = (
        "A 5.6 -magnitude earthquake hit the island.",
        "An earthquake measuring at least magnitude - 5.9 shook Iran.",
        "A magnitude 6.1 quake; 4.6 on the Richter scale; measuring 7.0; a 3.2 percent rise.",
    )
    found = [[v for k, v in described(facts("", t)) if k == "magnitude"] for t in texts]
    assert found == [[56], [59], [46, 61, 70]]


def test_pairs_are_comparable_when_both_state_a_kind_and_disagree_when_none_is_shared() -> None:
    texts = ["In 2008 it cost $5 million.", "In 2009 it cost $5 million.", "No facts at all."]
    texts.append("Back in 2009 and 2008.")
    found = disagreements([facts("", t) for t in texts])
    assert found is not None
    comparable, disagree = found
    year, money = 0, 1
    assert comparable[year].tolist() == [[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 0], [1, 1, 0, 0]]
    assert disagree[year][0, 1] == 1 and disagree[year][0, 3] == 0  # 2008 shared with 4th
    assert comparable[money][0, 1] == 1 and disagree[money][0, 1] == 0  # same sum
    assert disagreements([facts("", "In 2008."), facts("", "None.")]) is None


def test_groups_are_kept_apart_only_by_many_pairs_that_mostly_disagree() -> None:
    comparable = np.array([[[0, 12, 11], [12, 0, 20], [11, 20, 0]]], dtype=float)
    disagree = np.array([[[0, 11, 11], [11, 0, 18], [11, 18, 0]]], dtype=float)
    kept = apart(comparable, disagree, pairs=12, share=0.9)
    assert kept[0, 1]  # 11 of 12 disagree
    assert not kept[0, 2]  # all 11 disagree, but 11 pairs are too few to say
    assert not kept[1, 2]  # 18 of 20 is not more than 90 %


HEIST = (
    "{outlet}: jewellery heist in central Paris",
    "Armed robbers raided a jewellery store near the Champs-Elysees in Paris on Thursday "
    "and escaped with gems worth {sum}, police said. The {year} raid on the boutique was "
    "the latest in a series of jewellery heists in the French capital; {detail} and "
    "detectives were reviewing camera footage.",
)
DETAILS = {  # what each heist's reports (not each outlet's) share beyond the template
    2013: "the thieves rammed a four-wheel drive through the window",
    2008: "two robbers disguised as women fled with a bag of diamonds",
}
OUTLETS = ("Wire", "Herald", "Courier", "Gazette", "Tribune")


def stream(reports: list[tuple[str, str]], pairs: int | None = None) -> list[int]:
    index = TermIndex()
    clusterer = Clusterer(index) if pairs is None else Clusterer(index, fact_pairs=pairs)
    next_id = 0
    for n, (title, text) in enumerate(reports):
        slot = index.add(n, features(title, text), None, facts(title, text))
        clusterer.assign(slot)
        for story in [s for s in clusterer.members if s < 0]:
            next_id += 1
            clusterer.rename(story, next_id)
    return [clusterer.story_of[index.slot_of[n]] for n in range(len(reports))]


def report(outlet: str, amount: str, year: int) -> tuple[str, str]:
    text = HEIST[1].format(sum=amount, year=year, detail=DETAILS.get(year, DETAILS[2013]))
    return HEIST[0].format(outlet=outlet), text


def test_two_look_alike_heists_that_state_different_sums_and_years_stay_apart() -> None:
    reports = []
    for outlet in OUTLETS:  # the two heists' coverage interleaved, a report each per outlet
        reports.append(report(outlet, "$2.6 million", 2013))
        reports.append(report(outlet, "$137 million", 2008))
    assert len(set(stream(reports, pairs=0))) == 1  # the words alone: one story
    stories = stream(reports)
    first, second = set(stories[0::2]), set(stories[1::2])
    assert len(first) == len(second) == 1 and first != second


def test_one_heists_coverage_stays_one_story_when_a_report_states_another_sum() -> None:
    reports = [report(outlet, "$2.6 million", 2013) for outlet in OUTLETS[:4]]
    reports.append(report(OUTLETS[4], "2 million euros", 2013))  # a converted sum
    reports.append(report("Daily", "$2.6 million", 2012))  # a wrong year
    assert len(set(stream(reports))) == 1


PIRATES = (
    "{outlet}: Indian navy foils pirate attack in the Gulf of Aden",
    "An Indian warship on anti-piracy patrol in the Gulf of Aden answered a distress call "
    "from a merchant vessel, drove off the attack and captured {count} Somali pirates with "
    "their boats, rifles and rocket launchers, a navy spokesman said. {detail}",
)
CAPTURES = {  # what each capture's reports share beyond the template
    23: "The destroyer sent marine commandos on a helicopter to the Ethiopian ship.",
    26: "The patrol vessel was escorting five merchant ships through the corridor.",
}


def test_two_pirate_captures_that_state_different_counts_stay_apart() -> None:
    reports = []
    for outlet in OUTLETS:
        for count in (23, 26):
            text = PIRATES[1].format(count=count, detail=CAPTURES[count])
            reports.append((PIRATES[0].format(outlet=outlet), text))
    assert len(set(stream(reports, pairs=0))) == 1
    stories = stream(reports)
    first, second = set(stories[0::2]), set(stories[1::2])
    assert len(first) == len(second) == 1 and first != second
