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


# The one script every page loads: htmx, vendored and served from /static (CSP 'self').
OWN_SCRIPT = '<script src="/static/htmx-2.0.11.min.js" defer></script>'


def without_own_scripts(html: str) -> str:
    """The page without Broadsheet's own script tag: what is left has no <script at all."""
    assert html.count(OWN_SCRIPT) <= 1
    return html.replace(OWN_SCRIPT, "")
