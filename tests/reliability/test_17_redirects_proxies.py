"""RELIABILITY 17: no open redirects; forwarded headers only from configured proxies."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from broadsheet.cli_worker import server_options
from broadsheet.config import Settings
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import PASSWORD, client, make_user, post_form
from tests.web.sample import NOW

M = "tests/reliability/test_17_redirects_proxies.py::"
LINES = {
    "Open redirects (`next=//evil`, `/\\evil`, `%2F%2F`) are refused.": [
        "tests/readers/test_accounts.py::test_sign_in_redirects_only_to_this_site",
        "tests/web/test_http.py::test_a_path_of_slashes_cannot_redirect_off_site",
        "tests/web/test_http.py::test_trailing_slash_redirect_ignores_the_host_header",
        M + "test_17_open_redirects_are_refused",
    ],
    "Forwarded headers are trusted only from configured proxies.": [
        M + "test_17_forwarded_headers_are_trusted_only_from_configured_proxies",
    ],
}


@pytest.fixture
def cheap(settings: Settings) -> Settings:
    return settings.model_copy(update={"argon2_memory_kib": 1024, "argon2_time_cost": 1})


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "/\\evil.example/", "%2F%2Fevil.example/", "/%2F/evil.example/",
     "https://evil.example/", "javascript:alert(1)", "/\t/evil.example/", "\\\\evil.example"],
)  # fmt: skip
def test_17_open_redirects_are_refused(target: str, cheap: Settings, store: Store) -> None:
    make_user(store, cheap, "ann@example.org")
    app: FastAPI = create_app(cheap, store, clock=lambda: NOW)
    c = client(app)
    form = {"email": "ann@example.org", "password": PASSWORD, "next": target}
    r = post_form(c, "/signin", "/signin", form, follow_redirects=False)
    assert r.status_code == 303
    location = r.headers["location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil" not in httpx.URL(location).host and httpx.URL(location).host == ""
    # and the sign-in page that links back does not carry it either
    page = c.get("/signin", params={"next": target})
    assert 'value="//' not in page.text and "javascript:" not in page.text


def _secure_cookie_over_forwarded_https(app: FastAPI, settings: Settings) -> bool:
    """Serve ``app`` as ``serve`` does; True if a request from 127.0.0.1 that claims
    (X-Forwarded-Proto) to have come over https got a Secure cookie."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", access_log=False, **server_options(settings))
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120  # a bound for failure, not a measure of speed
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        port = sock.getsockname()[1]
        r = httpx.get(
            f"http://127.0.0.1:{port}/signin",
            headers={"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.9"},
            timeout=60,
        )
        assert r.status_code == 200
        return "secure" in r.headers["set-cookie"].lower()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_17_forwarded_headers_are_trusted_only_from_configured_proxies(
    cheap: Settings, store: Store
) -> None:
    plain = cheap.model_copy(update={"forwarded_allow_ips": None})
    assert not _secure_cookie_over_forwarded_https(create_app(plain, store), plain)
    proxied = cheap.model_copy(update={"forwarded_allow_ips": "127.0.0.1"})
    assert _secure_cookie_over_forwarded_https(create_app(proxied, store), proxied)
