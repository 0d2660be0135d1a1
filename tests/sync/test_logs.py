"""Structured logs (issue 16 capability 7): with ``log_format=json`` every record is one
JSON object per line, and no secret a reader or the site used reaches the log. A real
sequence runs through the real ASGI app with the JSON log captured at info level (one
event per request, query strings included): sign-up, sign-in, an API token made and used,
an app password used for ClientLogin (POST and GET, the password in the query), the
Google Reader token and T, Fever's api_key in the query, a webhook whose secret is shown
once and whose address carries a key, delivered to a receiver that fails (logged)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from broadsheet import logs
from broadsheet.config import Settings
from broadsheet.orchestrate import webhooks
from broadsheet.store import Store
from broadsheet.web.app import create_app
from tests.readers.conftest import client, post_form
from tests.sync.conftest import NOW, fever_key, make_credential
from tests.sync.test_greader import login
from tests.sync.test_webhooks import secret_of

PASSWORD = "correct horse battery staple 42"
SITE_KEY = "site-key-0123456789abcdef"
SMTP_PASSWORD = "smtp-pass-zyxw9876"


@pytest.fixture
def captured(settings: Settings) -> Iterator[io.StringIO]:
    """The root logger's records as JSON lines in a buffer, at info level."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    json_settings = settings.model_copy(
        update={"log_format": "json", "log_level": "info", "smtp_password": SMTP_PASSWORD}
    )
    logs.configure([handler], json_settings)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def receiver() -> Iterator[int]:
    """A webhook receiver on 127.0.0.1 that answers 500."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self.send_response(500)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_no_secret_reaches_the_json_log(
    captured: io.StringIO,
    settings: Settings,
    store: Store,
    news: dict[str, int],
    receiver: int,
) -> None:
    site = settings.model_copy(
        update={
            "secret_key": SITE_KEY,
            "smtp_password": SMTP_PASSWORD,
            "allow_private_networks": True,
        }
    )
    app = create_app(site, store, clock=lambda: NOW)
    secrets: dict[str, str] = {"password": PASSWORD, "site key": SITE_KEY, "smtp": SMTP_PASSWORD}
    browser = client(app)
    email = "grace@example.org"
    r = post_form(
        browser,
        "/signup",
        "/signup",
        {"name": "Grace", "email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    browser = client(app)
    r = post_form(
        browser,
        "/signin",
        "/signin",
        {"email": email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    secrets["session cookie"] = browser.cookies["bs_session"]
    token = secrets["api token"] = make_credential(browser, "api_token", "script")
    me = json.loads(
        browser.request("GET", "/api/v1/me", headers={"authorization": f"Bearer {token}"}).text
    )
    assert me["name"] == "Grace"
    # a browser's API call with its CSRF token
    csrf = json.loads(browser.get("/api/v1/me").text)["csrf"]
    secrets["csrf"] = csrf
    saved = browser.request(
        "PUT", f"/api/v1/me/saved/{news['chile0']}", headers={"x-csrf-token": csrf}
    )
    assert saved.status_code == 204
    # an app password: ClientLogin (POST, then GET with the password in the query)
    password = secrets["app password"] = make_credential(browser, "app_password", "Reeder")
    app_client = login(app, password, email)
    secrets["auth token"] = app_client.auth
    got = app_client.get(f"/accounts/ClientLogin?Email={email}&Passwd={password}")
    assert got.status_code == 200
    t_token = app_client.get("/reader/api/0/token").text.strip()
    edited = app_client.post(
        "/reader/api/0/edit-tag",
        data={"i": str(news["chile0"]), "a": "user/-/state/com.google/read", "T": t_token},
    )
    assert edited.text == "OK"
    key = secrets["fever key"] = fever_key(password, email)
    fever = app_client.get(f"/fever/?api&api_key={key}", headers={"authorization": ""})
    assert json.loads(fever.text)["auth"] == 1
    # a webhook: its secret, and a key in its address
    hook_url = f"http://127.0.0.1:{receiver}/hook?token=hook-key-5555aaaa"
    secrets["webhook url key"] = "hook-key-5555aaaa"
    hook = post_form(
        browser,
        "/account",
        "/account/webhooks",
        {"url": hook_url, "kind": "search", "query": "chile"},
    )
    assert hook.status_code == 200, hook.text
    secrets["webhook secret"] = secret_of(hook)
    asyncio.run(webhooks.run_once(store, site, NOW))
    # refused credentials are logged as requests too
    browser.request("GET", "/api/v1/me", headers={"authorization": "Bearer bsk_" + "q" * 43})
    secrets["wrong token"] = "bsk_" + "q" * 43

    text = captured.getvalue()
    events = [json.loads(line) for line in text.splitlines()]
    assert len(events) > 20 and all({"event", "level", "timestamp"} <= set(e) for e in events)
    requests = [e for e in events if e["event"] == "request"]
    assert any(
        e["path"] == "/accounts/ClientLogin" and "Passwd=[scrubbed]" in e["query"] for e in requests
    )
    assert any(e["path"] == "/fever/" and "api_key=[scrubbed]" in e["query"] for e in requests)
    for name, value in secrets.items():
        assert value and value not in text, f"the {name} is in the log"


def test_scrubbing_whatever_a_record_carries(captured: io.StringIO) -> None:
    """Secrets passed in a record's fields, its message or an exception never come out."""
    log = logging.getLogger("broadsheet.test")
    log.warning(
        "calling %s",
        "https://user:hunter2hunter2@example.org/feed?api_key=abc123secret&page=2",
        extra={
            "headers": {
                "Authorization": "Bearer bsk_abcdefghijklmnop",
                "Cookie": "bs_session=cookie-value-xyz",
                "accept": "text/html",
            },
            "smtp_password": "smtp-pass-zyxw9876",
            "form": [("Passwd", "k3vqa-pm7xd-aaaaa-bbbbb-ccccc-ddddd")],
        },
    )
    try:
        raise ValueError("GoogleLogin auth=12/deadbeefcafe refused for T=abcd1234")
    except ValueError:
        log.exception("failed")
    text = captured.getvalue()
    first, second = (json.loads(line) for line in text.splitlines())
    assert "page=2" in first["event"] and "example.org" in first["event"]
    assert first["headers"]["accept"] == "text/html"
    for secret in (
        "hunter2hunter2",
        "abc123secret",
        "bsk_abcdefghijklmnop",
        "cookie-value-xyz",
        "smtp-pass-zyxw9876",
        "k3vqa-pm7xd",
        "deadbeefcafe",
        "abcd1234",
    ):
        assert secret not in text, secret
    assert "ValueError" in second["exception"]


def test_the_format_setting(settings: Settings, tmp_path: Any) -> None:
    """``BROADSHEET_LOG_FORMAT=json`` through the command line's log file."""
    from broadsheet import cli_errors

    cli_errors.enable_file_log()
    try:
        handler = cli_errors.log_to(
            tmp_path, settings.model_copy(update={"log_format": "json", "log_level": "info"})
        )
        logging.getLogger("broadsheet.x").info(
            "hello %s", "world", extra={"token": "bsk_zzzzzzzzzz"}
        )
        assert handler is not None
        handler.flush()
    finally:
        cli_errors.stop_file_log()
        logging.getLogger().setLevel(logging.WARNING)
    line = json.loads((tmp_path / cli_errors.LOG_NAME).read_text().strip())
    assert line["event"] == "hello world" and line["token"] == "[scrubbed]"
    assert line["level"] == "info" and line["logger"] == "broadsheet.x"
