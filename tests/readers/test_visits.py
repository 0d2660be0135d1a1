""" "New since your last visit" on the home page: stories the site first saw after the end
of the signed-in reader's previous visit are marked, for the whole of the new visit."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import update

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.store.schema import stories
from broadsheet.web.app import create_app
from tests.readers.conftest import client, make_user, signed_in
from tests.stories import conftest as stories_fixtures
from tests.stories.sample import at

outlets = stories_fixtures.outlets
add = stories_fixtures.add
news = stories_fixtures.news

_NEW = re.compile(r'<li class="teaser teaser--new">.*?href="/articles/(\d+)"', re.S)


def _created(store: Store, article_id: int, when: datetime) -> int:
    story = store.story_of_article(article_id)
    assert story is not None
    with store.writer() as conn:  # when the site first saw the story (set up, not tested)
        conn.execute(update(stories).where(stories.c.id == story).values(created_at=when))
    return story


def _new_leads(html: str) -> set[int]:
    return {int(a) for a in _NEW.findall(html)}


def test_stories_first_seen_since_the_previous_visit_are_marked(
    store: Store, settings: Settings, news: dict[str, int]
) -> None:
    clock = [at(80)]
    app: FastAPI = create_app(settings, store, clock=lambda: clock[0])
    _created(store, news["chile0"], at(10))
    _created(store, news["wire"], at(70))
    japan = _created(store, news["japan0"], at(76))
    uid = make_user(store, settings, "ada@example.org", "Ada")
    store.update_user(uid, seen_at=at(75))  # the previous visit ended then
    c = signed_in(app, "ada@example.org")
    home = c.get("/").text
    lead = store.get_story(japan, with_members=False).lead_article_id  # type: ignore[union-attr]
    assert _new_leads(home) == {lead}
    assert "1 new story since your last visit" in home
    assert store.get_user(uid).visit_mark_at == at(75)  # type: ignore[union-attr]

    clock[0] = at(80) + timedelta(minutes=10)  # same visit: the marks stay
    assert _new_leads(c.get("/").text) == {lead}

    clock[0] = at(82)  # a pause of 1 h 50 min: a new visit, nothing new since
    home = c.get("/").text
    assert _new_leads(home) == set() and "since your last visit" not in home
    assert store.get_user(uid).visit_mark_at == at(80) + timedelta(minutes=10)  # type: ignore[union-attr]


def test_a_first_visit_and_anonymous_readers_get_no_marks(
    store: Store, settings: Settings, news: dict[str, int]
) -> None:
    app = create_app(settings, store, clock=lambda: at(80))
    make_user(store, settings, "new@example.org", "New")
    c = signed_in(app, "new@example.org")
    assert _new_leads(c.get("/").text) == set()  # nothing to compare with yet
    assert _new_leads(client(app).get("/").text) == set()
    assert "since your last visit" not in client(app).get("/").text
