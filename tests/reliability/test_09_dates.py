"""RELIABILITY 9: impossible dates fall back to the fetch time; day/month order from the page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from broadsheet.config import Settings
from broadsheet.pipeline import ingest_once
from broadsheet.store import Store
from tests.support.httpserver import Reply, TestServer

M = "tests/reliability/test_09_dates.py::"
LINES = {
    "Impossible dates (year 0, year 99999, +25:00, dates in the future)": [
        "tests/ingest/test_feeds.py::test_impossible_dates_are_none",
        "tests/extract/test_quality.py::test_never_in_the_future_and_modified_kept_apart",
        "tests/store/test_store.py::test_latest_sorts_by_published_but_never_into_the_future",
        "tests/fuzz/test_fuzz_parsers.py::test_any_date_text_is_a_sane_date_or_none",
        M + "test_09_impossible_dates_fall_back_to_the_fetch_time",
    ],
    "ambiguous day-month order is resolved from the page's locale and metadata.": [
        "tests/extract/test_quality.py::test_day_month_order_follows_the_page_locale",
        "tests/extract/test_quality.py::test_an_english_page_from_a_middle_east_outlet_is_day_first",
        "tests/extract/test_article.py::test_german_day_first_date_and_language",
        "tests/extract/test_glued.py::test_redate_fixes_only_a_date_read_in_the_wrong_order",
        "tests/extract/test_glued.py::test_the_outlets_order_overrides_the_locale",
    ],
}

DATES = {
    "year0": "Sat, 01 Jan 0000 10:00:00 GMT",
    "year99999": "Mon, 01 Jan 99999 10:00:00 GMT",
    "offset": "Fri, 28 Nov 2026 09:00:00 +2500",
    "future": "Fri, 01 Jan 2100 09:00:00 GMT",
    "garbage": "the day after tomorrow",
}
TEXT = (
    "The harbour authority confirmed on Tuesday that the northern pier will close for repairs "
    "after engineers found cracks in three of its supporting columns, a spokeswoman said. "
)


def test_09_impossible_dates_fall_back_to_the_fetch_time(
    server: TestServer, settings: Settings, store: Store
) -> None:
    items = "".join(
        f"<item><title>Dated {k}</title><link>{server.base}/{k}</link><pubDate>{v}</pubDate></item>"
        for k, v in DATES.items()
    )
    rss = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>D</title>{items}</channel></rss>'
    )
    server.route("/feed.xml", Reply(body=rss, headers={"content-type": "application/rss+xml"}))
    for k in DATES:  # pages with no date of their own
        server.route(f"/{k}", f"<html><body><article><h1>Dated {k}</h1><p>{k}: {TEXT * 3}</p>"
                              "</article></body></html>")  # fmt: skip
    store.add_source(server.url("/feed.xml"))
    before = datetime.now(UTC)
    quick = settings.model_copy(update={"understand": False})
    report = asyncio.run(ingest_once(quick, store))
    after = datetime.now(UTC)
    assert report.new_articles == len(DATES)
    for article in store.latest_articles(10):
        assert article.published is None or article.published <= after, article.title
        assert before <= article.fetched_at <= after
        assert before <= article.shown_at <= after, article.title  # the fetch time stands in
