"""The installable app's shell through the real ASGI app: manifest, service worker, offline
page. (Installing and reading offline in a real browser: tests/web/test_browser.py.)"""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI

from tests.web.asgi import get


def test_manifest_makes_the_site_installable(app: FastAPI) -> None:
    response = get(app, "/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:  # every icon exists and is a real PNG
        png = get(app, icon["src"])
        assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")


EN = "Broadsheet: the world's news"
FR = "Broadsheet : l’actualité du monde"
AR = "Broadsheet: أخبار العالم"
MANIFEST = "/manifest.webmanifest"


@pytest.mark.parametrize(
    ("how", "lang", "direction", "name"),
    [
        ({"path": MANIFEST}, "en", "ltr", EN),
        ({"path": MANIFEST + "?lang=fr"}, "fr", "ltr", FR),
        ({"accept_language": "ar-EG,ar;q=0.9"}, "ar", "rtl", AR),
        ({"cookie": "lang=fr"}, "fr", "ltr", FR),
        ({"path": MANIFEST + "?lang=xx", "cookie": "lang=ar"}, "ar", "rtl", AR),
    ],
)
def test_the_manifest_speaks_the_readers_language(
    app: FastAPI, how: dict[str, str], lang: str, direction: str, name: str
) -> None:
    """An Arabic reader installs an app named and described in Arabic, right to left: the
    language the linking page names (``?lang=``, as a browser fetches the manifest without
    cookies), else the page's own rules (cookie, Accept-Language); an unknown one is ignored."""
    how = dict(how)
    response = get(app, how.pop("path", MANIFEST), **how)
    manifest = json.loads(response.text)
    assert (manifest["lang"], manifest["dir"], manifest["name"]) == (lang, direction, name)
    english = "The world's news, gathered on your own server."
    assert (manifest["description"] == english) == (lang == "en")
    assert "Accept-Language" in response.headers["vary"]


def test_every_page_links_the_manifest(app: FastAPI, ids: dict[str, int]) -> None:
    for path in ("/", f"/articles/{ids['rail-link']}", "/search?q=rail"):
        html = get(app, path).text
        assert '<link rel="manifest" href="/manifest.webmanifest?lang=en">' in html
        assert 'id="install-app" type="button" hidden' in html  # shown only when offered


def test_service_worker_is_served_from_the_root_with_a_version(app: FastAPI) -> None:
    response = get(app, "/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "__VERSION__" not in response.text
    assert 'const VERSION = "' in response.text
    # the same app gives the same version: the cached shell is not thrown away for nothing
    assert get(app, "/sw.js").text == response.text
    # every URL of the shell it precaches answers
    for url in ("/offline", "/static/style.css", "/static/app.js", "/static/htmx-2.0.11.min.js"):
        assert url in response.text
        assert get(app, url).status_code == 200


def test_offline_page_and_its_empty_index(app: FastAPI) -> None:
    page = get(app, "/offline")
    assert page.status_code == 200
    assert "You are offline" in page.text and 'id="offline-articles"' in page.text
    index = get(app, "/offline/index.json")
    assert index.status_code == 200 and json.loads(index.text) == []
