"""What a reader sees of stories: Debian's chromium, driven by Playwright, against uvicorn.

The story and article pages' screenshots for docs/ come from tests/web/test_browser_article.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import BROWSER_WAIT_MS
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, JAPAN, WIRE, wire_copy
from tests.support.served import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def base_url(settings: Settings, store: Store, add: Add) -> Iterator[str]:
    now = datetime.now(UTC)

    def ago(hours: float) -> datetime:
        return now - timedelta(hours=hours)

    ids = [
        add("Andes Daily", *CHILE[0], ago(9)),
        add("Pacific Times", *CHILE[1], ago(5)),
        add("Harbour Gazette", *CHILE[2], ago(1)),
        add("Nippon Herald", *JAPAN[0], ago(3)),
        add("Euro Ledger", *WIRE, ago(4), author="AFP"),
        add("Quiet Weekly", *wire_copy("Quiet Weekly"), ago(2)),
        add("Pacific Times", *wire_copy("Pacific Times"), ago(2)),
    ]
    for i in ids:
        cluster_stored(store, settings, i)
    with served(create_app(settings, store)) as url:
        yield url


def test_home_to_full_coverage_in_a_real_browser(base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=BROWSER_WAIT_MS
        )
        # a reader whose browser names no country gets the world edition (an en-US
        # browser would open on the United States edition: tests/web/test_editions.py)
        page = browser.new_page(viewport=DESKTOP, locale="en")
        page.set_default_timeout(BROWSER_WAIT_MS)  # a hang guard: loaded machines are slow
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base_url + "/")
        assert page.locator("h1").inner_text().lower() == "top stories"
        page.locator("a.teaser__coverage").first.click()
        page.wait_for_load_state()
        assert "/stories/" in page.url
        assert page.locator(".story__kicker").inner_text().lower() == "full coverage"
        assert page.locator("table.outlets tbody tr").count() >= 2
        shot = tmp_path / "story.png"
        page.screenshot(path=str(shot), full_page=True)
        page.locator("ol.timeline a[href^='/articles/']").first.click()
        page.wait_for_load_state()
        coverage = page.locator("#coverage-title")
        assert coverage.is_visible()
        body_box = page.locator(".article__body").bounding_box()
        coverage_box = coverage.bounding_box()
        assert body_box and coverage_box and coverage_box["y"] > body_box["y"]
        page.screenshot(path=str(tmp_path / "article.png"), full_page=True)
        browser.close()
    assert errors == []
