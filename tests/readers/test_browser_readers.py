"""Readers in a real browser (Debian's chromium through Playwright, uvicorn on 127.0.0.1):
sign up → comment → (moderator publishes) → reply → another reader reports → a moderator
hides it; save → Saved page. Screenshots of each step land in tmp_path; the forms are
plain HTML forms (no script needed), under the site's strict CSP."""

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
from tests.support.served import served
from tests.web.sample import ARTICLES, seed
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
]


@pytest.fixture
def site(settings: Settings, store: Store) -> Iterator[str]:
    ids = seed(store, now=datetime.now(UTC))
    store.save_understanding(
        ids["port-strike-ends"], {"topics": [{"topic": "economy", "score": 0.9}]}, {}
    )
    make_user(store, settings, "bob@example.org", "Bob")
    make_user(store, settings, "mod@example.org", "Mo", role="moderator")
    with served(create_app(settings, store)) as url:
        yield url


class Shots:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.taken: list[Path] = []

    def __call__(self, page: Any, name: str) -> None:
        path = self.folder / f"{len(self.taken):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)


def _watch(page: Any, problems: list[str]) -> Any:
    """The page as the tests drive it: its problems collected, its waits (actions and
    navigations) up to BROWSER_WAIT_MS."""
    page.set_default_timeout(BROWSER_WAIT_MS)
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return page


def _sign_in(browser: Any, base: str, email: str, problems: list[str]) -> Any:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="UTC")
    page = _watch(context.new_page(), problems)
    page.goto(base + "/signin")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/")
    return page


def test_sign_up_comment_reply_report_hide_and_save(site: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    shot = Shots(tmp_path)
    title = ARTICLES[0].title
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=BROWSER_WAIT_MS,
        )
        try:
            # A new reader signs up from the masthead.
            context = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id="UTC")
            ann = _watch(context.new_page(), problems)
            ann.goto(site + "/")
            ann.get_by_role("link", name="Sign in").click()
            ann.get_by_role("link", name="Create an account").click()
            ann.get_by_label("Name shown with your comments").fill("Ann Reader")
            ann.get_by_label("Email address").fill("ann@example.org")
            ann.get_by_label("Password").fill("a long enough password")
            shot(ann, "signup")
            ann.get_by_role("button", name="Create account").click()
            expect(ann.locator(".reader-menu__name")).to_have_text("Ann Reader")

            # Comment on the top article: held, as a first comment is.
            ann.goto(site + "/")
            ann.get_by_role("link", name=title).first.click()
            expect(ann.locator(".comments")).to_contain_text("No comments yet")
            ann.get_by_label("Add a comment").fill(
                "Good news for the port: https://example.org/port"
            )
            ann.get_by_role("button", name="Post comment").click()
            expect(ann.locator(".comment__held")).to_have_text("Waiting for a moderator")
            shot(ann, "comment-held")

            # The moderator publishes it.
            mod = _sign_in(browser, site, "mod@example.org", problems)
            mod.goto(site + "/admin/moderation")
            expect(mod.locator(".moderation__item")).to_contain_text("Good news for the port")
            shot(mod, "queue-held")
            mod.get_by_role("button", name="Publish").click()
            expect(mod.locator(".empty__title")).to_have_text("Nothing to review")

            # Bob replies (the reply form opens without script, a <details>), then reports.
            bob = _sign_in(browser, site, "bob@example.org", problems)
            bob.get_by_role("link", name=title).first.click()
            comment = bob.locator(".comment").first
            expect(comment).to_contain_text("Good news for the port")
            link = comment.locator(".comment__body a")
            expect(link).to_have_attribute("rel", "nofollow ugc noopener noreferrer")
            comment.locator("summary", has_text="Reply").click()
            comment.get_by_label("Reply to Ann Reader").fill("Agreed, about time.")
            comment.get_by_role("button", name="Post reply").click()
            expect(bob.locator(".comment-list--replies .comment")).to_contain_text("Agreed")
            shot(bob, "reply")
            bob.locator(".comment").first.get_by_role("button", name="Report").first.click()
            expect(bob.locator(".form-notice")).to_contain_text("a moderator will look")

            # The moderator hides the reported comment; readers no longer see it.
            mod.goto(site + "/admin/moderation")
            # (Bob's reply is there too: his first comment waits for review.)
            reported = mod.locator(".moderation__item", has_text="Good news for the port")
            expect(reported).to_contain_text("reported 1 time")
            expect(mod.locator(".moderation__item", has_text="Agreed")).to_contain_text("held")
            shot(mod, "queue-reported")
            reported.get_by_role("button", name="Hide").click()
            expect(mod.locator(".moderation__log")).to_contain_text("hide")
            bob.reload()
            expect(bob.locator(".comments")).not_to_contain_text("Good news for the port")

            # Save → Saved page.
            bob.get_by_role("button", name="Save").click()
            expect(bob.get_by_role("button", name="Saved ✓")).to_be_visible()
            shot(bob, "article-saved")
            bob.get_by_role("link", name="Saved", exact=True).click()
            expect(bob.locator(".reader-list")).to_contain_text(title)
            shot(bob, "saved-page")

            # On a phone, the signed-in masthead and the comments fit the width.
            phone_context = browser.new_context(
                viewport=PHONE,
                locale="en-US",
                timezone_id="UTC",
                storage_state=bob.context.storage_state(),
            )
            phone = _watch(phone_context.new_page(), problems)
            phone.goto(bob.url.replace("/saved", "/"))
            phone.get_by_role("link", name=title).first.click()
            expect(phone.locator(".reader-menu__name")).to_be_visible()
            expect(phone.get_by_label("Add a comment")).to_be_visible()
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            shot(phone, "article-phone")
        finally:
            browser.close()

    assert problems == []  # no CSP violations, no script errors
    assert len(shot.taken) == 8 and all(p.stat().st_size > 5_000 for p in shot.taken)


def test_follow_a_topic_then_for_you_shows_it_with_the_reason(site: str, tmp_path: Path) -> None:
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
            bob = _sign_in(browser, site, "bob@example.org", problems)
            bob.get_by_role("link", name="For you").click()
            expect(bob.locator(".form-notice")).to_contain_text("Follow topics")
            expect(bob.locator(".teaser").first).to_contain_text("The latest news")  # no stories
            shot(bob, "for-you-new-reader")
            bob.goto(site + "/topics/economy")
            bob.get_by_role("button", name="Follow Economy").click()
            expect(bob.get_by_role("button", name="Following Economy ✓")).to_be_visible()
            bob.get_by_role("link", name="For you").click()
            first = bob.locator(".teaser").first
            expect(first).to_contain_text(ARTICLES[0].title)
            expect(first.locator(".for-you__reason")).to_have_text("Because you follow Economy")
            shot(bob, "for-you-following")
        finally:
            browser.close()
    assert problems == []
    assert all(p.stat().st_size > 5_000 for p in shot.taken)
