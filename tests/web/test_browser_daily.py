"""An edition's Daily 8 as a reader sees it, in Debian's chromium: desktop (1280×900) and
phone (390×844), English and Arabic. The edition's local story leads and is marked, the
page fits the screen (no sideways scroll), Arabic is right to left with the publishers'
English headlines still left to right, and the feeds are advertised. Screenshots go to
the test's temp dir and, with BROADSHEET_SCREENSHOTS=1, to docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.stories import conftest as stories_fixtures
from tests.stories.sample import JAPAN, WIRE, at
from tests.support.served import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, publish

outlets = stories_fixtures.outlets
add = stories_fixtures.add
news = stories_fixtures.news

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]

# elements that stick out of the window (what makes a page scroll sideways)
OVERFLOWING = """
[...document.querySelectorAll('body *:not(.skip-link)')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5);
}).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().left)}`
  + `..${Math.round(e.getBoundingClientRect().right)}`).slice(0, 5)
"""


@pytest.fixture
def base_url(settings: Settings, store: Store, news: dict[str, int]) -> Iterator[str]:
    with served(create_app(settings, store, clock=lambda: at(80))) as url:
        yield url


def test_an_editions_daily_8_on_a_desktop_and_a_phone(base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots: dict[str, Path] = {}
    problems: list[str] = []
    host = base_url.split("//", 1)[1].split(":")[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for lang in ("en", "ar"):
                for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                    context = browser.new_context(viewport=viewport, timezone_id="UTC")
                    context.add_cookies(
                        [{"name": "lang", "value": lang, "domain": host, "path": "/"}]
                    )
                    page = context.new_page()
                    page.on(
                        "console",
                        lambda m: problems.append(m.text) if m.type == "error" else None,
                    )
                    page.goto(base_url + "/daily/jp-ja")
                    expect(page.locator("html")).to_have_attribute(
                        "dir", "rtl" if lang == "ar" else "ltr"
                    )
                    items = page.locator(".daily__item")
                    expect(items).to_have_count(2)
                    first = items.nth(0)
                    expect(first.locator(".daily__story")).to_have_text(JAPAN[0][0])
                    expect(first.locator(".daily__local")).to_be_visible()
                    expect(items.nth(1).locator(".daily__story")).to_have_text(WIRE[0])
                    expect(items.nth(1).locator(".daily__local")).to_have_count(0)
                    # the page fits the screen: nothing to scroll sideways
                    shot = tmp_path / f"daily-edition-{lang}-{device}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots[f"daily-edition-{lang}-{device}"] = shot
                    wide = page.evaluate(OVERFLOWING)
                    assert wide == [], (lang, device, wide)
                    widths = page.evaluate(
                        "[document.documentElement.scrollWidth, window.innerWidth]"
                    )
                    assert widths[0] <= widths[1], (lang, device, widths)
                    headline = first.locator(".daily__story")
                    direction = headline.evaluate("e => getComputedStyle(e).direction")
                    assert direction == "ltr", (lang, device)  # English text stays ltr
                    feeds = page.locator('head link[rel="alternate"]')
                    expect(feeds).to_have_count(3)
                    context.close()
        finally:
            browser.close()
    assert problems == []
    publish(shots, {n: f"{n}.png" for n in ("daily-edition-en-desktop", "daily-edition-ar-phone")})
