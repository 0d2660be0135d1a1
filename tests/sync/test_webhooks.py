"""Webhooks: registered on the account page (private addresses refused), new matching
stories queued once, delivered signed to a real receiver on 127.0.0.1 that fails, is
slow, and succeeds; retried with back-off, given up after the last attempt, and refused
by the fetcher's private-network guard when the address is private."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI

from broadsheet.config import Settings
from broadsheet.orchestrate import webhooks
from broadsheet.store import Store
from broadsheet.web.guard import RateLimits
from tests.readers.conftest import Client, make_user, post_form, signed_in
from tests.sync.conftest import NOW


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that answers POSTs with the next status of
    ``script`` (then 200), after ``delay`` seconds, and keeps what it received."""

    port: int = 0
    script: list[int] = field(default_factory=list)
    delay: float = 0.0
    got: list[dict[str, Any]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            box.got.append(
                {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
            time.sleep(box.delay)
            status = box.script.pop(0) if box.script else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


def register(browser: Client, url: str, kind: str = "follows", query: str = "") -> Any:
    return post_form(
        browser, "/account", "/account/webhooks", {"url": url, "kind": kind, "query": query}
    )


def secret_of(response: Any) -> str:
    start = response.text.index('<code class="webhook-secret">') + len(
        '<code class="webhook-secret">'
    )
    return response.text[start : response.text.index("</code>", start)]


def run(store: Store, settings: Settings, at: datetime) -> tuple[int, int]:
    return asyncio.run(webhooks.run_once(store, settings, at))


def deliver(store: Store, settings: Settings, at: datetime) -> int:
    return asyncio.run(webhooks.deliver_due(store, settings, at))


def test_registration_refuses_bad_and_private_addresses(
    app: FastAPI, browser: Client, store: Store, settings: Settings, reader_id: int
) -> None:
    assert not settings.allow_private_networks
    settings.limit_post_reader = "50/minute"  # each refused form counts too
    app.state.limits = RateLimits(settings)
    for url, words in (
        ("http://127.0.0.1:9/hook", "private network"),
        ("http://10.1.2.3/hook", "private network"),
        ("http://[::1]/hook", "private network"),
        ("http://localhost/hook", "private network"),
        ("ftp://example.org/hook", "Only http"),
        ("javascript:alert(1)", "Only http"),
        ("", "full address"),
        ("https://exa mple.org/", "full address"),
    ):
        r = register(browser, url)
        assert r.status_code == 400 and words in r.text, (url, r.text[-500:])
    no_words = register(browser, "https://93.184.215.14/hook", kind="search", query="  ")
    assert no_words.status_code == 400 and "words to search" in no_words.text
    assert store.webhooks_of(reader_id) == []
    ok = register(browser, "https://93.184.215.14/hook", kind="search", query="earthquake")
    assert ok.status_code == 200 and secret_of(ok).startswith("whsec_")
    assert ok.headers["cache-control"] == "no-store"
    page = browser.get("/account").text
    assert "https://93.184.215.14/hook" in page and "none yet" in page and secret_of(ok) not in page
    (hook,) = store.webhooks_of(reader_id)
    make_user(store, settings, "eve@example.org", "Eve")
    eve = signed_in(app, "eve@example.org")
    assert (
        post_form(eve, "/account", f"/account/webhooks/{hook['id']}/delete", {}).status_code == 404
    )
    assert (
        post_form(browser, "/account", f"/account/webhooks/{hook['id']}/delete", {}).status_code
        == 200
    )
    assert store.webhooks_of(reader_id) == []


def test_new_stories_are_delivered_signed_and_retried(
    app: FastAPI,
    browser: Client,
    store: Store,
    settings: Settings,
    reader_id: int,
    outlets: dict[str, int],
    receiver: Receiver,
) -> None:
    settings.allow_private_networks = True  # the receiver is on loopback
    store.set_follow(reader_id, "outlet", str(outlets["Andes Daily"]), False, NOW)
    secret = secret_of(register(browser, receiver.url))
    receiver.script = [500, 503]  # fails twice, then succeeds
    now = datetime.now(UTC)
    queued, delivered = run(store, settings, now)
    assert (queued, delivered) == (1, 0)  # the Chile story (Andes Daily reported it)
    (hook,) = store.webhooks_of(reader_id)
    assert (
        hook["last_status"] == 500 and hook["last_error"] == "answered 500" and hook["pending"] == 1
    )
    (d,) = store.webhook_deliveries(hook["id"])
    assert d["state"] == "pending" and d["attempts"] == 1
    assert d["next_attempt_at"] == now + timedelta(seconds=60)
    assert deliver(store, settings, now + timedelta(seconds=30)) == 0  # not due yet
    assert len(receiver.got) == 1
    assert deliver(store, settings, now + timedelta(seconds=61)) == 0
    (d,) = store.webhook_deliveries(hook["id"])
    assert d["next_attempt_at"] == now + timedelta(seconds=61 + 240)  # four times longer
    assert deliver(store, settings, now + timedelta(seconds=301)) == 1
    (d,) = store.webhook_deliveries(hook["id"])
    assert d["state"] == "delivered" and d["attempts"] == 3 and d["last_status"] == 200
    (hook,) = store.webhooks_of(reader_id)
    assert hook["last_status"] == 200 and hook["last_error"] is None

    last = receiver.got[-1]
    stamp, body = last["headers"]["x-broadsheet-timestamp"], last["body"]
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert last["headers"]["x-broadsheet-signature"] == "sha256=" + expected
    assert last["headers"]["content-type"] == "application/json"
    event = json.loads(body)
    assert event["event"] == "story.new" and event["matched"] == "follows"
    assert event["story"]["outlets"] == 3 and "Iquique" in event["story"]["title"] + str(event)
    assert event["story"]["url"].endswith(f"/stories/{event['story']['id']}")
    # once only: a later round finds nothing new for this webhook
    assert run(store, settings, now + timedelta(seconds=400)) == (0, 0)
    assert "delivered (200)" in browser.get("/account").text
    # a month on, the delivery is forgotten (the webhook keeps its last status)
    run(store, settings, now + timedelta(days=31))
    assert store.webhook_deliveries(hook["id"]) == []
    assert store.webhooks_of(reader_id)[0]["last_status"] == 200


def test_a_search_webhook_and_a_slow_receiver(
    browser: Client, store: Store, settings: Settings, reader_id: int, receiver: Receiver
) -> None:
    settings.allow_private_networks = True
    settings.webhook_timeout = 0.5
    register(browser, receiver.url, kind="search", query="Hokkaido")
    receiver.delay = 3.0  # past the deadline whatever the load: a sleep
    now = datetime.now(UTC)
    assert run(store, settings, now) == (1, 0)
    (hook,) = store.webhooks_of(reader_id)
    assert hook["last_error"] == "timed out" and hook["last_status"] is None
    receiver.delay = 0.0
    settings.webhook_timeout = 60.0  # a prompt receiver: a deadline no loaded machine misses
    assert deliver(store, settings, now + timedelta(minutes=2)) == 1
    event = json.loads(receiver.got[-1]["body"])
    assert event["matched"] == "search" and event["query"] == "Hokkaido"
    assert "Hokkaido" in event["story"]["title"]


def test_private_addresses_are_refused_at_delivery_and_failures_give_up(
    browser: Client,
    store: Store,
    settings: Settings,
    reader_id: int,
    outlets: dict[str, int],
    receiver: Receiver,
) -> None:
    settings.allow_private_networks = True
    settings.webhook_attempts = 2
    store.set_follow(reader_id, "outlet", str(outlets["Andes Daily"]), False, NOW)
    register(browser, receiver.url)
    settings.allow_private_networks = False  # e.g. the name now resolves to a private address
    now = datetime.now(UTC)
    run(store, settings, now)
    (hook,) = store.webhooks_of(reader_id)
    assert hook["last_error"] == "refused: the address is on a private network"
    assert receiver.got == []  # nothing reached it
    deliver(store, settings, now + timedelta(minutes=5))
    (d,) = store.webhook_deliveries(hook["id"])
    assert d["state"] == "failed" and d["attempts"] == 2
    assert deliver(store, settings, now + timedelta(days=1)) == 0  # given up
    assert receiver.got == []


def test_backoff_grows_and_is_capped(settings: Settings) -> None:
    waits = [webhooks.backoff(settings, n).total_seconds() for n in range(1, 8)]
    assert waits == [60, 240, 960, 3840, 15360, 21600, 21600]


def test_the_worker_delivers(
    store: Store,
    settings: Settings,
    reader_id: int,
    outlets: dict[str, int],
    news: dict[str, int],
    receiver: Receiver,
) -> None:
    from broadsheet.jobs.worker import WorkerThread
    from tests.jobs.test_worker import wait_for

    quick = settings.model_copy(
        update={
            "scheduler_tick": 0.2,
            "worker_heartbeat": 0.2,
            "understand": False,
            "webhook_every": 0.2,
            "allow_private_networks": True,
        }
    )
    for source_id in outlets.values():  # nothing to poll: only the webhooks run
        store.update_source(source_id, enabled=False)
    store.set_follow(reader_id, "outlet", str(outlets["Nippon Herald"]), False, NOW)
    store.create_webhook(reader_id, receiver.url, "whsec_test", "follows", None, NOW)
    thread = WorkerThread(quick, store)
    thread.start()
    try:
        # the receiver answers, then the worker records the answer: wait for both
        wait_for(lambda: len(receiver.got) == 1)
        wait_for(lambda: store.webhooks_of(reader_id)[0]["last_status"] is not None)
    finally:
        thread.stop()
    assert thread.error is None
    assert len(receiver.got) == 1
    event = json.loads(receiver.got[0]["body"])
    assert "Hokkaido" in event["story"]["title"]
    (hook,) = store.webhooks_of(reader_id)
    assert hook["last_status"] == 200
