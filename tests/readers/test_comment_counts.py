"""Comment counts on teasers: kept in the store with every change to a comment (not a
COUNT per teaser), shown on story and article teasers, and the home page's statement
count does not grow with the number of teasers that have comments."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import make_user
from tests.web.asgi import get
from tests.web.sample import NOW
from tests.web.test_query_counts import (
    COUNTRY,
    ENTITY,
    LARGE,
    SMALL,
    TOPIC,
    Built,
    build,
    counted,
)

_COMMENTS = re.compile(
    r'class="teaser__comments" href="/(stories|articles)/(\d+)#comments">(\d+) comment'
)


def _shown(html: str) -> dict[tuple[str, int], int]:
    return {(k, int(i)): int(n) for k, i, n in _COMMENTS.findall(html)}


def _commenter(store: Store, settings: Settings, article: int) -> tuple[int, int, int]:
    """A reader whose comments are published at once (a moderator published their first,
    on ``article``)."""
    mod = make_user(store, settings, "mod@example.org", "Mod", role="moderator")
    uid = make_user(store, settings, "talker@example.org", "Talker")
    first, status = store.add_comment(article, uid, None, "First!", NOW, None)
    assert status == "held"
    store.moderate_comment(mod, first, "restore", NOW)
    return uid, mod, first


def test_counts_follow_publishing_hiding_and_deleting(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    article = next(iter(ids.values()))
    uid, mod, first = _commenter(store, settings, article)
    one, _ = store.add_comment(article, uid, None, "One", NOW, None)
    two, _ = store.add_comment(article, uid, None, "Two", NOW, None)
    held, status = store.add_comment(article, uid, None, "Look: a b c", NOW, "many links")
    assert status == "held"
    latest = _shown(get(app, "/latest").text)
    assert latest[("articles", article)] == 3  # the held one does not count
    assert len(latest) == 1  # the other articles have none
    store.moderate_comment(mod, one, "hide", NOW)
    assert _shown(get(app, "/latest").text)[("articles", article)] == 2
    store.moderate_comment(mod, held, "restore", NOW)
    store.moderate_comment(mod, two, "delete", NOW)
    assert store.comment_counts("article", [article]) == {article: 2}
    store.delete_own_comment(held)
    store.moderate_comment(mod, first, "hide", NOW)
    assert ("articles", article) not in _shown(get(app, "/latest").text)  # none: no count


def _comment_everything(built: Built) -> int:
    """A visible comment on every story the home page shows; the number of stories."""
    store, settings = built.store, built.settings
    mod = make_user(store, settings, "mod@example.org", "Mod", role="moderator")
    uid = make_user(store, settings, "talker@example.org", "Talker")
    stories = store.latest_stories(500)
    first, _ = store.add_comment(None, uid, None, "First", NOW, None, story_id=stories[0].id)
    store.moderate_comment(mod, first, "restore", NOW)
    for story in stories[1:]:
        _cid, status = store.add_comment(None, uid, None, "Hm", NOW, None, story_id=story.id)
        assert status == "visible"
    return len(stories)


def _home_statements(built: Built) -> tuple[int, str]:
    app = create_app(built.settings, built.store, clock=lambda: NOW)
    get(app, "/")  # rank and keep the stories' digests first
    with counted(built.store) as statements:
        page = get(app, "/")
    assert page.status_code == 200
    return len(statements), page.text


def test_the_home_page_reads_counts_in_one_query(tmp_path: Path) -> None:
    found = {}
    for label, size in (("small", SMALL), ("large", LARGE)):
        built = build(tmp_path / label, size)
        try:
            before, _ = _home_statements(built)
            n = _comment_everything(built)
            after, html = _home_statements(built)
            shown = _shown(html)
            teasers = html.count('<li class="teaser">')
            assert len(shown) == teasers > 0 and set(shown.values()) == {1}, (label, n)
            found[label] = (before, after, teasers)
        finally:
            built.store.close()
    small, large = found["small"], found["large"]
    assert large[2] > small[2]  # more teasers on the large store's home page
    assert small[1] == large[1]  # ... at the same number of statements
    assert small[1] - small[0] <= 1  # the counts: at most one statement more


def test_article_lists_read_counts_with_their_teasers(tmp_path: Path) -> None:
    """The latest, outlet, entity, topic and place lists read an article's kept count in
    the teasers' own statement (a primary-key look-up per row), not in a query of their
    own: the same statements with and without comments, and the counts shown."""
    built = build(tmp_path, LARGE)
    try:
        store, settings = built.store, built.settings
        app = create_app(settings, store, clock=lambda: NOW)
        lists = {
            "latest": "/latest",
            "outlet": f"/sources/{built.source}",
            "entity": f"/entities/{ENTITY}",
            "topic": f"/topics/{TOPIC}",
            "place": f"/places/{COUNTRY.lower()}",
        }

        def statements() -> dict[str, list[str]]:
            fresh = create_app(settings, store, clock=lambda: NOW)  # caches cold each time
            found = {}
            for name, path in lists.items():
                with counted(store) as seen:
                    assert get(fresh, path).status_code == 200, path
                found[name] = list(seen)
            return found

        before = statements()
        shown = {name: re.findall(r'href="/articles/(\d+)"', get(app, p).text)
                 for name, p in lists.items()}  # fmt: skip
        uid, _mod, _first = _commenter(store, settings, int(shown["latest"][0]))
        for name in lists:  # a second comment on the first teaser of every list
            article = int(shown[name][0])
            _cid, status = store.add_comment(article, uid, None, "Hm", NOW, None)
            assert status == "visible"
        after = statements()
        for name, path in lists.items():
            assert len(after[name]) == len(before[name]), name
            assert not any(
                "comment_counts" in s and "FROM articles" not in s for s in after[name]
            ), name
            counts = _shown(get(app, path).text)
            assert counts.get(("articles", int(shown[name][0])), 0) >= 1, (name, counts)
    finally:
        built.store.close()


def test_an_article_page_without_comments_reads_only_the_kept_count(tmp_path: Path) -> None:
    """An anonymous reader's article page with no visible comment reads the kept count and
    no comment; once one is published the page reads and shows it, with its count."""
    built = build(tmp_path, SMALL)
    try:
        store, settings = built.store, built.settings
        app = create_app(settings, store, clock=lambda: NOW)
        path = f"/articles/{built.article}"
        with counted(store) as seen:
            assert get(app, path).status_code == 200
        assert not [s for s in seen if "FROM comments" in s], seen
        assert any("comment_counts" in s for s in seen)
        _commenter(store, settings, built.article)  # "First!", published by a moderator
        with counted(store) as seen:
            page = get(app, path).text
        assert any("FROM comments" in s for s in seen)
        assert "First!" in page
    finally:
        built.store.close()
