"""The article and story pages in Debian's chromium (Playwright) against uvicorn: the AI
panel beside the body on a desktop and a one-line fold above it on a phone, the ask form's
size, citations landing on a highlighted sentence, and the coverage on a phone.

Screenshots go to a temp dir; with BROADSHEET_SCREENSHOTS=1 they are copied to
docs/screenshots/ (article.png, article-phone.png, story.png, story-phone.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from broadsheet.config import Settings
from broadsheet.extract import content_hash
from broadsheet.models import Article
from broadsheet.store import Store
from broadsheet.store.stories import Change
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import understand
from broadsheet.web.app import create_app
from tests.ai import llmserver
from tests.ai.llmserver import ChatServer, model_settings
from tests.stories import conftest as stories
from tests.stories.sample import CHILE
from tests.support.served import served
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, publish

outlets = stories.outlets
chat = llmserver.chat
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

QUAKE = (
    "Chile quake: navy lifts tsunami warning as Iquique counts the damage",
    "A magnitude 7.1 earthquake struck off northern Chile near Iquique on Monday evening, "
    "the national seismology centre said. The navy issued a tsunami warning for the whole "
    "northern coast within minutes.\n\n"
    "Thousands of residents of Iquique and Arica spent the night on the hills above the two "
    "cities. Schools were used as shelters and the army handed out water and blankets.\n\n"
    "The interior minister said on Tuesday that damage was light: cracked walls in Iquique, "
    "a landslide on the coastal road to Arica and power cuts that were repaired overnight. "
    "No deaths were reported.\n\n"
    "Seismologists warned that aftershocks of magnitude 5 or more could follow for weeks, "
    "and asked residents to keep an emergency bag ready.\n\n"
    "The region last had an earthquake this strong in 2014, when a magnitude 8.2 quake "
    "forced the evacuation of nearly a million people.",
)
SPANISH = (
    "Terremoto de magnitud 7,1 sacude el norte de Chile",
    "Un terremoto de magnitud 7,1 sacudió el norte de Chile cerca de Iquique el lunes. "
    "La armada emitió una alerta de tsunami y los vecinos subieron a los cerros.",
)
FRENCH = (
    "Un séisme de magnitude 7,1 frappe le nord du Chili",
    "Un séisme de magnitude 7,1 a frappé le nord du Chili près d'Iquique lundi. La marine a "
    "émis une alerte au tsunami et les habitants ont gagné les hauteurs.",
)


def _article(url: str, title: str, text: str, language: str, when: datetime, author: str | None):
    return Article(
        url=url, canonical_url=url, title=title, text=text, language=language, author=author,
        html="".join(f"<p>{p}</p>" for p in text.split("\n\n")), published=when,
        content_hash=content_hash(text),
    )  # fmt: skip


@pytest.fixture
def site(
    settings: Settings, store: Store, outlets: dict[str, int], chat: ChatServer
) -> Iterator[dict[str, Any]]:
    """A story in three languages from five outlets (understood), served with a model."""
    now = datetime.now(UTC)
    rows = [
        ("Harbour Gazette", "https://harbour.example/quake", *QUAKE, "en", 1, "Amelia Okafor"),
        ("Andes Daily", "https://andes.example/terremoto", *SPANISH, "es", 9, None),
        ("Euro Ledger", "https://euro.example/seisme", *FRENCH, "fr", 7, None),
        ("Pacific Times", "https://pacific.example/quake", *CHILE[1], "en", 5, "Dana Reyes"),
        ("Nippon Herald", "https://nippon.example/chile", *CHILE[0], "en", 12, None),
    ]
    pipelines = Pipelines(settings.spacy_models)
    ids = []
    for outlet, url, title, text, lang, hours, author in rows:
        when = now - timedelta(hours=hours)
        saved = store.save_article(
            outlets[outlet], _article(url, title, text, lang, when, author), when
        )
        assert isinstance(saved, int)
        result = understand(pipelines, title, text, lang)
        store.save_understanding(saved, result.features(), result.versions)
        ids.append(saved)
    story = store.apply_story_changes([Change(article_id=i, story=-1) for i in ids])[-1]
    configured = model_settings(settings, chat)
    with served(create_app(configured, store)) as url:
        yield {"url": url, "article": ids[0], "story": story}


def _watch(page: Any, problems: list[str]) -> None:
    page.on(
        "console",
        lambda m: (
            problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))


def test_article_and_story_pages_on_a_desktop_and_a_phone(
    site: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    problems: list[str] = []
    shots: dict[str, Path] = {}
    article_path = f"/articles/{site['article']}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(viewport=viewport, locale="en", timezone_id="UTC")
                page = context.new_page()
                _watch(page, problems)
                page.goto(site["url"] + article_path)
                panel = page.locator(".ai-panel")
                body = page.locator(".article__body")
                points = page.locator(".ai-panel__points")
                p_box, b_box = panel.bounding_box(), body.bounding_box()
                assert p_box and b_box
                if device == "desktop":
                    # beside the body, open, in the first screen
                    assert p_box["x"] >= b_box["x"] + b_box["width"]
                    assert p_box["y"] < viewport["height"]
                    expect(points).to_be_visible()
                else:
                    # above the body as one line: the article starts on the first screen
                    assert p_box["y"] + p_box["height"] <= b_box["y"]
                    assert p_box["height"] < 80
                    assert b_box["y"] < viewport["height"] * 0.8
                    expect(points).to_be_hidden()
                shots[f"article-{device}"] = tmp_path / f"article-{device}.png"
                page.screenshot(path=str(shots[f"article-{device}"]), full_page=True)
                if device == "phone":
                    page.locator(".ai-panel__toggle").click()
                    expect(points).to_be_visible()
                # the ask form: a labelled, full-size field and a button
                field = page.locator("#ask-q")
                expect(page.get_by_label("Ask about this article")).to_be_visible()
                f_box = field.bounding_box()
                assert f_box and f_box["height"] >= 36 and f_box["width"] >= 180
                assert field.evaluate("e => getComputedStyle(e).fontSize") == "16px"
                expect(page.locator(".ask-form__button")).to_be_visible()
                # translations by name
                expect(page.locator(".ai-panel__translate a[hreflang=de]")).to_have_text("German")
                # a key point's link lands on its sentence, marked
                jump = page.locator(".ai-panel__points .ai-panel__jump").first
                target = jump.get_attribute("href")
                assert target and target.startswith("#s-")
                jump.click()
                sentence = page.locator(f".article__body {target}")
                expect(sentence).to_be_in_viewport()
                expect(sentence).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

                page.goto(site["url"] + f"/stories/{site['story']}")
                expect(page.locator(".story-summary__lines li").first).to_have_attribute(
                    "lang", "en"
                )
                who = page.locator("table.outlets")
                expect(who).to_contain_text("Chile")
                expect(who).to_contain_text("Spanish")
                if device == "phone":
                    # one card per outlet: "9 hours ago" on one line, names not cut off
                    for cell in page.locator("table.outlets td[data-label='First report']").all():
                        box = cell.bounding_box()
                        assert box and box["height"] < 30, box
                    names = page.locator("table.outlets th a, .coverage__outlet .outlet__name")
                    assert names.count() >= 10
                    for name in names.all():
                        assert name.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                shots[f"story-{device}"] = tmp_path / f"story-{device}.png"
                page.screenshot(path=str(shots[f"story-{device}"]), full_page=True)
                context.close()
        finally:
            browser.close()
    assert problems == []
    publish(
        shots,
        {
            "article-desktop": "article.png",
            "article-phone": "article-phone.png",
            "story-desktop": "story.png",
            "story-phone": "story-phone.png",
        },
    )
