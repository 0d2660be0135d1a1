"""The installable app's shell: the web app manifest, the service worker, the offline page.

The service worker is served from the root (its scope is the whole site) with a version
derived from the static files, so a release that changes them replaces the cached shell.
Everything here is same-origin: the CSP's ``'self'`` covers the worker and the manifest.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from broadsheet.web import i18n, pages

router = APIRouter()

STATIC = Path(__file__).parent / "static"
THEME = "#b3261e"


def _version(request: Request) -> str:
    """A digest of the static files, computed once per app."""
    state = request.app.state
    if getattr(state, "shell_version", None) is None:
        digest = hashlib.sha256()
        for path in sorted(STATIC.iterdir()):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
        state.shell_version = digest.hexdigest()[:12]
    return str(state.shell_version)


@router.get("/manifest.webmanifest")
def manifest(request: Request, lang: str = "") -> JSONResponse:
    """The manifest in the reader's language: the one the page linking it names
    (``?lang=``: a browser fetches the manifest without cookies), else worked out like a
    page's (account, cookie, Accept-Language)."""
    language = i18n.offered(lang) or i18n.current_language()
    with i18n.language(language):
        name = i18n.gettext("Broadsheet: the world's news")
        description = i18n.gettext("The world's news, gathered on your own server.")
    icons = [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {
            "src": "/static/icon-maskable-512.png",
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": name,
        "short_name": "Broadsheet",
        "description": description,
        "lang": language,
        "dir": i18n.text_direction(language),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": icons,
    }
    return JSONResponse(
        body,
        media_type="application/manifest+json",
        headers={"vary": "Accept-Language, Cookie"},
    )


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    return Response(
        source.replace("__VERSION__", _version(request)),
        media_type="text/javascript",
        headers={"cache-control": "no-cache"},
    )


@router.get("/offline", response_class=HTMLResponse)
def offline(request: Request) -> HTMLResponse:
    """What the service worker shows for a page it has not kept, when there is no network."""
    return pages.render(request, "offline.html")


@router.get("/offline/index.json")
def offline_index() -> JSONResponse:
    """Without a service worker nothing is kept for offline reading (the worker answers
    this address itself from its cache)."""
    return JSONResponse([], headers={"cache-control": "no-store"})
