"""Sources and learned furniture in the browser (admins only): list with health, add a feed
or site URL through the same discovery and outbound guard as ``broadsheet sources add``
(a real HTTP server on 127.0.0.1), pause / resume / remove, OPML import (multipart
upload) and export, the furniture kill switch; CSRF and roles."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.ingest.opml import parse_opml
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import csrf_of, make_user, post_form, signed_in
from tests.support.httpserver import TestServer
from tests.web.sample import NOW

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Post</title>'
    "<link>http://harbour.example/</link><item><title>One</title>"
    "<link>http://harbour.example/1</link></item></channel></rss>"
)
SITE = (
    '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    "</head><body>Harbour Post</body></html>"
)
OPML = b"""<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
<outline text="Alpha" xmlUrl="https://alpha.example/rss"/>
<outline text="Beta" xmlUrl="https://beta.example/rss" htmlUrl="https://beta.example/"/>
<outline text="Broken" xmlUrl="javascript:alert(1)"/>
</body></opml>"""


def _admin(app: FastAPI, store: Store, settings: Settings) -> object:
    make_user(store, settings, "root@example.org", "Root", role="admin")
    return signed_in(app, "root@example.org")


def test_admin_only(app: FastAPI, store: Store, settings: Settings) -> None:
    from tests.readers.conftest import client

    anonymous = client(app)
    r = anonymous.get("/admin/sources", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")
    make_user(store, settings, "mod@example.org", "Mod", role="moderator")
    mod = signed_in(app, "mod@example.org")
    for path in ("/admin/sources", "/admin/furniture", "/admin/sources.opml"):
        assert mod.get(path).status_code == 403, path
    r = post_form(mod, "/account", "/admin/sources/1", {"action": "pause"})
    assert r.status_code == 403
    assert all(s.enabled for s in store.list_sources())


def test_list_pause_resume_remove(app: FastAPI, store: Store, settings: Settings) -> None:
    c = _admin(app, store, settings)
    first = store.list_sources()[0]
    store.update_source(first.id, error_count=9, last_error="HTTP 503 from the server")
    page = c.get("/admin/sources")
    assert page.status_code == 200
    assert "failing ×9: HTTP 503 from the server" in page.text
    assert "2 sources" in page.text
    # health: all articles and those of the last day, per source
    day = store.articles_since(NOW - timedelta(days=1))
    assert sum(day.values()) > 0 and set(day) <= {s.id for s in store.list_sources()}
    for source in store.list_sources():
        row = next(r for r in page.text.split("<tr")[2:] if f'/sources/{source.id}"' in r)
        assert f"<td>{source.article_count}</td>\n      <td>{day.get(source.id, 0)}</td>" in row
    r = post_form(c, "/admin/sources", f"/admin/sources/{first.id}", {"action": "pause"})
    assert r.status_code == 200 and "The source is paused" in r.text
    paused = store.get_source(first.id)
    assert paused is not None and not paused.enabled
    assert first.id not in {s.id for s in store.due_sources()}
    r = post_form(c, "/admin/sources", f"/admin/sources/{first.id}", {"action": "resume"})
    resumed = store.get_source(first.id)
    assert resumed is not None and resumed.enabled and resumed.error_count == 0
    assert first.id in {s.id for s in store.due_sources(NOW)}
    # remove: a confirmation page first, then the POST
    confirm = c.get(f"/admin/sources/{first.id}/remove")
    assert "are removed with it" in confirm.text
    r = post_form(c, f"/admin/sources/{first.id}/remove", f"/admin/sources/{first.id}/remove", {})
    assert r.status_code == 200 and "The source and its articles are removed" in r.text
    assert store.get_source(first.id) is None
    # unknown, malformed and forged
    assert (
        post_form(c, "/admin/sources", "/admin/sources/999999", {"action": "pause"}).status_code
        == 404
    )
    assert (
        post_form(c, "/admin/sources", "/admin/sources/abc", {"action": "pause"}).status_code == 404
    )
    other = store.list_sources()[0]
    assert (
        post_form(c, "/admin/sources", f"/admin/sources/{other.id}", {"action": "x"}).status_code
        == 400
    )
    forged = c.post(
        f"/admin/sources/{other.id}",
        data={"csrf": "forged", "action": "pause"},
        headers={"origin": "http://testserver"},
    )
    assert forged.status_code == 403 and store.get_source(other.id).enabled


def test_add_goes_through_discovery_and_the_outbound_guard(
    store: Store, settings: Settings, server: TestServer
) -> None:
    server.route("/feed.xml", FEED, headers={"content-type": "application/rss+xml"})
    server.route("/site", SITE, headers={"content-type": "text/html"})
    guarded = create_app(settings, store, clock=lambda: NOW)  # private networks refused
    c = _admin(guarded, store, settings)
    r = post_form(c, "/admin/sources", "/admin/sources", {"url": server.url("/feed.xml")})
    assert r.status_code == 400 and "Not added" in r.text
    assert "is a private network address" in r.text
    assert store.get_source_by_url(server.url("/feed.xml")) is None
    assert server.hits("/feed.xml") == []  # refused before any request

    local = settings.model_copy(update={"allow_private_networks": True})
    app = create_app(local, store, clock=lambda: NOW)
    c = signed_in(app, "root@example.org")
    r = post_form(c, "/admin/sources", "/admin/sources", {"url": server.url("/site")})
    assert r.status_code == 200 and "Added “Harbour Post”" in r.text, r.text[-3000:]
    added = store.get_source_by_url(server.url("/feed.xml"))  # discovered from the page
    assert added is not None and added.name == "Harbour Post"
    again = post_form(c, "/admin/sources", "/admin/sources", {"url": server.url("/feed.xml")})
    assert again.status_code == 400 and "already exists" in again.text
    for bad in ("ftp://example.org/feed", "javascript:alert(1)", "", "http://exa mple.org/"):
        r = post_form(c, "/admin/sources", "/admin/sources", {"url": bad})
        assert r.status_code == 400 and "Not added" not in r.text, bad
    html = post_form(c, "/admin/sources", "/admin/sources", {"url": server.url("/nothing")})
    assert html.status_code == 400 and "Not added" in html.text


def _upload(c: object, body: bytes, csrf: str | None = None) -> object:
    token = csrf if csrf is not None else csrf_of(c.get("/admin/sources").text)  # type: ignore[attr-defined]
    return c.post(  # type: ignore[attr-defined]
        "/admin/sources-import",
        data={"csrf": token},
        files={"opml": ("feeds.opml", body, "text/x-opml")},
        headers={"origin": "http://testserver"},
    )


def test_opml_import_and_export(app: FastAPI, store: Store, settings: Settings) -> None:
    c = _admin(app, store, settings)
    r = _upload(c, OPML)
    assert r.status_code == 200, r.text[-2000:]
    assert "Imported 2 sources, 0 already present, 1 rejected." in r.text
    assert store.get_source_by_url("https://beta.example/rss") is not None
    assert "Imported 0 sources, 2 already present" in _upload(c, OPML).text
    exported = c.get("/admin/sources.opml")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    outlines, warnings = parse_opml(exported.content)
    assert {o.url for o in outlines} == {s.url for s in store.list_sources()} and not warnings
    # bad uploads: not XML, empty, forged token, too big, not multipart
    assert _upload(c, b"\x00\x01 not xml").status_code == 400
    assert "Choose an OPML file" in _upload(c, b"").text
    assert _upload(c, OPML, csrf="forged").status_code == 403
    assert _upload(c, b"<opml>" + b" " * (3 * 1024 * 1024)).status_code == 413
    plain = post_form(c, "/admin/sources", "/admin/sources-import", {"opml": "x"})
    assert plain.status_code == 400


def test_furniture_kill_switch(app: FastAPI, store: Store, settings: Settings) -> None:
    from broadsheet.extract.learn import is_learned, page_fingerprints

    c = _admin(app, store, settings)
    assert "Nothing learned yet" in c.get("/admin/furniture").text
    block = "Subscribe to our newsletter for the morning briefing, every weekday at six."
    for n in range(6):  # the same block on every page of the outlet
        seen = page_fingerprints([block, f"Story {n} " * 20])
        store.learn_furniture("harbourpost.example", seen, is_learned)
    page = c.get("/admin/furniture")
    assert "harbourpost.example" in page.text and "Turn off" in page.text
    shown = c.get("/admin/furniture?outlet=harbourpost.example")
    assert "Subscribe to our newsletter" in shown.text
    r = post_form(
        c,
        "/admin/furniture",
        "/admin/furniture",
        {"outlet": "harbourpost.example", "action": "off"},
    )
    assert r.status_code == 200 and "learned furniture off" in r.text
    assert not store.outlet_furniture("harbourpost.example").enabled
    assert store.furniture_fingerprints("harbourpost.example") == frozenset()
    post_form(
        c, "/admin/furniture", "/admin/furniture", {"outlet": "harbourpost.example", "action": "on"}
    )
    assert store.outlet_furniture("harbourpost.example").enabled
    unknown = post_form(
        c, "/admin/furniture", "/admin/furniture", {"outlet": "no.example", "action": "off"}
    )
    assert unknown.status_code == 404
    odd = post_form(
        c, "/admin/furniture", "/admin/furniture", {"outlet": "harbourpost.example", "action": "x"}
    )
    assert odd.status_code == 400
