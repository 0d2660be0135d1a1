"""The interface in another language, in Debian's chromium: switch to Arabic and the page
is right to left (dir="rtl", the masthead mirrored, measured by bounding boxes); switch to
French and it speaks French; the keyboard shortcuts. Screenshots (desktop 1280×800 and phone
390×844) go to the test's temp dir and, with BROADSHEET_SCREENSHOTS=1, to docs/screenshots/.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.support.served import served
from tests.web.sample import seed
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DOCS_SCREENSHOTS

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def base_url(settings: Settings, store: Store) -> Iterator[str]:
    seed(store, now=datetime.now(UTC))
    with served(create_app(settings, store)) as url:
        yield url


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def test_switch_to_arabic_then_french(base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots: dict[str, Path] = {}
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="UTC")
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
                )
                page.goto(base_url + "/latest")
                html = page.locator("html")
                expect(html).to_have_attribute("dir", "ltr")
                first, second = (
                    _box(page, ".masthead__nav a >> nth=0"),
                    _box(page, ".masthead__nav a >> nth=1"),
                )
                assert first["x"] < second["x"]  # left to right
                ltr_wordmark = _box(page, ".wordmark")

                page.locator('.language-switcher button[value="ar"]').click()
                expect(html).to_have_attribute("dir", "rtl")
                expect(html).to_have_attribute("lang", "ar")
                expect(page.locator("main h1")).to_have_text("آخر الأخبار")
                assert page.url == base_url + "/latest"  # back on the page it was made on
                first, second = (
                    _box(page, ".masthead__nav a >> nth=0"),
                    _box(page, ".masthead__nav a >> nth=1"),
                )
                assert first["x"] > second["x"], (first, second)  # mirrored: right to left
                wordmark = _box(page, ".wordmark")
                assert wordmark["x"] > ltr_wordmark["x"]  # the wordmark moved to the right
                assert wordmark["x"] + wordmark["width"] > viewport["width"] * 0.75
                title = _box(page, "main .teaser__title >> nth=0")
                main = _box(page, "main")
                # headlines are Latin text but the column starts on the right
                assert title["x"] + title["width"] > main["x"] + main["width"] * 0.9
                for name in ("latest", "article"):
                    if name == "article":
                        page.locator("main .teaser__title a").first.click()
                        expect(page.locator("html")).to_have_attribute("dir", "rtl")
                    shot = tmp_path / f"{name}-ar-{device}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots[f"{name}-ar-{device}"] = shot

                page.goto(base_url + "/daily")
                page.locator('.language-switcher button[value="fr"]').click()
                expect(html).to_have_attribute("dir", "ltr")
                expect(html).to_have_attribute("lang", "fr")
                expect(page.locator("main h1")).to_have_text("Les 8 du jour")
                expect(page.locator(".masthead__nav")).to_contain_text("À la une")
                page.goto(base_url + "/latest")
                expect(page.locator("main h1")).to_have_text("Dernières nouvelles")
                expect(page.locator(".teaser__time time").first).to_contain_text("il y a")
                shot = tmp_path / f"latest-fr-{device}.png"
                page.screenshot(path=str(shot), full_page=True)
                shots[f"latest-fr-{device}"] = shot
                context.close()
        finally:
            browser.close()
    assert not problems, problems
    for shot in shots.values():
        assert shot.stat().st_size > 10_000
    if os.environ.get("BROADSHEET_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name, shot in shots.items():
            shutil.copyfile(shot, DOCS_SCREENSHOTS / f"{name}.png")


def test_keyboard_shortcuts(base_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=DESKTOP, locale="en-US")
            page.goto(base_url + "/latest")
            links = page.locator("main .stream > li .teaser__title a")
            expect(links.first).to_be_visible()
            page.keyboard.press("j")
            expect(links.nth(0)).to_be_focused()
            page.keyboard.press("j")
            expect(links.nth(1)).to_be_focused()
            expect(page.locator("main .stream > li").nth(1)).to_have_class("teaser is-current")
            page.keyboard.press("k")
            expect(links.nth(0)).to_be_focused()

            page.keyboard.press("/")
            search = page.locator("#site-search")
            expect(search).to_be_focused()
            page.keyboard.type("jk/s?")  # typing in a field: no shortcut fires
            expect(search).to_have_value("jk/s?")
            expect(search).to_be_focused()
            expect(page.locator("#shortcuts")).to_be_hidden()

            page.locator("main h1").click()  # out of the field
            page.keyboard.press("?")
            dialog = page.locator("#shortcuts")
            expect(dialog).to_be_visible()
            expect(dialog).to_contain_text("Next item")
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()

            page.keyboard.press("j")  # on from the current item (the first)
            expect(links.nth(1)).to_be_focused()
            page.keyboard.press("Enter")  # the focused item opens
            expect(page.locator("article h1, main h1").first).to_be_visible()
            assert "/articles/" in page.url
        finally:
            browser.close()
