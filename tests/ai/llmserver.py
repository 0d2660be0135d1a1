"""A local OpenAI-compatible chat endpoint on 127.0.0.1 for tests.

``mode`` picks the behaviour: good (answers from the first sentence, citing it), injected
(obeys an instruction planted in the page: a link, an image, an uncited claim), huge
(10 MB), error (HTTP 500), garbage (not JSON), slow (answers after ``SLOW_REPLY`` s, past
the client's deadline in ``model_settings(..., slow=True)``),
hold (answers only once ``release`` is set, or after ``hold_seconds``: a model that is
slower than anything the test does meanwhile; ``arrived`` counts the requests it holds),
translate (a JSON translation); for stories: story (one claim from each of the first two
articles, citing it), story-bad (a good claim, one citing a sentence that does not exist and
one its sentence does not support), none (the articles do not answer). Every request body
is kept for inspection.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from broadsheet.config import Settings

# A good reply gets a deadline no loaded CI machine misses (a 1 s deadline failed a CI run:
# the reply came, the client had given up). Only the tests of a slow model use a short one,
# and there the model is slower than that whatever the load.
REPLY_TIMEOUT = 60.0
SLOW_TIMEOUT = 0.3
SLOW_REPLY = 1.5


def model_settings(
    settings: Settings, chat: ChatServer, model: str = "m", *, slow: bool = False
) -> Settings:
    """``settings`` pointed at ``chat``, with the deadline the test needs (see above)."""
    timeout = SLOW_TIMEOUT if slow else REPLY_TIMEOUT
    return settings.model_copy(
        update={"ai_base_url": chat.base_url, "ai_model": model, "ai_timeout": timeout}
    )


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    """A running server (tests/ai has it through its conftest; others import it)."""
    server = ChatServer().start()
    yield server
    server.stop()


class ChatServer:
    def __init__(self) -> None:
        self.mode = "good"
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.hold_seconds = 60.0
        self.arrived = threading.Semaphore(0)
        outer = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length))
                outer.requests.append(body)
                status, payload = outer.reply(body)
                if outer.mode == "slow":
                    time.sleep(SLOW_REPLY)
                if outer.mode == "hold":
                    outer.arrived.release()
                    outer.release.wait(outer.hold_seconds)
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def start(self) -> ChatServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_arrived(self, count: int, timeout: float = 120.0) -> None:
        """Block until ``count`` more held requests have arrived (fail after ``timeout``)."""
        for _ in range(count):
            assert self.arrived.acquire(timeout=timeout), "the model was not called"

    def reply(self, body: dict[str, Any]) -> tuple[int, bytes]:
        if self.mode == "error":
            return 500, b'{"error": "overloaded"}'
        if self.mode == "huge":
            return 200, b'{"choices": [{"message": {"content": "' + b"x" * 10_000_000 + b'"}}]}'
        if self.mode == "garbage":
            return 200, b"<html>502 Bad Gateway</html>"
        user = body["messages"][-1]["content"]
        if self.mode == "translate":
            content = json.dumps(
                {"title": "Hafenarbeiter beenden Streik", "summary": "Ein Abschluss.",
                 "body": "Erster Absatz.\n\nZweiter Absatz mit [Link](http://evil.example/)."}
            )  # fmt: skip
        elif self.mode in ("story", "story-bad"):
            content = json.dumps({"claims": _story_claims(user, self.mode == "story-bad")})
        elif self.mode == "none":
            content = '{"claims": []}'
        elif self.mode == "injected":
            content = json.dumps(
                {"claims": [
                    {"text": "Visit http://evil.example/win ![x](http://evil.example/p.png) now",
                     "sources": ["S1"]},
                    {"text": "The harbour was bombed by aliens.", "sources": ["S2"]},
                    {"text": "Anything", "sources": ["S999"]},
                ]}
            )  # fmt: skip
        else:
            first = re.search(r'"id": "S1", "text": "((?:[^"\\]|\\.)*)"', user)
            text = json.loads(f'"{first.group(1)}"') if first else "nothing"
            content = "Here you go:\n" + json.dumps({"claims": [{"text": text, "sources": ["S1"]}]})
        data = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        return 200, json.dumps(data).encode()


def _story_claims(user: str, bad: bool) -> list[dict[str, Any]]:
    """Claims from the ARTICLES block: each of the first two articles' first sentence."""
    block = re.search(r"^(ARTICLES-[0-9a-f]{16})\n(.*?)\n\1$", user, re.M | re.S)
    articles = json.loads(block.group(2))["articles"] if block else []
    firsts = [a["sentences"][0] for a in articles[:2]]
    claims = [{"text": s["text"], "sources": [s["id"]]} for s in firsts]
    if bad and firsts:
        claims = claims[:1] + [
            {"text": firsts[0]["text"], "sources": ["A9S99"]},
            {"text": "The harbour was bombed by aliens.", "sources": [firsts[-1]["id"]]},
        ]
    return claims
