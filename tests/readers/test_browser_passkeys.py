"""Passkeys in a real browser: Debian's chromium through Playwright with Chromium's
virtual authenticator (CDP WebAuthn domain: ctap2, internal transport, resident keys,
user verification), the real app under uvicorn. A reader adds a passkey on the account
page, signs out, signs in with it from the sign-in page, and removes it. Screenshots in
tmp_path. The site is browsed as http://localhost:PORT: Chromium refuses an IP address
as a relying party id (checked below for 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import BROWSER_WAIT_MS, PASSWORD, make_user
from tests.readers.test_browser_readers import Shots, _watch
from tests.support.served import served
from tests.web.sample import seed
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
]


@pytest.fixture
def site(settings: Settings, store: Store) -> Iterator[str]:
    seed(store, now=datetime.now(UTC))
    make_user(store, settings, "ada@example.org", "Ada")
    with served(create_app(settings, store)) as url:
        yield url


def _authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, made["authenticatorId"]


def _password_sign_in(page: Any, base: str) -> None:
    page.goto(base + "/signin")
    page.get_by_label("Email address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/")


def test_add_a_passkey_sign_in_with_it_and_remove_it(
    site: str, store: Store, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = site.replace("127.0.0.1", "localhost")
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
            context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="UTC")
            page = _watch(context.new_page(), problems)
            cdp, authenticator = _authenticator(page)
            _password_sign_in(page, base)
            page.goto(base + "/account")
            page.get_by_label("Name of the new passkey").fill("Laptop")
            page.get_by_role("button", name="Add a passkey").click()
            page.wait_for_url(base + "/account?done=passkey-added")
            expect(page.locator(".form-notice")).to_contain_text("Your passkey is added")
            expect(page.locator(".passkeys")).to_contain_text("Laptop")
            shot(page, "passkey-added")
            creds = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
            assert (
                len(creds["credentials"]) == 1 and creds["credentials"][0]["isResidentCredential"]
            )
            uid = store.user_by_email("ada@example.org")[0].id  # type: ignore[index]
            [kept] = store.passkeys_of(uid)
            assert kept["name"] == "Laptop" and kept["last_used_at"] is None

            # Sign out, then in with the passkey: no address, no password.
            page.get_by_role("button", name="Sign out").click()
            expect(page.locator(".reader-menu")).to_contain_text("Sign in")
            page.goto(base + "/signin?next=/saved")
            shot(page, "signin-page")
            page.get_by_role("button", name="Sign in with a passkey").click()
            page.wait_for_url(base + "/saved")
            expect(page.locator(".reader-menu__name")).to_have_text("Ada")
            shot(page, "signed-in-with-passkey")
            assert store.passkeys_of(uid)[0]["last_used_at"] is not None

            # Remove it (a plain form); signing in with it then fails with a message.
            page.goto(base + "/account")
            page.get_by_role("button", name="Remove Laptop").click()
            page.wait_for_url(base + "/account?done=passkey-removed")
            assert store.passkeys_of(uid) == []
            page.get_by_role("button", name="Sign out").click()
            page.goto(base + "/signin")
            page.get_by_role("button", name="Sign in with a passkey").click()
            expect(page.locator("#passkey-signin-error")).to_contain_text(
                "That passkey did not work here"
            )
            shot(page, "removed-passkey-refused")
        finally:
            browser.close()
    assert [p for p in problems if "400" not in p] == []  # the refused sign-in logs a 400


def test_an_ip_address_is_no_relying_party_for_chromium(site: str, tmp_path: Path) -> None:
    """On http://127.0.0.1 the browser refuses to make a credential; the page says why."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=BROWSER_WAIT_MS,
        )
        try:
            page = browser.new_context(viewport=DESKTOP).new_page()
            page.set_default_timeout(BROWSER_WAIT_MS)
            _authenticator(page)
            _password_sign_in(page, site)
            page.goto(site + "/account")
            page.get_by_role("button", name="Add a passkey").click()
            expect(page.locator("#passkey-add-error")).to_contain_text("invalid domain")
            page.screenshot(path=str(tmp_path / "ip-address-refused.png"), full_page=True)
        finally:
            browser.close()
