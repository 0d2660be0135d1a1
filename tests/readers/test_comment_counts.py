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
from tests.web.test_query_counts import LARGE, SMALL, Built, build, counted

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
