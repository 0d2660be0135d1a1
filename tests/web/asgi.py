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
