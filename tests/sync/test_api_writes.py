"""The API's writes for signed-in readers (comments, follows, saved) and admins (sources),
through the real ASGI app and a real store: the web's rules hold (first comments held,
sanitising, the edit window, verification, bans, posting rate limits), a browser session
needs its CSRF token, and every refusal is the one error object with its status."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Client, make_user, signed_in
from tests.support.httpserver import TestServer
from tests.sync.conftest import NOW, make_credential
from tests.sync.test_api_tokens import bearer, error_of

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>'
    "<link>http://harbour.example/</link><item><title>One</title>"
    "<link>http://harbour.example/1</link></item></channel></rss>"
)


def call(app: FastAPI, method: str, path: str, token: str = "", **kw: Any) -> httpx.Response:
    headers = dict(kw.pop("headers", {}))
    if token:
        headers.update(bearer(token))
    return Client(app, "http://testserver").request(method, path, headers=headers, **kw)


def test_comments(
    app: FastAPI,
    browser: Client,
    store: Store,
    settings: Settings,
    reader_id: int,
    news: dict[str, int],
) -> None:
    token = make_credential(browser, "api_token", "bot")
    roomy = {"limit_post_reader": "100/minute", "limit_post_ip": "100/minute"}
    app = create_app(settings.model_copy(update=roomy), store, clock=lambda: NOW)
    article = news["chile0"]
    r = call(app, "POST", f"/api/v1/articles/{article}/comments", token, json={"body": "Hi  \r\n"})
    assert r.status_code == 201, r.text
    first = json.loads(r.text)
    assert first["status"] == "held"  # a reader's first comment waits, as on the site
    assert first["body"] == "Hi" and first["article"] == article and first["author"] == "Ada"
    assert r.headers["location"] == f"/api/v1/comments/{first['id']}"
    store.moderate_comment(reader_id, first["id"], "restore", NOW)
    reply = call(
        app,
        "POST",
        f"/api/v1/articles/{article}/comments",
        token,
        json={"body": "and more", "parent": first["id"]},
    )
    assert reply.status_code == 201 and json.loads(reply.text)["status"] == "visible"
    assert json.loads(reply.text)["parent"] == first["id"]
    story = json.loads(call(app, "GET", f"/api/v1/articles/{article}").text)["story"]
    on_story = call(app, "POST", f"/api/v1/stories/{story}/comments", token, json={"body": "s"})
    assert on_story.status_code == 201 and json.loads(on_story.text)["story"] == story
    # the site shows it, escaped as every comment
    edited = call(app, "PATCH", f"/api/v1/comments/{first['id']}", token, json={"body": "<b>x</b>"})
    assert edited.status_code == 200 and json.loads(edited.text)["edited"] is not None
    assert "&lt;b&gt;x&lt;/b&gt;" in browser.get(f"/articles/{article}").text
    # refusals, each in the one error shape
    posting = f"/api/v1/articles/{article}/comments"
    for body, status in (
        ({"body": "   "}, 422),  # empty
        ({"body": "bad\x00byte"}, 422),  # control characters
        ({"body": "x" * (settings.comment_max_chars + 1)}, 422),
        ({"body": "hi", "parent": 999999}, 422),  # answering a comment that is gone
        ({"text": "no body field"}, 422),
    ):
        assert error_of(call(app, "POST", posting, token, json=body), status)
    assert error_of(call(app, "POST", posting, token, content=b"{not json"), 422)
    assert error_of(
        call(app, "POST", "/api/v1/articles/999999/comments", token, json={"body": "a"}), 404
    )
    assert error_of(call(app, "POST", posting, json={"body": "anonymous"}), 401)
    # another reader may neither edit nor delete it, nor learn that it exists: the answer
    # is the one for no comment at all
    make_user(store, settings, "bob@example.org", "Bob")
    other = make_credential(signed_in(app, "bob@example.org"), "api_token", "bob")
    path = f"/api/v1/comments/{first['id']}"
    assert (
        error_of(call(app, "PATCH", path, other, json={"body": "mine"}), 404)["code"]
        == error_of(call(app, "PATCH", "/api/v1/comments/999999", other, json={"body": "x"}), 404)[
            "code"
        ]
    )
    assert error_of(call(app, "DELETE", path, other), 404)
    assert error_of(call(app, "DELETE", "/api/v1/comments/999999", token), 404)
    # the edit window closes as on the site
    late = create_app(settings, store, clock=lambda: NOW + timedelta(days=1))
    assert error_of(call(late, "PATCH", path, token, json={"body": "too late"}), 403)
    assert call(app, "DELETE", path, token).status_code == 204
    assert error_of(call(app, "DELETE", path, token), 404)
    assert store.get_comment(first["id"]).status == "deleted"


def test_comment_rules_verification_bans_and_limits(
    browser: Client, store: Store, settings: Settings, reader_id: int, news: dict[str, int]
) -> None:
    token = make_credential(browser, "api_token", "bot")
    posting = f"/api/v1/articles/{news['chile0']}/comments"
    strict = settings.model_copy(update={"verify_email": True, "limit_post_reader": "2/minute"})
    app = create_app(strict, store, clock=lambda: NOW)
    store.update_user(reader_id, verified_at=None)
    refused = error_of(call(app, "POST", posting, token, json={"body": "hello"}), 403)
    assert "Confirm your address" in str(refused["message"])
    store.update_user(reader_id, verified_at=NOW)
    assert [
        call(app, "POST", posting, token, json={"body": "x"}).status_code for _ in range(2)
    ] == [
        201,
        201,
    ]
    limited = call(app, "POST", posting, token, json={"body": "x"})
    assert (
        error_of(limited, 429)["code"] == "rate_limited"
        and int(limited.headers["retry-after"]) >= 1
    )
    store.ban_user(reader_id, reader_id, NOW)
    assert error_of(call(app, "POST", posting, token, json={"body": "x"}), 403)


def test_a_browser_session_needs_its_csrf_token(
    app: FastAPI, browser: Client, store: Store, news: dict[str, int]
) -> None:
    posting = f"/api/v1/articles/{news['chile0']}/comments"
    refused = browser.request("POST", posting, json={"body": "from the page"})
    assert error_of(refused, 403)["message"].startswith("A signed-in browser")  # type: ignore[union-attr]
    me = json.loads(browser.get("/api/v1/me").text)
    assert me["csrf"]
    forged = browser.request(
        "POST", posting, json={"body": "x"}, headers={"x-csrf-token": "forged"}
    )
    assert error_of(forged, 403)
    other_site = browser.request(
        "POST",
        posting,
        json={"body": "x"},
        headers={"x-csrf-token": me["csrf"], "origin": "https://evil.example"},
    )
    assert error_of(other_site, 403)
    ok = browser.request("POST", posting, json={"body": "x"}, headers={"x-csrf-token": me["csrf"]})
    assert ok.status_code == 201, ok.text
    assert (
        browser.request(
            "PUT", f"/api/v1/me/saved/{news['chile1']}", headers={"x-csrf-token": me["csrf"]}
        ).status_code
        == 204
    )


def test_follows_and_saved(
    app: FastAPI, browser: Client, store: Store, reader_id: int, news: dict[str, int]
) -> None:
    token = make_credential(browser, "api_token", "bot")
    r = call(app, "PUT", "/api/v1/me/follows", token, json={"kind": "topic", "key": "economy"})
    assert r.status_code == 200 and json.loads(r.text) == {
        "kind": "topic",
        "key": "economy",
        "muted": False,
    }
    place = call(app, "PUT", "/api/v1/me/follows", token, json={"kind": "place", "key": "cl"})
    assert json.loads(place.text)["key"] == "CL"
    outlet = store.get_article(news["chile0"]).source_id
    muted = {"kind": "outlet", "key": str(outlet), "muted": True}
    assert call(app, "PUT", "/api/v1/me/follows", token, json=muted).status_code == 200
    follows = {(f["kind"], f["key"], f["muted"]) for f in store.follows_of(reader_id)}
    assert follows == {
        ("topic", "economy", False),
        ("place", "CL", False),
        ("outlet", str(outlet), True),
    }
    assert ("outlet", str(outlet), True) in {
        (f["kind"], f["key"], f["muted"])
        for f in json.loads(call(app, "GET", "/api/v1/me", token).text)["follows"]
    }
    for body, status in (
        ({"kind": "topic", "key": "no-such-topic"}, 404),
        ({"kind": "entity", "key": "person:nobody"}, 404),
        ({"kind": "place", "key": "CL", "muted": True}, 400),  # places cannot be muted
        ({"kind": "planet", "key": "mars"}, 422),
    ):
        assert error_of(call(app, "PUT", "/api/v1/me/follows", token, json=body), status)
    assert call(app, "DELETE", "/api/v1/me/follows/topic/economy", token).status_code == 204
    assert ("topic", "economy") not in {(f["kind"], f["key"]) for f in store.follows_of(reader_id)}
    assert error_of(call(app, "DELETE", "/api/v1/me/follows/planet/mars", token), 400)
    assert error_of(call(app, "DELETE", "/api/v1/me/follows", token), 405)
    # saved
    path = f"/api/v1/me/saved/{news['chile1']}"
    assert [call(app, "PUT", path, token).status_code for _ in range(2)] == [204, 204]
    assert [a.article_id for a in store.saved_articles(reader_id)] == [news["chile1"]]
    assert call(app, "DELETE", path, token).status_code == 204
    assert store.saved_articles(reader_id) == []
    assert error_of(call(app, "PUT", "/api/v1/me/saved/999999", token), 404)
    assert error_of(call(app, "PUT", "/api/v1/me/saved/abc", token), 404)
    assert error_of(call(app, "PUT", path), 401)


def test_sources_for_admins(
    browser: Client, store: Store, settings: Settings, server: TestServer
) -> None:
    server.route("/feed.xml", FEED, headers={"content-type": "application/rss+xml"})
    app = create_app(settings, store, clock=lambda: NOW)  # private networks refused
    reader = make_credential(browser, "api_token", "reader")
    make_user(store, settings, "root@example.org", "Root", role="admin")
    admin = make_credential(signed_in(app, "root@example.org"), "api_token", "admin")
    assert error_of(call(app, "GET", "/api/v1/sources", reader), 403)
    assert error_of(call(app, "GET", "/api/v1/sources"), 401)
    listed = json.loads(call(app, "GET", "/api/v1/sources", admin).text)
    assert {s["id"] for s in listed} == {s.id for s in store.list_sources()}
    feed = {"url": server.url("/feed.xml")}
    assert error_of(call(app, "POST", "/api/v1/sources", reader, json=feed), 403)
    guarded = error_of(call(app, "POST", "/api/v1/sources", admin, json=feed), 422)
    assert "private network" in str(guarded["message"]) and server.hits("/feed.xml") == []
    for bad in ("ftp://example.org/feed", "javascript:alert(1)", "http://exa mple.org/"):
        assert error_of(call(app, "POST", "/api/v1/sources", admin, json={"url": bad}), 422)
    local = create_app(
        settings.model_copy(update={"allow_private_networks": True}), store, clock=lambda: NOW
    )
    added = call(local, "POST", "/api/v1/sources", admin, json=feed)
    assert added.status_code == 201, added.text
    source = json.loads(added.text)
    assert source["name"] == "Harbour Post" and source["state"] == "new"
    assert error_of(call(local, "POST", "/api/v1/sources", admin, json=feed), 409)
    paused = call(local, "POST", f"/api/v1/sources/{source['id']}/pause", admin)
    assert (
        json.loads(paused.text)["state"] == "paused" and not store.get_source(source["id"]).enabled
    )
    resumed = call(local, "POST", f"/api/v1/sources/{source['id']}/resume", admin)
    assert json.loads(resumed.text)["state"] == "new" and store.get_source(source["id"]).enabled
    assert call(local, "DELETE", f"/api/v1/sources/{source['id']}", admin).status_code == 204
    assert error_of(call(local, "DELETE", f"/api/v1/sources/{source['id']}", admin), 404)
    assert error_of(call(local, "POST", "/api/v1/sources/999999/pause", admin), 404)
    assert store.get_source(source["id"]) is None


def _thread(app: FastAPI, path: str, token: str = "", **params: str) -> dict[str, Any]:
    r = call(app, "GET", path, token, params=params)
    assert r.status_code == 200, r.text
    return json.loads(r.text)  # type: ignore[no-any-return]


def test_comments_read_as_the_site_shows_them(
    browser: Client, store: Store, settings: Settings, reader_id: int, news: dict[str, int]
) -> None:
    """Ada posts through the API; Bob (a token) and an anonymous caller read the article's
    comments: threads with their replies, Ada's held comment shown to Ada only, a deleted
    or hidden comment (and the replies under it) gone from the API as from the page."""
    roomy = {"limit_post_reader": "100/minute", "limit_post_ip": "100/minute"}
    app = create_app(settings.model_copy(update=roomy), store, clock=lambda: NOW)
    ada = make_credential(browser, "api_token", "ada")
    make_user(store, settings, "bob@example.org", "Bob")
    bob = make_credential(signed_in(app, "bob@example.org"), "api_token", "bob")
    article = news["chile0"]
    path = f"/api/v1/articles/{article}/comments"

    def post(body: str, parent: int | None = None) -> int:
        r = call(app, "POST", path, ada, json={"body": body, "parent": parent})
        assert r.status_code == 201, r.text
        return int(json.loads(r.text)["id"])

    first = post("first words")  # held: Ada's first comment
    assert _thread(app, path, bob)["items"] == [] and _thread(app, path)["count"] == 0
    assert [c["status"] for c in _thread(app, path, ada)["items"]] == ["held"]
    store.moderate_comment(reader_id, first, "restore", NOW)
    reply = post("an answer", first)
    second, third = post("second"), post("third")
    seen = _thread(app, path, bob)
    assert [c["id"] for c in seen["items"]] == [third, second, first]  # newest first
    assert [(r["id"], r["parent"], r["body"]) for r in seen["items"][2]["replies"]] == [
        (reply, first, "an answer")
    ]
    assert seen["count"] == 4 and _thread(app, path) == seen  # same for anyone
    oldest = _thread(app, path, order="oldest", limit="2")
    assert [c["id"] for c in oldest["items"]] == [first, second]
    rest = _thread(app, path, order="oldest", limit="2", after=oldest["next"])
    assert [c["id"] for c in rest["items"]] == [third] and rest["next"] is None
    # ETag: unchanged comments are a 304; a new one changes the answer
    etag = call(app, "GET", path).headers["etag"]
    assert call(app, "GET", path, headers={"if-none-match": etag}).status_code == 304
    # Ada deletes her first comment, a moderator hides the second
    assert call(app, "DELETE", f"/api/v1/comments/{first}", ada).status_code == 204
    store.moderate_comment(reader_id, second, "hide", NOW)
    assert call(app, "GET", path, headers={"if-none-match": etag}).status_code == 200
    after = _thread(app, path, bob)
    assert [c["id"] for c in after["items"]] == [third]
    page = Client(app, "http://testserver").get(f"/articles/{article}").text
    # the count is the page's: visible comments, the reply under the deleted one included
    assert after["count"] == 2 and '<span class="comments__count">(2)</span>' in page
    assert "third" in page and f'id="comment-{third}"' in page
    for gone in (first, second, reply):
        assert f'id="comment-{gone}"' not in page  # the page hides them, and so does the API
    assert "first words" not in page and "an answer" not in page
    # the story's comments, and the 404 / 400 answers
    story = json.loads(call(app, "GET", f"/api/v1/articles/{article}").text)["story"]
    on_story = call(app, "POST", f"/api/v1/stories/{story}/comments", ada, json={"body": "s"})
    shown = _thread(app, f"/api/v1/stories/{story}/comments")["items"]
    assert [c["id"] for c in shown] == [json.loads(on_story.text)["id"]]
    assert error_of(call(app, "GET", "/api/v1/stories/999999/comments"), 404)
    assert error_of(call(app, "GET", path, params={"after": "x"}), 400)
    assert error_of(call(app, "GET", path, params={"order": "sideways"}), 400)
