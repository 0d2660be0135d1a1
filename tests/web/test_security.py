"""Security headers, error pages and outlet icons (RELIABILITY.md items 12-14)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.asgi import get, without_own_scripts
from tests.web.sample import HARBOUR, NOW, png

# --- headers and errors --------------------------------------------------------------------

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?page=2",
        "/articles/1",
        "/articles/404",
        "/nowhere",
        "/?page=x",
        "/static/style.css",
        "/icons/1",
        "/healthz",
    ],
)
def test_security_headers_on_every_response(app: FastAPI, ids: dict[str, int], path: str) -> None:
    response = get(app, path)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_html_has_no_inline_script_or_style_and_a_lang(app: FastAPI, ids: dict[str, int]) -> None:
    for path in ("/", f"/articles/{ids['rail-link']}", "/nowhere"):
        html = get(app, path).text
        assert html.startswith('<!doctype html>\n<html lang="en" dir="ltr">')
        assert "<script" not in without_own_scripts(html)
        assert "style=" not in html and "<style" not in html
        assert "http://" not in html.replace("xmlns='http://www.w3.org/2000/svg'", "")


def test_error_page_escapes_what_it_echoes(app: FastAPI) -> None:
    response = get(app, "/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_server_error_is_an_html_page_with_headers(settings: Settings, store: Store) -> None:
    class Broken:
        def latest_articles(self, limit: int, offset: int = 0) -> list[object]:
            raise RuntimeError("the disk <b>caught fire</b>")

    app = create_app(settings, Broken(), clock=lambda: NOW)
    response = get(app, "/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "caught fire" not in response.text  # internals are logged, not shown
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"


# --- icons and health ---------------------------------------------------------------------


def test_icon_served_with_type_cache_and_nosniff(app: FastAPI, store: Store) -> None:
    source = store.add_source("https://harbourgazette.example/rss", name=HARBOUR)
    store.set_icon(source.id, png(), "image/png")
    response = get(app, f"/icons/{source.id}")
    assert response.status_code == 200
    assert response.content == png()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "max-age" in response.headers["cache-control"]


def test_icon_declared_as_icon_but_really_png_is_served_as_png(app: FastAPI, store: Store) -> None:
    source = store.add_source("https://harbourgazette.example/rss", name=HARBOUR)
    store.set_icon(source.id, png(), "image/x-icon")
    assert get(app, f"/icons/{source.id}").headers["content-type"] == "image/png"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (SVG, "image/svg+xml"),
        (SVG, "image/png"),  # lying about its type
        (png(), "image/svg+xml"),
        (b"<html><script>alert(1)</script>", "text/html"),
        (b"\x00\x00\x01\x00garbage", "text/html"),
    ],
)
def test_icon_refuses_svg_and_non_images(
    app: FastAPI, store: Store, body: bytes, content_type: str
) -> None:
    source = store.add_source("https://evil.example/feed", name="Evil")
    store.set_icon(source.id, body, content_type)
    response = get(app, f"/icons/{source.id}")
    assert response.status_code == 404
    assert b"<svg" not in response.content
    assert response.headers["content-type"].startswith("text/html")


def test_icon_unknown_source_is_404(app: FastAPI) -> None:
    for path in ("/icons/1", "/icons/abc", "/icons/99999999999999999999999"):
        assert get(app, path).status_code == 404


def test_healthz_without_a_worker_is_not_ok(app: FastAPI, ids: dict[str, int]) -> None:
    response = get(app, "/healthz")  # no worker ever ran here (tests/jobs/test_worker.py)
    assert response.status_code == 503
    assert response.json() == {"status": "no worker", "worker": None}
