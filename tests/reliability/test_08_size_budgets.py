"""RELIABILITY 8: regex and size DoS in fields, huge feeds and pages run under a budget."""

from __future__ import annotations

import pytest

from broadsheet.errors import ExtractError
from broadsheet.extract.article import extract
from broadsheet.models import FeedEntry
from tests.reliability.memory import MiB, peak_of

FE = "tests/ingest/test_feeds.py::"
M = "tests/reliability/test_08_size_budgets.py::"
LINES = {
    "Regex and size DoS in fields": [
        FE + "test_32kb_author_does_not_hang",
        FE + "test_100k_items_parse_in_bounded_time",
        FE + "test_long_title_is_capped",
        "tests/ingest/test_jsonfeed.py::test_items_are_capped",
        "tests/ingest/test_sitemap.py::test_url_cap",
        "tests/extract/test_quality.py::test_a_page_over_its_budget_raises_an_extract_error",
        "tests/extract/test_quality.py::test_hard_time_limit_interrupts_a_stage",
        "tests/test_pipeline.py::test_unfetchable_page_falls_back_to_feed_text",
        M + "test_08_a_million_row_table_and_giant_attributes_stay_within_the_budget",
        M + "test_08_huge_feeds_and_pages_stay_within_a_memory_bound",
    ],
}


# The budget's alarm raises wherever the interpreter is when it fires; inside a gc callback
# (hypothesis installs one once any of its tests ran) Python ignores that exception, and
# the repeating alarm raises again in the extraction (what this test checks). pytest would
# report the ignored one as a failure of whichever test was running.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("shape", ["table", "attribute"])
def test_08_a_million_row_table_and_giant_attributes_stay_within_the_budget(shape: str) -> None:
    if shape == "table":
        body = "<table>" + "<tr><td>cell</td><td>1</td></tr>" * 1_000_000 + "</table>"
    else:
        body = f'<div class="{"x " * 2_000_000}" data-x="{"y" * 4_000_000}"><p>Tiny.</p></div>'
    page = f"<html><head><title>Huge</title></head><body>{body}</body></html>".encode()
    entry = FeedEntry(
        url="https://huge.example/a", title="Huge page",
        summary="The feed's own summary of the huge page, long enough to stand as a text.",
    )  # fmt: skip
    # The page is cut to max_bytes and the work to the budget: what comes out is an article
    # (the page's text or the feed's summary) or an ExtractError, never a hang or a crash.
    try:
        article = extract("https://huge.example/a", page, entry=entry, budget=5.0)
    except ExtractError:
        return
    assert article.title and len(article.text) <= 3_000_000


# case -> (setup building the input, the case, its bound). A 100k-item feed keeps 500
# entries (feeds.MAX_ENTRIES); a 50 MB page is cut to extraction's 3 MiB before parsing.
HUGE = {
    "100k-item feed": (
        """
from broadsheet.ingest.feeds import parse_feed
item = b"<item><title>t%d</title><link>https://e.example/%d</link><author>x</author></item>"
body = b'<rss version="2.0"><channel><title>big</title>'
body += b"".join(item % (i, i) for i in range(100_000)) + b"</channel></rss>"
parse_feed("https://feed.example/rss", body[:2000] + b"</channel></rss>")  # warm up
""",
        'parse_feed("https://feed.example/rss", body)',
        64 * MiB,
    ),
    "50 MB page": (
        """
from broadsheet.extract.article import extract
para = b"<p>" + b"Words of a long article, one after another. " * 40 + b"</p>"
page = b"<html><head><title>Huge</title></head><body>" + para * (50 * 2**20 // len(para))
page += b"</body></html>"
extract("https://huge.example/a", page[:20_000] + b"</body></html>", budget=30.0)  # warm up
""",
        'extract("https://huge.example/a", page, budget=30.0)',
        256 * MiB,
    ),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_08_huge_feeds_and_pages_stay_within_a_memory_bound(name: str) -> None:
    setup, case, bound = HUGE[name]
    peak = peak_of(setup, case, timeout=300)
    print(f"{name}: {peak}")  # the figures of the note (pytest -s)
    assert peak.outcome in ("returned", "ExtractError"), peak
    assert peak.growth < bound, f"{name}: {peak}"
