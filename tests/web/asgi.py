"""Requests through the real ASGI app, from sync tests (no pytest-asyncio)."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI


def get(app: FastAPI, path: str, **headers: str) -> httpx.Response:
    """One GET through the real ASGI app (errors come back as pages, not exceptions)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get(path, headers={k.replace("_", "-"): v for k, v in headers.items()})

    return asyncio.run(go())


# The scripts every page loads, served from /static (CSP 'self'): htmx (vendored) and
# app.js (the service worker's registration and the install button).
OWN_SCRIPTS = (
    '<script src="/static/htmx-2.0.11.min.js" defer></script>',
    '<script src="/static/app.js" defer></script>',
)


def without_own_scripts(html: str) -> str:
    """The page without Broadsheet's own script tags: what is left has no <script at all."""
    for tag in OWN_SCRIPTS:
        assert html.count(tag) <= 1
        html = html.replace(tag, "")
    return html
