from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.understand.pipelines import Pipelines
from broadsheet.understand.stage import understand
from broadsheet.web.app import create_app
from tests.ai.llmserver import ChatServer, model_settings
from tests.web.asgi import get
from tests.web.sample import NOW, seed

TEXT = (
    "North Korean leader Kim Jong Un met President Yoon Suk Yeol of South Korea in Seoul "
    "on Tuesday, the first summit between the two in five years.\n\n"
    "Mr. Kim said the talks were frank. The United Nations welcomed the meeting.\n\n"
    "Officials in Pyongyang and Seoul said a second summit could follow in the spring."
)


@pytest.fixture
def article_id(store: Store, pipelines: Pipelines) -> int:
    ids = seed(store)
    article = store.get_article(ids["port-strike-ends"])
    assert article is not None
    from broadsheet.models import Article

    source = store.add_source("https://korea.example/rss", name="Korea Daily")
    new_id = store.save_article(
        source.id,
        Article(
            url="https://korea.example/summit", canonical_url="https://korea.example/summit",
            title="Kim and Yoon meet in Seoul", text=TEXT, html="<p>body</p>",
            content_hash="k1", published=NOW,
        ),
        fetched_at=NOW,
    )  # fmt: skip
    assert isinstance(new_id, int)
    result = understand(pipelines, "Kim and Yoon meet in Seoul", TEXT)
    written = store.save_understanding(new_id, result.features(), result.versions)
    assert "entities" in written
    assert store.save_understanding(new_id, result.features(), result.versions) == []  # idempotent
    return new_id


def test_article_page_panel_sits_before_the_body(
    settings: Settings, store: Store, article_id: int
) -> None:
    page = get(create_app(settings, store, clock=lambda: NOW), f"/articles/{article_id}").text
    body, panel = page.index('class="article__body"'), page.index('class="ai-panel"')
    assert panel < body  # beside it on a wide screen, a fold above it on a phone (CSS)
    assert "Key points" in page
    assert 'href="/entities/person:kim-jong-un"' in page
    assert 'href="/places/kr"' in page
    assert "Ask about this article" not in page  # no model configured


def test_entity_place_and_topic_pages(settings: Settings, store: Store, article_id: int) -> None:
    app = create_app(settings, store, clock=lambda: NOW)
    entity = get(app, "/entities/person:kim-jong-un")
    assert entity.status_code == 200 and "Kim Jong Un" in entity.text
    assert f'href="/articles/{article_id}"' in entity.text
    place = get(app, "/places/kr")
    assert place.status_code == 200 and "Kim and Yoon meet in Seoul" in place.text
    assert get(app, "/entities/person:nobody").status_code == 404
    assert get(app, "/entities/<script>").status_code == 404
    assert get(app, "/topics/astrology").status_code == 404


@pytest.fixture
def ai_app(settings: Settings, store: Store) -> Iterator[tuple[FastAPI, ChatServer]]:
    chat = ChatServer().start()
    yield create_app(model_settings(settings, chat), store, clock=lambda: NOW), chat
    chat.stop()


def test_ask_and_translate_with_a_model_and_fallback_when_it_fails(
    ai_app: tuple[FastAPI, ChatServer], article_id: int
) -> None:
    app, chat = ai_app
    assert "Ask about this article" in get(app, f"/articles/{article_id}").text
    answer = get(app, f"/articles/{article_id}/ask?q=Who+met%3F")
    assert answer.status_code == 200
    assert "North Korean leader Kim Jong Un met" in answer.text  # the cited sentence
    chat.mode = "translate"
    first = get(app, f"/articles/{article_id}/translate?lang=de")
    assert "Hafenarbeiter beenden Streik" in first.text and "evil.example" not in first.text
    chat.mode = "error"
    again = get(app, f"/articles/{article_id}/translate?lang=de")  # cached: no new request
    assert "Hafenarbeiter beenden Streik" in again.text
    summary = get(app, f"/articles/{article_id}/ai-summary")
    assert summary.status_code == 200
    assert "not available right now" in summary.text
    assert "North Korean leader Kim Jong Un" in summary.text  # the extractive summary instead
    assert get(app, f"/articles/{article_id}").status_code == 200  # the article is intact
