"""Glued outlet + date lines, and the outlet's order of numeric dates (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from broadsheet.extract import extract
from broadsheet.extract.dates import find_dates
from broadsheet.extract.glued import (
    Glued,
    decide_order,
    is_ambiguous,
    order_evidence,
    parse_glued,
    redate,
)
from broadsheet.extract.site import SiteRules

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the report says the harbour board met on Tuesday to discuss the "
    f"pier, the ferry timetable and the cost of repairs to the northern sea wall.</p>"
    for i in range(5)
)


def seed_page(printed: str, lang: str = "en") -> str:
    """The outlet and the date as two spans: the page's text reads "Arab News04-06-2025"."""
    return (
        f'<html lang="{lang}"><head><title>Pier repairs approved</title></head><body><article>'
        f"<h1>Pier repairs approved</h1><p><span>Arab News</span><span>{printed}</span></p>"
        f"{PARAGRAPHS}</article></body></html>"
    )


@pytest.mark.parametrize(
    ("line", "outlet", "printed"),
    [
        ("Arab News04-06-2025", "Arab News", "04-06-2025"),
        ("The Harbourton Courier21-06-2025", "The Harbourton Courier", "21-06-2025"),
        ("Arab News | June 4, 2025", "Arab News", "June 4, 2025"),
        ("Le Monde · 4 juin 2025", "Le Monde", "4 juin 2025"),
        ("Daily Star2025-06-04 09:30", "Daily Star", "2025-06-04"),
        ("Kilima Observer 04/06/2025, 14:05", "Kilima Observer", "04/06/2025"),
    ],
)
def test_glued_outlet_and_date_are_parsed(line: str, outlet: str, printed: str) -> None:
    assert parse_glued(line) == Glued(outlet, printed)


@pytest.mark.parametrize(
    "line",
    [
        "The council met on 04-06-2025",  # a sentence, not a name
        "Published 04-06-2025",  # a label: the lone-date rule's business
        "Monday 4 June 2025",  # a weekday is not an outlet
        "LONDON, June 4, 2025",  # a dateline's place is not an outlet
        "04-06-2025",
        "Arab News",
        "Figures released on 04-06-2025 show that the population has risen by twelve per cent "
        "since the last census was taken",
        "Sales rose 12.5% in the year to 04-06-2025.",
    ],
)
def test_other_lines_are_not_glued(line: str) -> None:
    assert parse_glued(line) is None


def test_order_evidence_needs_a_day_above_twelve() -> None:
    assert order_evidence("21-06-2025") == "dmy"
    assert order_evidence("06-21-2025") == "mdy"
    assert order_evidence("04-06-2025") is None
    assert order_evidence("June 4, 2025") is None
    assert order_evidence(None) is None
    assert is_ambiguous("04-06-2025") and not is_ambiguous("05-05-2025")
    assert not is_ambiguous("21-06-2025")


def test_one_page_decides_and_a_split_outlet_needs_a_clear_majority() -> None:
    assert decide_order(0, 0) is None
    assert decide_order(1, 0) == "dmy" and decide_order(0, 3) == "mdy"
    assert decide_order(3, 2) is None  # two templates: no clear order
    assert decide_order(4, 2) == "dmy"


def test_redate_fixes_only_a_date_read_in_the_wrong_order() -> None:
    wrong = datetime(2025, 4, 6, 12, tzinfo=UTC)  # 04-06-2025 read month first
    assert redate(wrong, "04-06-2025", "dmy") == datetime(2025, 6, 4, 12, tzinfo=UTC)
    assert redate(wrong, "04-06-2025", "mdy") is None  # it was read right
    meta = datetime(2025, 6, 3, 8, tzinfo=UTC)  # dated by the page's metadata
    assert redate(meta, "04-06-2025", "dmy") is None
    assert redate(wrong, "21-06-2025", "dmy") is None  # not ambiguous
    assert redate(None, "04-06-2025", "dmy") is None
    assert redate(wrong, "04-06-2025", None) is None


def test_the_outlets_order_overrides_the_locale() -> None:
    tree = lxml_html.fromstring(seed_page("04-06-2025", lang="en-US"))
    guess = find_dates(tree, "https://x.test/a", language="en-US").published
    assert guess and guess.month == 4  # en-US writes the month first
    dates = find_dates(tree, "https://x.test/a", language="en-US", date_order="dmy")
    assert dates.published
    assert (dates.published.month, dates.published.day) == (6, 4)
    assert dates.printed == "04-06-2025"


def test_extract_keeps_a_glued_line_out_of_the_body_and_credits_its_outlet() -> None:
    article = extract("https://daily.test/news/1", seed_page("04-06-2025"))
    assert "Arab News" not in article.text and "04-06-2025" not in article.text
    assert article.site_name == "Arab News"
    assert article.printed_date == "04-06-2025"
    assert article.published and (article.published.month, article.published.day) == (6, 4)
    us = extract("https://daily.test/news/1", seed_page("06-04-2025"),
                 site=SiteRules(date_order="mdy"))  # fmt: skip
    assert us.published and (us.published.month, us.published.day) == (6, 4)
