"""RELIABILITY 1: URLs aimed inside the network are refused where the socket is opened."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path

import pytest

from broadsheet.config import Settings
from broadsheet.errors import PrivateNetwork
from broadsheet.ingest.fetch import Fetcher, FetchResult
from tests.support.httpserver import Reply, TestServer

G = "tests/ingest/test_guard.py::"
M = "tests/reliability/test_01_private_network.py::"
LINES = {
    "A URL aimed inside the network": [
        G + "test_every_address_in_a_private_network_is_refused",
        G + "test_private_and_odd_addresses_are_not_public",
        G + "test_ipv6_wrappings_of_an_ipv4_address_judge_like_the_address",
        G + "test_loopback_in_any_spelling_is_refused_before_a_byte_is_sent",
        "tests/test_pipeline.py::test_private_network_refused_unless_allowed",
        "tests/test_cli.py::test_private_address_refused_by_default",
    ],
    "the check is on the address actually connected to": [
        G + "test_connects_to_the_address_it_vetted_not_a_second_lookup",
        G + "test_every_resolved_address_must_be_public",
        M + "test_01_a_redirect_to_a_private_address_is_refused_before_it_is_requested",
    ],
    "One guard covers every outbound request": [
        G + "test_guard_is_installed_in_the_httpx_transport",
        M + "test_01_one_guard_covers_every_outbound_request",
    ],
    "Tests open the guard only for their own loopback server": [
        M + "test_01_tests_open_the_guard_only_for_their_own_loopback_server",
    ],
}

SRC = Path(__file__).resolve().parents[2] / "src" / "broadsheet"
NETWORK_MODULES = {"httpx", "httpcore", "requests", "aiohttp", "urllib3", "urllib.request",
                   "http.client", "smtplib", "ftplib", "telnetlib"}  # fmt: skip
# Where a connection may be opened, and why it is not the fetcher's business.
ALLOWED = {
    "ingest/fetch.py": "the fetcher: its transport is guarded_transport",
    "ingest/guard.py": "the guard itself",
    "orchestrate/webhooks.py": "webhook deliveries: their transport is guarded_transport",
    "ai/client.py": "the LLM endpoint, configured by the operator (may be local)",
    "mail.py": "the operator's SMTP server",
}


def fetch(settings: Settings, url: str) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, robots=False)

    return asyncio.run(go())


def test_01_a_redirect_to_a_private_address_is_refused_before_it_is_requested(
    server: TestServer, settings: Settings
) -> None:
    # The test's own server is allowed (127.0.0.1); 127.0.0.2 is the same machine, but a
    # private address nobody allowed: the redirect there is refused before it is sent.
    server.route("/go", Reply(302, headers={"location": f"http://127.0.0.2:{server.port}/in"}))
    server.route("/in", "internal")
    with pytest.raises(PrivateNetwork, match="private network"):
        fetch(settings, server.url("/go"))
    assert [s.path for s in server.seen] == ["/go"]


def test_01_one_guard_covers_every_outbound_request() -> None:
    # Feeds, pages, favicons, images and robots.txt all go through Fetcher; nothing else
    # in the package may open a connection of its own except the operator's endpoints.
    opened: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Attribute) and node.attr in ("create_connection", "connect"):
                if isinstance(node.value, ast.Name) and node.value.id == "socket":
                    names.add("socket.connect")
        found = {n for n in names if n in NETWORK_MODULES or n.split(".")[0] in NETWORK_MODULES}
        if "socket.connect" in names:
            found.add("socket.connect")
        if found:
            opened[path.relative_to(SRC).as_posix()] = found
    assert set(opened) <= set(ALLOWED), {k: v for k, v in opened.items() if k not in ALLOWED}
    fetcher = (SRC / "ingest" / "fetch.py").read_text(encoding="utf-8")
    assert "guarded_transport(" in fetcher and "httpx.AsyncClient(" not in fetcher
    hooks = (SRC / "orchestrate" / "webhooks.py").read_text(encoding="utf-8")
    assert "transport=transport" in hooks and hooks.count("httpx.AsyncClient(") == 1


def test_01_tests_open_the_guard_only_for_their_own_loopback_server(
    server: TestServer, settings: Settings
) -> None:
    assert settings.allow_private_networks is False  # the suite's settings (tests/conftest)
    server.route("/", "ours")
    assert fetch(settings, server.url("/")).body == b"ours"
    for host in ("127.0.0.2", "10.0.0.1", "169.254.169.254", "[fd00::2]"):
        with pytest.raises(PrivateNetwork, match="BROADSHEET_ALLOW_PRIVATE"):
            fetch(settings, f"http://{host}:{server.port}/")
    assert len(server.seen) == 1
