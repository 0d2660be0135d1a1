"""What a person sees: Debian's chromium, driven by Playwright, against uvicorn on 127.0.0.1.

Screenshots go to a temp dir; with BROADSHEET_SCREENSHOTS=1 the desktop home page is also
copied to docs/screenshots/ (the article and story pages: test_browser_article.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.support.served import served
from tests.web.sample import ARTICLES, seed

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}


def publish(shots: dict[str, Path], targets: dict[str, str]) -> None:
    """With BROADSHEET_SCREENSHOTS=1 (``make screenshots``), copy the named screenshots
    to docs/screenshots/ under their target names."""
    if os.environ.get("BROADSHEET_SCREENSHOTS") != "1":
        return
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, target in targets.items():
        shutil.copyfile(shots[name], DOCS_SCREENSHOTS / target)


PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def base_url(settings: Settings, store: Store) -> Iterator[str]:
    """The app served by uvicorn in a thread, on a free loopback port (real clock)."""
    seed(store, now=datetime.now(UTC))
    with served(create_app(settings, store)) as url:
        yield url


def test_home_to_article_in_a_real_browser(base_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    shots: dict[str, Path] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for device, viewport, scheme in (
                ("desktop", DESKTOP, "light"),
                ("phone", PHONE, "light"),
                ("phone-dark", PHONE, "dark"),
            ):
                context = browser.new_context(
                    viewport=viewport, locale="en-US", timezone_id="UTC", color_scheme=scheme
                )
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

                page.goto(base_url + "/")
                assert page.locator(".teaser").count() == len(ARTICLES)
                first = page.locator(".teaser__title a").first
                assert first.inner_text() == ARTICLES[0].title
                assert "minutes ago" in page.locator(".teaser__time").first.inner_text()
                # lazy icons load after the load event: wait for it, don't race it
                expect(page.locator("img.outlet__icon").first).to_have_js_property(
                    "naturalWidth", 16
                )
                # Nothing sticks out sideways on a phone.
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                shots[f"home-{device}"] = tmp_path / f"home-{device}.png"
                page.screenshot(path=str(shots[f"home-{device}"]), full_page=True)

                first.click()
                page.wait_for_url("**/articles/*")
                assert page.locator("h1").count() == 1
                assert page.locator("h1").inner_text() == ARTICLES[0].title
                assert page.get_by_text(ARTICLES[0].title, exact=True).count() == 1
                original = page.locator(".original a")
                assert original.get_attribute("rel") == "noopener noreferrer"
                assert original.get_attribute("target") == "_blank"
                assert page.locator(".article__body p").count() == len(ARTICLES[0].paragraphs)
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                shots[f"article-{device}"] = tmp_path / f"article-{device}.png"
                page.screenshot(path=str(shots[f"article-{device}"]), full_page=True)
                context.close()
        finally:
            browser.close()

    assert problems == []  # no CSP violations, no failed requests, no script errors
    assert all(p.stat().st_size > 5_000 for p in shots.values())
    if os.environ.get("BROADSHEET_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # the article pages' screenshots come from test_browser_article.py (a story with
        # its AI panel and coverage): only the home page's from here
        shutil.copyfile(shots["home-desktop"], DOCS_SCREENSHOTS / "home.png")


def test_search_as_you_type_with_filters(base_url: str, tmp_path: Path) -> None:
    """Type in the search box: htmx swaps the results in; a filter narrows them; the
    matches are highlighted; no CSP violation or script error on the way."""
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport, locale="en-US")
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.goto(base_url + "/")
                page.fill("#site-search", "strike")
                page.press("#site-search", "Enter")
                page.wait_for_url("**/search?q=strike")
                assert page.locator(".search-hit").count() >= 1
                assert page.locator(".search-hit mark").first.inner_text().lower() == "strike"
                # as you type: no submit, the results change in place
                page.fill("#q", "auror")
                results = page.locator("#search-results")
                expect(results).to_contain_text("auroras")
                assert "Port workers" not in page.locator("#search-results").inner_text()
                # the outlet filter follows: the outlets of what was typed (out of band)
                expect(page.locator("#search-outlet")).to_contain_text("Nordic Wire")
                assert "Harbour Gazette" not in page.locator("#search-outlet").inner_text()
                # a filter that excludes the match: the helpful empty state
                page.select_option("select[name=topic]", "sport")
                expect(results).to_contain_text("No results")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                page.screenshot(path=str(tmp_path / f"search-{device}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    assert problems == []


def test_read_an_opened_article_offline(base_url: str, tmp_path: Path) -> None:
    """The service worker keeps the articles a reader opened: offline, the article still
    opens; an article never opened gives the offline page, which lists the kept ones."""
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=PHONE, locale="en-US")
            page = context.new_page()
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(base_url + "/")
            # the worker is installed and controls the page (a reload after it claims)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.reload()
            links = page.locator(".teaser__title a")
            first_href = links.nth(0).get_attribute("href")
            other_href = links.nth(1).get_attribute("href")
            assert first_href and other_href
            page.goto(base_url + first_href)
            expect(page.locator("h1")).to_have_text(ARTICLES[0].title)

            context.set_offline(True)
            page.goto(base_url + first_href)
            expect(page.locator("h1")).to_have_text(ARTICLES[0].title)
            assert page.locator(".article__body p").count() == len(ARTICLES[0].paragraphs)
            page.screenshot(path=str(tmp_path / "offline-article.png"), full_page=True)

            page.goto(base_url + other_href)  # never opened: the offline page
            expect(page.locator("h1")).to_have_text("You are offline")
            kept = page.locator("#offline-articles a")
            expect(kept).to_have_count(1)
            expect(kept.first).to_have_text(ARTICLES[0].title)
            page.screenshot(path=str(tmp_path / "offline-page.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert problems == []
