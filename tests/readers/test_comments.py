"""Comments and moderation over HTTP through the real app."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Client, client, csrf_of, make_user, post_form, signed_in
from tests.web.sample import NOW

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def app(settings: Settings, store: Store, ids: dict[str, int], clock: list[datetime]) -> FastAPI:
    return create_app(settings, store, clock=lambda: clock[0])


@pytest.fixture
def article(ids: dict[str, int]) -> int:
    return next(iter(ids.values()))


@pytest.fixture
def people(store: Store, settings: Settings) -> dict[str, int]:
    return {
        "ann": make_user(store, settings, "ann@example.org", "Ann"),
        "bob": make_user(store, settings, "bob@example.org", "Bob"),
        "mod": make_user(store, settings, "mod@example.org", "Mo", role="moderator"),
    }


def comment(c: Client, article: int, body: str, parent: int | None = None) -> object:
    data = {"body": body} | ({"parent": str(parent)} if parent else {})
    return post_form(
        c, f"/articles/{article}", f"/articles/{article}/comments", data, follow_redirects=False
    )


def new_id(response: object) -> int:
    location = response.headers["location"]  # type: ignore[attr-defined]
    return int(re.search(r"#comment-(\d+)$", location).group(1))  # type: ignore[union-attr]


def trusted(store: Store, people: dict[str, int], who: str, article: int) -> None:
    """Give a reader one published comment (their first is held otherwise)."""
    cid, status = store.add_comment(article, people[who], None, f"Hello from {who}", NOW, None)
    assert status == "held"
    store.moderate_comment(people["mod"], cid, "restore", NOW)


def test_empty_article_says_no_comments_yet(app: FastAPI, article: int) -> None:
    page = client(app).get(f"/articles/{article}").text
    assert "No comments yet" in page and "Sign in</a> to comment" in page
    assert 'action="/articles/' not in page.split('id="comments"')[1]  # no form for anonymous


def test_first_comment_is_held_then_published_by_a_moderator(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    ann = signed_in(app, "ann@example.org")
    r = comment(ann, article, "My first comment")
    assert r.status_code == 303 and "c=held" in r.headers["location"]
    cid = new_id(r)
    own = ann.get(r.headers["location"]).text
    assert "My first comment" in own and "Waiting for a moderator" in own
    assert "your comment waits for a moderator" in own
    assert "My first comment" not in client(app).get(f"/articles/{article}").text
    mod = signed_in(app, "mod@example.org")
    queue = mod.get("/admin/moderation").text
    assert "My first comment" in queue and "first comment of this reader" in queue
    r = post_form(mod, "/admin/moderation", f"/admin/moderation/{cid}", {"action": "restore"})
    assert r.status_code == 200 and "Nothing to review" in r.text
    page = client(app).get(f"/articles/{article}").text
    assert "My first comment" in page and 'Comments <span class="comments__count">(1)' in page
    # Now trusted: the next comment is published at once.
    r = comment(ann, article, "Second thoughts")
    assert "c=posted" in r.headers["location"]
    log = store.moderation_log()
    assert log[0]["action"] == "restore" and log[0]["moderator"] == "Mo"
    assert log[0]["comment_id"] == cid and log[0]["target_user_id"] == people["ann"]


def test_replies_stay_one_level_deep_and_order_and_paging_work(
    app: FastAPI, store: Store, article: int, people: dict[str, int], clock: list[datetime]
) -> None:
    trusted(store, people, "ann", article)
    trusted(store, people, "bob", article)
    ann = signed_in(app, "ann@example.org")
    bob = signed_in(app, "bob@example.org")
    top = new_id(comment(ann, article, "Top-level remark"))
    reply = new_id(comment(bob, article, "A reply", parent=top))
    deeper = new_id(comment(ann, article, "A reply to the reply", parent=reply))
    assert store.get_comment(reply).parent_id == top  # type: ignore[union-attr]
    assert store.get_comment(deeper).parent_id == top  # type: ignore[union-attr]
    for n in range(22):
        clock[0] = NOW + timedelta(minutes=n + 1)
        store.add_comment(article, people["bob"], None, f"Bulk comment {n:02d}", clock[0], None)
    anon = client(app)
    first = anon.get(f"/articles/{article}").text
    assert "Bulk comment 21" in first and "Top-level remark" not in first
    more = re.search(r'href="(/articles/\d+\?order=newest&amp;after=\d+)#comments"', first)
    assert more
    second = anon.get(more.group(1).replace("&amp;", "&")).text
    assert "Top-level remark" in second and "Bulk comment 21" not in second
    assert second.index("Top-level remark") < second.index("A reply to the reply")
    oldest = anon.get(f"/articles/{article}?order=oldest").text
    assert oldest.index("Hello from ann") < oldest.index("Bulk comment 00")
    assert anon.get(f"/articles/{article}?order=oldest&after=<script>").status_code == 200


def test_comments_are_escaped_and_links_are_safe(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    body = (
        "<script>alert(1)</script> see https://example.org/a?b=1&c=2. "
        "and javascript:alert(1) and http://xn--pypal-4ve.com/ and https://pаypal.com/login"
    )
    comment(ann, article, body)
    page = client(app).get(f"/articles/{article}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener noreferrer" '
        'target="_blank">https://example.org/a?b=1&amp;c=2</a>.'
    ) in page
    assert 'href="javascript' not in page
    # A look-alike host in another script is shown in punycode.
    assert ">https://xn--pypal-4ve.com/login</a>" in page


def test_many_links_are_held(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    spam = " ".join(f"https://spam{n}.example/" for n in range(4))
    r = comment(ann, article, spam)
    assert "c=held" in r.headers["location"]
    assert store.get_comment(new_id(r)).held_reason == "many links"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "the comment is empty"),
        ("   \n\t  ", "the comment is empty"),
        ("x" * 5001, "Keep comments to 5000 characters (this one has 5001)"),
        ("bin\x00ary\x07data", "control characters or binary data"),
    ],
)
def test_bad_comments_get_a_clear_message_and_store_nothing(
    app: FastAPI, store: Store, article: int, people: dict[str, int], body: str, message: str
) -> None:
    ann = signed_in(app, "ann@example.org")
    r = comment(ann, article, body)
    assert r.status_code == 400 and message in r.text  # type: ignore[attr-defined]
    assert store.article_comments(article, people["ann"], True, None, 50)[0] == []


def test_mixed_script_text_is_kept_and_bidi_overrides_dropped(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    text = "Мир и peace, سلام, 平和 🕊 ok\u202egnp.exe"
    cid = new_id(comment(ann, article, text))
    assert store.get_comment(cid).body == "Мир и peace, سلام, 平和 🕊 okgnp.exe"  # type: ignore[union-attr]
    assert "Мир и peace, سلام, 平和 🕊" in client(app).get(f"/articles/{article}").text


def test_edit_within_the_window_only_and_only_by_the_author(
    app: FastAPI, store: Store, article: int, people: dict[str, int], clock: list[datetime]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    bob = signed_in(app, "bob@example.org")
    cid = new_id(comment(ann, article, "Original words"))
    # Bob cannot edit or delete Ann's comment, whatever he sends.
    for path in (f"/comments/{cid}/edit", f"/comments/{cid}/delete"):
        token = csrf_of(bob.get(f"/articles/{article}").text)
        r = bob.post(path, data={"csrf": token, "body": "Bob was here"}, headers=ORIGIN)
        assert r.status_code == 404  # as for no comment at all: ids are not told
    assert bob.get(f"/comments/{cid}/edit").status_code == 404
    assert store.get_comment(cid).body == "Original words"  # type: ignore[union-attr]
    # Ann can, for 15 minutes.
    r = post_form(ann, f"/comments/{cid}/edit", f"/comments/{cid}/edit", {"body": "Better words"})
    assert r.status_code == 200 and "Better words" in r.text and "edited" in r.text
    token = csrf_of(ann.get(f"/comments/{cid}/edit").text)
    clock[0] = NOW + timedelta(minutes=16)
    r = ann.post(f"/comments/{cid}/edit", data={"csrf": token, "body": "Too late"}, headers=ORIGIN)
    assert r.status_code == 403 and "no longer" in r.text
    assert store.get_comment(cid).body == "Better words"  # type: ignore[union-attr]
    r = post_form(ann, f"/articles/{article}", f"/comments/{cid}/delete", {})
    assert r.status_code == 200 and "Your comment is deleted." in r.text
    assert "Better words" not in r.text
    assert client(app).post(f"/comments/{cid}/delete").status_code == 403
    assert bob.get("/comments/99999/edit").status_code == 404


def test_report_then_a_moderator_hides_and_bans(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    bob = signed_in(app, "bob@example.org")
    cid = new_id(comment(ann, article, "Something rude"))
    r = post_form(bob, f"/articles/{article}", f"/comments/{cid}/report", {})
    assert "a moderator will look at the comment" in r.text
    post_form(bob, f"/articles/{article}", f"/comments/{cid}/report", {})  # twice counts once
    assert store.get_comment(cid).report_count == 1  # type: ignore[union-attr]
    assert bob.get("/admin/moderation").status_code == 403
    assert client(app).get("/admin/moderation", follow_redirects=False).status_code == 303
    token = csrf_of(bob.get(f"/articles/{article}").text)
    r = bob.post(f"/admin/moderation/{cid}", data={"csrf": token, "action": "hide"}, headers=ORIGIN)
    assert r.status_code == 403
    mod = signed_in(app, "mod@example.org")
    assert "reported 1 time" in mod.get("/admin/moderation").text
    post_form(mod, "/admin/moderation", f"/admin/moderation/{cid}", {"action": "hide"})
    assert "Something rude" not in client(app).get(f"/articles/{article}").text
    r = post_form(mod, "/account", f"/admin/users/{people['ann']}/ban", {})
    assert r.status_code == 200
    assert [e["action"] for e in store.moderation_log()][:2] == ["ban", "hide"]
    r = comment(ann, article, "I am back")
    assert r.status_code == 403 and "A moderator closed commenting" in r.text  # type: ignore[attr-defined]
    # A moderator cannot ban another moderator or an admin, nor themselves.
    r = post_form(mod, "/account", f"/admin/users/{people['mod']}/ban", {})
    assert r.status_code == 403


def test_flood_limits_per_reader_answer_429_with_retry_after(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    trusted(store, people, "ann", article)
    ann = signed_in(app, "ann@example.org")
    statuses = [comment(ann, article, f"Flood {n}").status_code for n in range(6)]  # type: ignore[attr-defined]
    assert statuses == [303] * 5 + [429]
    r = comment(ann, article, "one more")
    assert int(r.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    visible = store.article_comments(article, None, True, None, 50)[0]
    assert sorted(c.body for c in visible if c.body.startswith("Flood")) == [
        f"Flood {n}" for n in range(5)
    ]


def test_flood_limit_per_ip_covers_many_accounts(
    settings: Settings, store: Store, ids: dict[str, int], people: dict[str, int]
) -> None:
    app = create_app(settings.model_copy(update={"limit_post_ip": "3/minute"}), store)
    article = next(iter(ids.values()))
    codes = []
    for who in ("ann", "bob", "mod", "ann"):
        c = signed_in(app, f"{who}@example.org")
        codes.append(comment(c, article, f"from {who}").status_code)  # type: ignore[attr-defined]
    assert codes == [303, 303, 303, 429]


def test_a_disabled_reader_cannot_post_with_an_old_session(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    ann = signed_in(app, "ann@example.org")
    token = csrf_of(ann.get(f"/articles/{article}").text)
    store.disable_user(people["ann"], NOW)
    r = ann.post(
        f"/articles/{article}/comments", data={"csrf": token, "body": "still here?"}, headers=ORIGIN
    )
    assert r.status_code == 403
    assert store.article_comments(article, people["ann"], True, None, 50)[0] == []


def test_comment_routes_refuse_bad_ids_and_anonymous_posts(app: FastAPI, article: int) -> None:
    anon = client(app)
    token = csrf_of(anon.get("/signin").text)
    r = anon.post(
        f"/articles/{article}/comments",
        data={"csrf": token, "body": "hi"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    for path in ("/comments/abc/edit", "/comments/0/edit", "/comments/99999999999999999999/edit"):
        assert anon.get(path).status_code == 404
    assert (
        anon.post("/articles/999999/comments", data={"csrf": token}, headers=ORIGIN).status_code
        == 404
    )


def test_admins_set_roles_and_disable_accounts_in_the_browser_pages(
    app: FastAPI, store: Store, settings: Settings, people: dict[str, int]
) -> None:
    make_user(store, settings, "boss@example.org", "Boss", role="admin")
    boss = signed_in(app, "boss@example.org")
    ann = signed_in(app, "ann@example.org")
    mod = signed_in(app, "mod@example.org")
    assert mod.get("/admin/users").status_code == 403  # moderators do not manage accounts
    listing = boss.get("/admin/users").text
    assert "ann@example.org" in listing and "admin (you)" in listing
    r = post_form(
        boss,
        "/admin/users",
        f"/admin/users/{people['ann']}",
        {"action": "role", "role": "moderator"},
    )
    assert r.status_code == 200
    assert store.get_user(people["ann"]).role == "moderator"  # type: ignore[union-attr]
    assert ann.get("/admin/moderation").status_code == 200
    bad = post_form(
        boss, "/admin/users", f"/admin/users/{people['ann']}", {"action": "role", "role": "emperor"}
    )
    assert bad.status_code == 400
    post_form(boss, "/admin/users", f"/admin/users/{people['ann']}", {"action": "disable"})
    assert ann.get("/account", follow_redirects=False).status_code == 303  # session gone
    token = csrf_of(mod.get("/account").text)
    r = mod.post(
        f"/admin/users/{people['bob']}", data={"csrf": token, "action": "disable"}, headers=ORIGIN
    )
    assert r.status_code == 403 and not store.get_user(people["bob"]).disabled  # type: ignore[union-attr]
    actions = [(e["action"], e["target_user_id"]) for e in store.moderation_log()]
    assert actions[:2] == [("disable", people["ann"]), ("role", people["ann"])]


def test_comments_on_a_story_page(
    app: FastAPI, store: Store, article: int, people: dict[str, int]
) -> None:
    from broadsheet.store.stories import Change

    story = store.apply_story_changes([Change(article_id=article, story=-1)])[-1]
    trusted(store, people, "ann", article)
    anon = client(app).get(f"/stories/{story}").text
    assert "No comments yet" in anon and f'href="/signin?next=/stories/{story}"' in anon
    ann = signed_in(app, "ann@example.org")
    r = comment(ann, article, "unused")  # an article comment stays on the article
    r = post_form(
        ann,
        f"/stories/{story}",
        f"/stories/{story}/comments",
        {"body": "On the whole story"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/stories/{story}?c=posted")
    cid = new_id(r)
    page = client(app).get(f"/stories/{story}").text
    assert "On the whole story" in page and "unused" not in page
    assert "On the whole story" not in client(app).get(f"/articles/{article}").text
    bob = signed_in(app, "bob@example.org")
    r = post_form(
        bob,
        f"/stories/{story}",
        f"/stories/{story}/comments",
        {"body": "A reply on the story", "parent": str(cid)},
        follow_redirects=False,
    )
    assert store.get_comment(new_id(r)).parent_id == cid  # type: ignore[union-attr]
    # A parent on another page is refused, not attached.
    other = store.add_comment(article, people["ann"], None, "on the article", NOW, None)[0]
    r = post_form(
        bob,
        f"/stories/{story}",
        f"/stories/{story}/comments",
        {"body": "cross-page reply", "parent": str(other)},
    )
    assert r.status_code == 400 and "The comment you answered is gone." in r.text
    r = post_form(
        ann,
        f"/comments/{cid}/edit",
        f"/comments/{cid}/edit",
        {"body": "Edited story"},
        follow_redirects=False,
    )
    assert r.headers["location"].startswith(f"/stories/{story}?c=edited")
    assert client(app).post("/stories/999999/comments").status_code == 403
