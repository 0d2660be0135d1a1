"""Readers' tests: the real ASGI app through httpx (a client that keeps its cookies, like
a browser), a cheap argon2 cost, and a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from broadsheet.accounts import Passwords
from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.web.sample import NOW, seed

PASSWORD = "correct horse battery"
# Playwright waits 30 s for an action, a navigation or a browser launch by default: a
# loaded machine can miss that while the page is right. The browser tests wait up to this
# long (a hang guard, never a measure); expect()'s wait is set for the suite (conftest).
BROWSER_WAIT_MS = 120_000
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        smtp_timeout=60.0,  # the local mail server: a deadline no loaded machine misses
    )


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    return seed(store)


@pytest.fixture
def app(settings: Settings, store: Store, ids: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


class Client:
    """A browser-like client of the real ASGI app: cookies kept between requests."""

    def __init__(self, app: FastAPI, base_url: str) -> None:
        self.app = app
        self.base_url = base_url
        self.cookies = httpx.Cookies()

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        follow = kw.pop("follow_redirects", True)

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(
                transport=transport,
                base_url=self.base_url,
                cookies=self.cookies,
                follow_redirects=follow,
            ) as c:
                response = await c.request(method, path, **kw)
                self.cookies = httpx.Cookies(c.cookies)
                return response

        return asyncio.run(go())

    def plant(self, name: str, value: str) -> None:
        """Set a cookie as if the site had (a replayed or planted one)."""
        self.cookies.set(name, value, domain="testserver.local", path="/")

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)


def client(app: FastAPI, base_url: str = "http://testserver") -> Client:
    return Client(app, base_url)


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def post_form(c: Client, page: str, action: str, data: dict[str, str], **kw: Any) -> Any:
    """Open ``page`` (for its CSRF token), then post ``data`` to ``action`` as a browser
    on this site would (with its Origin)."""
    token = csrf_of(c.get(page).text)
    headers = {"origin": str(c.base_url).rstrip("/"), **kw.pop("headers", {})}
    return c.post(action, data={"csrf": token, **data}, headers=headers, **kw)


def make_user(
    store: Store, settings: Settings, email: str, name: str = "Reader", role: str = "reader"
) -> int:
    hasher = Passwords(settings.argon2_memory_kib, settings.argon2_time_cost)
    uid = store.create_user(email, name, hasher.hash(PASSWORD), role, NOW)
    assert uid is not None
    return uid


def signed_in(app: FastAPI, email: str, base_url: str = "http://testserver") -> Client:
    c = client(app, base_url)
    r = post_form(
        c, "/signin", "/signin", {"email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return c


# --- a real SMTP server ---------------------------------------------------------------


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    box = Mailbox("127.0.0.1", port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()
