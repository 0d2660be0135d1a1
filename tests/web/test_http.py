"""What uptime checks and typed addresses send: HEAD, trailing slashes, a newline after an
id, unknown places (issue 16's web defects)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.web.asgi import get


def request(app: FastAPI, method: str, path: str, **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, path, headers=headers)

    return asyncio.run(go())


@pytest.mark.parametrize("path", ["/readyz", "/", "/search?q=rail", "/daily"])
def test_head_answers_like_get_without_a_body(app: FastAPI, ids: dict[str, int], path: str) -> None:
    head = request(app, "HEAD", path)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get(app, path).headers["content-type"]


def test_head_of_a_missing_page_is_404(app: FastAPI, ids: dict[str, int]) -> None:
    assert request(app, "HEAD", "/articles/999999").status_code == 404


def test_head_of_healthz_answers_as_get(app: FastAPI) -> None:
    """Uptime checks send HEAD: /healthz says the same as to GET (here 503: no worker)."""
    head = request(app, "HEAD", "/healthz")
    assert head.status_code == get(app, "/healthz").status_code == 503
    assert head.content == b""


def test_trailing_slash_redirect_ignores_the_host_header(app: FastAPI, ids: dict[str, int]) -> None:
    moved = request(app, "GET", f"/articles/{ids['rail-link']}/?x=1", host="evil.example")
    assert moved.status_code == 308
    assert moved.headers["location"] == f"/articles/{ids['rail-link']}?x=1"


def test_a_path_of_slashes_cannot_redirect_off_site(app: FastAPI) -> None:
    """Sent raw (an HTTP client would read ``//evil.example/`` as another host)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "//evil.example/",
        "raw_path": b"//evil.example/",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    assert start["status"] == 308
    assert dict(start["headers"])[b"location"] == b"/evil.example"  # a path on this site


@pytest.mark.parametrize(
    "path", ["/articles/1%0a", "/articles/1%0A", "/places/fr%0a", "/daily/2024-05-13%0a"]
)
def test_a_newline_after_an_id_is_not_found(app: FastAPI, ids: dict[str, int], path: str) -> None:
    assert get(app, path).status_code == 404


def test_an_unknown_place_is_not_found(app: FastAPI, ids: dict[str, int]) -> None:
    assert get(app, "/places/zz").status_code == 404
    assert get(app, "/places/fr").status_code == 200
