"""Saved articles, read state and history, each reader's own."""

from __future__ import annotations

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from tests.readers.conftest import client, csrf_of, make_user, post_form, signed_in


def test_save_unsave_and_the_saved_page(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    first, second = list(ids.values())[:2]
    assert "Nothing saved yet" in ann.get("/saved").text
    for aid in (first, second):
        r = post_form(ann, f"/articles/{aid}", f"/articles/{aid}/save", {"keep": "1"})
        assert r.status_code == 200 and 'aria-pressed="true">Saved' in r.text
    saved = ann.get("/saved").text
    titles = [store.get_article(a).title for a in (first, second)]  # type: ignore[union-attr]
    assert all(t in saved for t in titles)
    assert saved.index(titles[1]) < saved.index(titles[0])  # newest saved first
    post_form(ann, "/saved", f"/articles/{first}/save", {"keep": "0", "next": "/saved"})
    saved = ann.get("/saved").text
    assert titles[0] not in saved and titles[1] in saved


def test_one_reader_never_sees_anothers_lists(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    make_user(store, settings, "ann@example.org", "Ann")
    make_user(store, settings, "bob@example.org", "Bob")
    ann = signed_in(app, "ann@example.org")
    bob = signed_in(app, "bob@example.org")
    aid = next(iter(ids.values()))
    title = store.get_article(aid).title  # type: ignore[union-attr]
    post_form(ann, f"/articles/{aid}", f"/articles/{aid}/save", {"keep": "1"})
    assert title in ann.get("/saved").text
    assert title not in bob.get("/saved").text and title not in bob.get("/history").text
    for guess in ("/saved?user=1", "/saved/1", "/users/1/saved", "/history?user_id=1"):
        r = bob.get(guess)
        assert title not in r.text, guess
    anon = client(app)
    for path in ("/saved", "/history"):
        r = anon.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/signin?next={path}"
    token = csrf_of(anon.get("/signin").text)
    r = anon.post(
        f"/articles/{aid}/save",
        data={"csrf": token, "keep": "1"},
        headers={"origin": "http://testserver"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/"
    r = anon.post(
        f"/articles/{aid}/save",
        data={"csrf": token, "keep": "1"},
        headers={"origin": "http://testserver", "referer": f"http://testserver/articles/{aid}"},
        follow_redirects=False,
    )
    # Back to the article after signing in, not to the form's address.
    assert r.headers["location"] == f"/signin?next=/articles/{aid}"


def test_opened_articles_are_marked_read_and_history_clears(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    make_user(store, settings, "ann@example.org", "Ann")
    ann = signed_in(app, "ann@example.org")
    aids = list(ids.values())[:3]
    client(app).get(f"/articles/{aids[2]}")  # anonymous reading is not recorded anywhere
    for aid in aids[:2]:
        ann.get(f"/articles/{aid}")
    history = ann.get("/history").text
    titles = [store.get_article(a).title for a in aids]  # type: ignore[union-attr]
    assert titles[0] in history and titles[1] in history and titles[2] not in history
    r = post_form(ann, "/history", "/history/clear", {})
    assert r.status_code == 200 and "No history" in r.text
    assert store.read_history(1) == []


def test_a_signed_in_readers_pages_are_never_cached(
    app: FastAPI, store: Store, settings: Settings, ids: dict[str, int]
) -> None:
    """A signed-in page carries the reader's name and form tokens: private, no-store, so
    neither a shared cache nor the service worker's offline copy keeps it."""
    make_user(store, settings, "cache@example.org", "Cache Reader")
    article = f"/articles/{next(iter(ids.values()))}"
    anonymous = client(app).get(article)
    assert "no-store" not in anonymous.headers.get("cache-control", "")
    reader = signed_in(app, "cache@example.org")
    page = reader.get(article)
    assert page.status_code == 200 and "Cache Reader" in page.text
    assert page.headers["cache-control"] == "private, no-store"
