"""Story pages through the real ASGI app: the story page, the article page's sections,
the home page's top stories."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI

from broadsheet import story_digest
from broadsheet.config import Settings
from broadsheet.models import StoryChange as Change
from broadsheet.orchestrate.stories import cluster_stored
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.stories.conftest import Add
from tests.stories.sample import CHILE, at

NOW = at(80)


def get(app: FastAPI, path: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path)

    return asyncio.run(go())


@pytest.fixture
def app(settings: Settings, store: Store) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


def test_story_page_shows_the_coverage_view(app: FastAPI, store: Store, news: dict) -> None:
    story = store.story_of_article(news["chile0"])
    page = get(app, f"/stories/{story}")
    assert page.status_code == 200
    html = page.text
    assert CHILE[0][0] in html and "Full coverage" in html
    for outlet in ("Andes Daily", "Pacific Times", "Harbour Gazette"):
        assert outlet in html
    assert "3 outlets" in html and "3 countries" in html
    assert "Not covered by" not in html  # an anonymous reader follows no outlets
    assert "Timeline" in html and "First report" in html
    assert html.index(CHILE[0][0]) < html.index("Timeline")


def test_a_kept_digest_is_not_parsed_again_and_a_changed_one_shows_at_once(
    app: FastAPI, store: Store, add: Add, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    parse = story_digest.parse

    def counting(raw: str) -> dict:
        parsed.append(raw)
        return parse(raw)

    monkeypatch.setattr(story_digest, "parse", counting)
    a = add("Andes Daily", *CHILE[0], at(0))
    story = store.apply_story_changes([Change(article_id=a, story=-1)])[-1]
    paths = (f"/stories/{story}", f"/api/v1/stories/{story}")
    assert "Andes Daily" in get(app, paths[0]).text  # computed, stored (and parsed)
    assert len(parsed) == 1
    for n in range(3):  # the stored digest: parsed on the first of these views only
        assert "Andes Daily" in get(app, paths[n % 2]).text
    assert len(parsed) == 2
    # the same story, its digest written anew (a new computed_at): shown at once
    row = store.story_digest(story)
    assert row is not None
    store.save_story_digests(
        [
            dict(
                story_id=story,
                version=row[0],
                story_updated_at=row[1],
                article_count=1,
                value=row[2].replace("Andes Daily", "Andes Evening"),
                computed_at=datetime.now(UTC),
            )
        ]  # fmt: skip
    )
    for path in paths:  # (the list of articles still says the outlet's own name)
        assert "Andes Evening" in get(app, path).text
    assert len(parsed) == 3
    # the story changes (a second outlet): its digest is computed again and shows at once
    b = add("Pacific Times", *CHILE[1], at(2))
    store.apply_story_changes([Change(article_id=b, story=story)])
    html = get(app, paths[0]).text
    assert "Pacific Times" in html and "2 outlets" in html
    assert "Pacific Times" in get(app, paths[1]).text
    assert len(parsed) == 5  # computed on the first view, the stored one read on the next
    assert all(key[0] == story for key in app.state.story_digests.keys())


def test_wire_copies_show_once_with_every_outlet(app: FastAPI, store: Store, news: dict) -> None:
    story = store.story_of_article(news["wire"])
    html = get(app, f"/stories/{story}").text
    assert "AFP wire copy, also run by" in html
    assert html.count('class="coverage__item"') == 1  # two articles, one item
    assert "Wire copy</dt><dd>2 articles (AFP 1)" in html


def test_article_page_gains_full_coverage_and_related_after_the_body(
    app: FastAPI, news: dict
) -> None:
    html = get(app, f"/articles/{news['chile1']}").text
    body = html.index('class="article__body"')
    coverage = html.index("Full coverage")
    assert body < coverage
    if "ai-panel" in html:  # the understanding panel comes first when it shows
        assert html.index("ai-panel") < coverage
    assert "Andes Daily" in html[coverage:] and "Harbour Gazette" in html[coverage:]
    assert "See the full coverage" in html


def test_a_lone_article_says_nobody_else_covered_it(app: FastAPI, news: dict) -> None:
    html = get(app, f"/articles/{news['japan0']}").text
    assert "No other outlet has covered this story yet." in html


def test_home_shows_top_stories(app: FastAPI, store: Store, news: dict) -> None:
    html = get(app, "/").text
    assert "Top stories" in html
    chile = store.story_of_article(news["chile0"])
    assert f'href="/stories/{chile}"' in html and "Full coverage: 3 outlets, 3 countries" in html
    assert html.count('class="teaser"') == 3  # Chile, Japan, the wire story: not 6 articles
    assert get(app, "/?page=9").status_code == 404


def test_merged_story_redirects_and_unknown_is_404(app: FastAPI, store: Store, add: Add) -> None:
    a = add("Andes Daily", *CHILE[0], at(0))
    b = add("Pacific Times", *CHILE[1], at(1))
    s1 = store.apply_story_changes([Change(article_id=a, story=-1)])[-1]
    s2 = store.apply_story_changes([Change(article_id=b, story=-1)])[-1]
    c = add("Quiet Weekly", *CHILE[2], at(2))
    store.apply_story_changes([Change(article_id=c, story=s1, merges=[(s2, s1)])])
    page = get(app, f"/stories/{s2}")
    assert page.status_code == 301 and page.headers["location"] == f"/stories/{s1}"
    html = get(app, f"/stories/{s1}").text
    assert "merged into story" in html  # the change is shown, not hidden
    for path in ("/stories/999", "/stories/abc", "/stories/0", "/stories/99999999999999999999"):
        assert get(app, path).status_code == 404


def test_titles_are_escaped(app: FastAPI, store: Store, settings: Settings, add: Add) -> None:
    evil = add("Andes Daily", "<script>alert(1)</script> quake", CHILE[0][1], at(0))
    cluster_stored(store, settings, evil)
    html = get(app, f"/stories/{store.story_of_article(evil)}").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_without_stories_the_home_page_lists_articles(
    settings: Settings, store: Store, add: Add
) -> None:
    add("Andes Daily", *CHILE[0], at(0))  # stored, never clustered
    html = get(create_app(settings, store, clock=lambda: NOW), "/").text
    assert "Latest news" in html and CHILE[0][0] in html


def test_an_expired_ranking_is_served_while_a_thread_ranks_anew(app: FastAPI, news: dict) -> None:
    from broadsheet.web import stories as story_pages

    assert get(app, "/").text.count('class="teaser"') == 3  # the first request ranks
    stamp, top = app.state.stories_rank
    app.state.stories_rank = (stamp - story_pages.RANK_TTL - 1, top[:1])  # expired, and stale
    assert get(app, "/").text.count('class="teaser"') == 1  # served at once, as cached
    app.state.rank_thread.join(timeout=120)  # a hang guard: a loaded machine may be slow
    assert not app.state.rank_thread.is_alive()
    assert len(app.state.stories_rank[1]) == 3
    assert get(app, "/").text.count('class="teaser"') == 3
    assert app.state.rank_lock.acquire(blocking=False)  # released after the refresh


def test_a_stale_page_is_not_kept_under_the_ranking_that_replaced_it(
    app: FastAPI, news: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The home page is kept under the ranking it was made from, read once: when the
    background refresh replaces the ranking while a page of the old one is being made
    (here: at once, the refresh run in the request's thread), that page is not kept as
    the new ranking's, so the next request shows the new ranking."""
    import threading

    from broadsheet.web import stories as story_pages

    class AtOnce(threading.Thread):
        def start(self) -> None:
            self.run()

    assert app.state.settings.page_cache_seconds > 0  # the home page is kept
    assert get(app, "/").text.count('class="teaser"') == 3
    stamp, top = app.state.stories_rank
    app.state.stories_rank = (stamp - story_pages.RANK_TTL - 1, top[:1])  # expired, and stale
    monkeypatch.setattr(story_pages.threading, "Thread", AtOnce)
    assert get(app, "/").text.count('class="teaser"') == 1  # served as it was ranked
    assert len(app.state.stories_rank[1]) == 3  # and ranked anew meanwhile
    assert get(app, "/").text.count('class="teaser"') == 3
