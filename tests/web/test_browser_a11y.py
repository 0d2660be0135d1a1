"""Accessibility, checked by axe-core (axe-playwright-python) in Debian's chromium: every
page type, light and dark, anonymous and signed in, English and Arabic, has no serious or
critical violation (landmarks, labels, names, contrast, ARIA, language)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from broadsheet.accounts import Passwords
from broadsheet.web.app import create_app
from tests.support.served import served
from tests.web.sample import NOW
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP
from tests.web.test_query_counts import COUNTRY, ENTITY, SMALL, TOPIC, Built, build

PASSWORD = "correct horse battery"
EMAIL = "reader@example.org"
SERIOUS = ("serious", "critical")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


def anonymous_pages(built: Built) -> dict[str, str]:
    return {
        "home": "/",
        "latest": "/latest",
        "stories": "/stories",
        "article": f"/articles/{built.article}",
        "story": f"/stories/{built.story}",
        "entity": f"/entities/{ENTITY}",
        "place": f"/places/{COUNTRY.lower()}",
        "topic": f"/topics/{TOPIC}",
        "source": f"/sources/{built.source}",
        "search": "/search?q=report",
        "search, no results": "/search?q=zzzzqqq",
        "daily": "/daily",
        "daily, an edition's": f"/daily/{EDITION}/{NOW.date().isoformat()}",
        "editions": "/editions",
        "edition": f"/editions/{EDITION}",
        "signin": "/signin",
        "signup": "/signup",
        "offline": "/offline",
        "error 404": "/nowhere",
    }


EDITION = "gb-en"  # made by the outlet the site fixture adds
READER_PAGES = {"account": "/account", "saved": "/saved", "for-you": "/for-you"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Built]]:
    built = build(tmp_path_factory.mktemp("a11y"), SMALL)
    settings = built.settings
    hasher = Passwords(settings.argon2_memory_kib, settings.argon2_time_cost)
    uid = built.store.create_user(EMAIL, "Reader", hasher.hash(PASSWORD), "reader", NOW)
    assert uid is not None
    built.store.save_for_later(uid, built.article, NOW, keep=True)  # a non-empty saved list
    # an outlet with a country and a language makes an edition (the sample's have no language)
    built.store.add_source(
        "https://local.example/feed", "Local Outlet", country="GB", language="en"
    )
    try:
        with served(create_app(settings, built.store)) as url:
            yield url, built
    finally:
        built.store.close()


def _serious(results: Any) -> list[str]:
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


def _sign_in(page: Any, base_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(base_url + "/signin")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    # the password form (the passkey form beside it has its own submit button)
    page.locator('main form[action="/signin"] button[type=submit]').click()
    expect(page.locator(".reader-menu__name")).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violation_on_any_page_type(
    site: tuple[str, Built], scheme: str, tmp_path: Path
) -> None:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    base_url, built = site
    axe = Axe()
    problems: dict[str, list[str]] = {}
    checked = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            for lang in ("en", "ar"):
                context = browser.new_context(
                    viewport=DESKTOP, locale=lang, timezone_id="UTC", color_scheme=scheme
                )
                page = context.new_page()
                pages = dict(anonymous_pages(built))
                if lang == "en":
                    _sign_in(page, base_url)
                    pages.update(READER_PAGES)
                for name, path in pages.items():
                    response = page.goto(base_url + path)
                    assert response is not None
                    assert response.status == (404 if name == "error 404" else 200), path
                    assert page.locator("html").get_attribute("lang") == lang
                    found = _serious(axe.run(page))
                    checked.append(f"{lang} {name}")
                    if found:
                        problems[f"{lang} {name} ({path})"] = found
                context.close()
        finally:
            browser.close()
    assert len(checked) == 2 * len(anonymous_pages(built)) + len(READER_PAGES)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
