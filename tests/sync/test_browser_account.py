"""The account page in a real browser (chromium): make an app password with the plain
form (no script needed), see it once, revoke it; a refused webhook says why; a phone
view fits. Screenshots are kept in the test's tmp_path (and looked at)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import BROWSER_WAIT_MS, PASSWORD, make_user
from tests.readers.test_browser_readers import Shots, _watch
from tests.support.served import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
]


@pytest.fixture
def site(settings: Settings, store: Store) -> Iterator[str]:
    make_user(store, settings, "ada@example.org", "Ada")
    settings.public_url = None
    with served(create_app(settings, store)) as url:
        yield url


def test_app_passwords_on_the_account_page(site: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    shot = Shots(tmp_path)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=BROWSER_WAIT_MS,
        )
        try:
            context = browser.new_context(
                viewport=DESKTOP, locale="en-US", timezone_id="UTC", java_script_enabled=False
            )
            page = _watch(context.new_page(), problems)
            page.goto(site + "/signin")
            page.get_by_label("Email address").fill("ada@example.org")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.goto(site + "/account")
            page.get_by_label("Label (which app or program)").fill("Reeder on my phone")
            page.get_by_role("button", name="Make it").click()
            secret = page.locator(".credential-secret").inner_text()
            assert re.fullmatch(r"([a-z2-7]{5}-){5}[a-z2-7]{5}", secret)
            expect(page.get_by_text(site, exact=False).first).to_be_visible()
            shot(page, "app-password-made")
            page.goto(site + "/account")
            expect(page.locator(".credential-secret")).to_have_count(0)  # shown once
            expect(page.get_by_role("cell", name="Reeder on my phone", exact=True)).to_be_visible()
            page.get_by_label("Address").fill("http://127.0.0.1:1/hook")
            page.get_by_role("button", name="Add webhook").click()
            expect(page.get_by_role("alert")).to_contain_text("private network")
            shot(page, "webhook-refused")
            page.get_by_role("button", name="Revoke Reeder on my phone").click()
            expect(page.get_by_role("status")).to_contain_text("Revoked")
            expect(page.get_by_role("cell", name="Reeder on my phone", exact=True)).to_have_count(0)

            phone = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="UTC")
            small = _watch(phone.new_page(), problems)
            small.goto(site + "/signin")
            small.get_by_label("Email address").fill("ada@example.org")
            small.get_by_label("Password").fill(PASSWORD)
            small.get_by_role("button", name="Sign in", exact=True).click()
            small.goto(site + "/account")
            small.get_by_role("button", name="Make it").click()
            # the click submits a form: measure the page it leads to, not the one unloading
            expect(small.locator(".credential-secret")).to_be_visible()
            small.wait_for_load_state()
            width = small.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
            shot(small, "phone")
        finally:
            browser.close()
    # the refused webhook's page is a 400 on purpose; nothing else may complain
    assert [p for p in problems if "status of 400" not in p] == []
