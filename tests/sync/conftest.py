"""Sync-app tests: the real ASGI app over a real store holding the stories tests' news
(articles from six outlets, clustered into stories), a reader with an app password and an
API token made on their account page, and clients that speak as reader apps do."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import Client, make_user, post_form, signed_in
from tests.stories import conftest as stories_fixtures
from tests.stories.sample import at

outlets = stories_fixtures.outlets
add = stories_fixtures.add
news = stories_fixtures.news

NOW = at(80)
EMAIL = "ada@example.org"
_SECRET = re.compile(r'<code class="credential-secret">([^<]+)</code>')


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        default_sources=False,
        extract_workers=1,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        public_url="http://testserver",
        webhook_timeout=60.0,  # deliveries to the tests' receivers: no loaded machine misses it
    )


@pytest.fixture
def app(settings: Settings, store: Store, news: dict[str, int]) -> FastAPI:
    return create_app(settings, store, clock=lambda: NOW)


@pytest.fixture
def reader_id(store: Store, settings: Settings) -> int:
    return make_user(store, settings, EMAIL, "Ada")


@pytest.fixture
def browser(app: FastAPI, reader_id: int) -> Client:
    """The reader, signed in on the site (their account page makes credentials)."""
    return signed_in(app, EMAIL)


def make_credential(
    browser: Client, kind: str = "app_password", label: str = "Reeder", expires: str = "never"
) -> str:
    r = post_form(
        browser,
        "/account",
        "/account/credentials",
        {"kind": kind, "label": label, "expires": expires},
    )
    assert r.status_code == 200, r.text
    found = _SECRET.search(r.text)
    assert found, "the new secret is not shown"
    return found.group(1)


@pytest.fixture
def app_password(browser: Client) -> str:
    return make_credential(browser)


def fever_key(password: str, email: str = EMAIL) -> str:
    return hashlib.md5(f"{email}:{password}".encode()).hexdigest()


class App:
    """A sync app's HTTP client (no cookies): plain requests through the real ASGI app."""

    def __init__(self, app: FastAPI) -> None:
        self.client = Client(app, "http://testserver")
        self.auth = ""

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        self.client.cookies = httpx.Cookies()  # apps keep no cookies of the site
        headers = dict(kw.pop("headers", {}))
        if self.auth and "authorization" not in {k.lower() for k in headers}:
            headers["Authorization"] = f"GoogleLogin auth={self.auth}"
        return self.client.request(method, path, headers=headers, follow_redirects=False, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)
