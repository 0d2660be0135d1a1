"""Follows, mutes and "For you" over HTTP, and the ranking function on plain data."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.foryou import rank
from broadsheet.store import Store
from tests.readers.conftest import client, make_user, post_form, signed_in
from tests.web.sample import NOW


def _topics(store: Store, ids: dict[str, int]) -> None:
    store.save_understanding(
        ids["port-strike-ends"], {"topics": [{"topic": "economy", "score": 0.9}]}, {}
    )
    store.save_understanding(
        ids["aurora-forecast"], {"topics": [{"topic": "science", "score": 0.8}]}, {}
    )


def test_a_new_reader_gets_top_news_not_an_empty_page(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    anon = client(app).get("/for-you")
    assert anon.status_code == 200 and "the latest news" in anon.text.lower()
    assert "Sign in</a> and follow" in anon.text
    make_user(store, settings, "ann@example.org", "Ann")
    page = signed_in(app, "ann@example.org").get("/for-you").text
    assert "Follow topics, people, places or outlets" in page
    assert page.count('class="teaser') >= 5


def test_follow_a_topic_and_it_appears_with_its_reason(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    _topics(store, ids)
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    topic_page = ann.get("/topics/economy").text
    assert "Follow Economy" in topic_page
    r = post_form(
        ann,
        "/topics/economy",
        "/follows",
        {"kind": "topic", "key": "economy", "action": "follow", "next": "/topics/economy"},
    )
    assert r.status_code == 200 and "Following Economy ✓" in r.text
    page = ann.get("/for-you").text
    title = store.get_article(ids["port-strike-ends"]).title  # type: ignore[union-attr]
    assert title in page and "Because you follow Economy" in page
    other = store.get_article(ids["aurora-forecast"]).title  # type: ignore[union-attr]
    assert other not in page
    assert "Economy" in ann.get("/following").text
    # Unfollow: back to the top news, with the note.
    post_form(
        ann, "/following", "/follows", {"kind": "topic", "key": "economy", "action": "unfollow"}
    )
    assert "Follow topics, people" in ann.get("/for-you").text


def test_follow_an_outlet_and_mute_a_topic(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    _topics(store, ids)
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    article = store.get_article(ids["port-strike-ends"])
    assert article is not None
    key = str(article.source_id)
    r = post_form(
        ann,
        f"/articles/{article.id}",
        "/follows",
        {"kind": "outlet", "key": key, "action": "follow"},
    )
    assert r.status_code == 200
    page = ann.get("/for-you").text
    assert article.title in page and f"Because you follow {article.source_name}" in page
    post_form(
        ann, "/topics/economy", "/follows", {"kind": "topic", "key": "economy", "action": "mute"}
    )
    assert article.title not in ann.get("/for-you").text  # muted topic wins


def test_follow_refuses_unknown_things_and_strangers(
    app: FastAPI, store: Store, settings: Settings
) -> None:
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    for data, status in (
        ({"kind": "topic", "key": "astrology", "action": "follow"}, 404),
        ({"kind": "planet", "key": "mars", "action": "follow"}, 400),
        ({"kind": "outlet", "key": "99999", "action": "follow"}, 404),
        ({"kind": "place", "key": "<script>", "action": "follow"}, 404),
        ({"kind": "place", "key": "fr", "action": "mute"}, 400),
    ):
        assert post_form(ann, "/account", "/follows", data).status_code == status, data
    assert store.follows_of(1) == []
    anon = client(app)
    r = post_form(
        anon,
        "/signin",
        "/follows",
        {"kind": "topic", "key": "economy", "action": "follow"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_rank_prefers_more_matches_newer_unread_and_one_per_story() -> None:
    facts = {
        1: {"at": NOW, "source": 1, "story": 10, "topics": {"economy"}},
        2: {"at": NOW, "source": 1, "story": 10, "topics": {"economy"}},  # same story as 1
        3: {"at": NOW - timedelta(hours=48), "source": 2, "story": 11, "topics": set()},
        4: {"at": NOW, "source": 3, "story": None, "topics": {"sport"}},
        5: {"at": NOW, "source": 2, "story": None, "topics": set()},
    }
    found = {
        1: [("topic", "economy"), ("place", "FR")],
        2: [("topic", "economy")],
        3: [("outlet", "2")],
        4: [("place", "FR")],
        5: [("outlet", "2")],
    }
    picks = rank(found, facts, {("topic", "sport")}, {5}, NOW, 24.0, 10)
    assert [p.article_id for p in picks] == [1, 5, 3]
    assert picks[0].reasons == (("topic", "economy"), ("place", "FR"))


def test_reading_history_brings_in_a_topic_read_often(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    slugs = list(ids)[:3]
    for slug in slugs:
        store.save_understanding(ids[slug], {"topics": [{"topic": "economy", "score": 0.9}]}, {})
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    ann.get(f"/articles/{ids[slugs[0]]}")
    assert "read about" not in ann.get("/for-you").text  # once is not a habit
    ann.get(f"/articles/{ids[slugs[1]]}")
    page = ann.get("/for-you").text
    unread = store.get_article(ids[slugs[2]]).title  # type: ignore[union-attr]
    assert "Because you read about Economy" in page
    # The unread one comes first; the two read ones follow, marked read.
    assert page.index(unread) < page.find("· read")
    assert page.count("· read") == 2
