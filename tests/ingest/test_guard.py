"""The private-network guard, against the real loopback server with the guard closed."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from broadsheet.config import Settings
from broadsheet.errors import PrivateNetwork, SchemeNotAllowed
from broadsheet.ingest.fetch import Fetcher
from broadsheet.ingest.guard import (
    GuardedBackend,
    check_scheme,
    guarded_transport,
    is_public_address,
)
from broadsheet.models import FetchResult
from tests.support.httpserver import TestServer

PRIVATE_NETWORKS = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    "::ffff:127.0.0.0/104", "::ffff:10.0.0.0/104", "::ffff:169.254.0.0/112",
    "2002:7f00::/24", "2002:a00::/24", "64:ff9b::7f00:0/104", "64:ff9b::a00:0/104",
]  # fmt: skip


@pytest.fixture
def closed(settings: Settings) -> Settings:
    """The test settings with the guard shut, as in production."""
    return settings.model_copy(
        update={"allow_private_networks": False, "allow_private_addresses": []}
    )


def fetch(settings: Settings, url: str, robots: bool = False) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.get(url, robots=robots)

    return asyncio.run(go())


# --- schemes -------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://example.com/", "https://example.com/a?b", "HTTP://x/"])
def test_http_and_https_pass(url: str) -> None:
    check_scheme(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd", "gopher://example.com/", "data:text/html,<script>", "ftp://x/",
        "javascript:alert(1)", "JavaScript:alert(1)", "mailto:a@b.c", "//example.com/", "",
    ],
)  # fmt: skip
def test_other_schemes_refused(url: str, closed: Settings) -> None:
    with pytest.raises(SchemeNotAllowed, match="only http and https"):
        check_scheme(url)
    with pytest.raises(SchemeNotAllowed):
        fetch(closed, url)


# --- addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1", "127.255.255.254", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "100.64.0.1", "169.254.169.254", "224.0.0.1", "255.255.255.255",
        "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "2002:7f00:1::",
        "2002:a9fe:a9fe::1", "64:ff9b::127.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b:1::1",
        "2001:db8::1", "not an ip", "", "2130706433",
    ],
)  # fmt: skip
def test_private_and_odd_addresses_are_not_public(ip: str) -> None:
    assert not is_public_address(ip)


@pytest.mark.parametrize(
    "ip",
    [
        "8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1",
        "2606:4700:4700::1111", "2a00:1450:4001::1", "::ffff:8.8.8.8", "2002:808:808::1",
        "64:ff9b::8.8.8.8",
    ],
)  # fmt: skip
def test_public_addresses_are_public(ip: str) -> None:
    assert is_public_address(ip)


@given(st.sampled_from(PRIVATE_NETWORKS).flatmap(lambda net: st.ip_addresses(network=net)))
@hsettings(deadline=None)  # no per-example deadline: load is not a failure
def test_every_address_in_a_private_network_is_refused(ip: ipaddress._BaseAddress) -> None:
    assert not is_public_address(str(ip))


@given(st.ip_addresses(v=4))
@hsettings(deadline=None)  # no per-example deadline: load is not a failure
def test_ipv6_wrappings_of_an_ipv4_address_judge_like_the_address(
    ip: ipaddress.IPv4Address,
) -> None:
    n = int(ip)
    expected = is_public_address(str(ip))
    mapped = ipaddress.IPv6Address((0xFFFF << 32) | n)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (n << 80))
    nat64 = ipaddress.IPv6Address((0x64FF9B << 96) | n)
    for wrapped in (mapped, sixtofour, nat64):
        assert is_public_address(str(wrapped)) == expected, wrapped
    assert not is_public_address(str(ipaddress.IPv6Address(n)))  # IPv4-compatible: never


@given(st.ip_addresses())
@hsettings(deadline=None)  # no per-example deadline: load is not a failure
def test_a_public_address_is_global_unicast(ip: ipaddress._BaseAddress) -> None:
    # IPv6 wrappings of IPv4 addresses are judged by the address they carry (above).
    wrapped = isinstance(ip, ipaddress.IPv6Address) and (
        ip.ipv4_mapped or ip.sixtofour or ip in ipaddress.IPv6Network("64:ff9b::/96")
    )
    if not wrapped and is_public_address(str(ip)):
        assert ip.is_global
        assert not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast)
        assert not (ip.is_unspecified or ip.is_reserved)


# --- the guard in the fetcher --------------------------------------------------------


HOST_FORMS = ["127.0.0.1", "localhost", "2130706433", "0x7f.1", "017700000001", "127.1"]


@pytest.mark.parametrize("host", [*HOST_FORMS, "[::1]", "[::ffff:127.0.0.1]"])
def test_loopback_in_any_spelling_is_refused_before_a_byte_is_sent(
    host: str, server: TestServer, closed: Settings
) -> None:
    server.route("/", "secret")
    with pytest.raises(PrivateNetwork, match="private network"):
        fetch(closed, f"http://{host}:{server.port}/")
    assert server.seen == []


@pytest.mark.parametrize("host", HOST_FORMS)
def test_those_spellings_really_reach_loopback_when_the_guard_is_open(
    host: str, server: TestServer, settings: Settings
) -> None:
    server.route("/", "secret")
    assert fetch(settings, f"http://{host}:{server.port}/").body == b"secret"
    assert len(server.seen) == 1


def test_robots_check_does_not_hide_the_refusal(server: TestServer, closed: Settings) -> None:
    with pytest.raises(PrivateNetwork, match=f"fetch {server.url('/page')}: .*private network"):
        fetch(closed, server.url("/page"), robots=True)
    assert server.seen == []


def test_guard_is_installed_in_the_httpx_transport() -> None:
    # httpx has no public hook; if a release moves the pool's backend, this fails
    # (and guarded_transport refuses to build a transport without the guard).
    backend = guarded_transport()._pool._network_backend
    assert isinstance(backend, GuardedBackend)
    assert backend.allow_private is False


def test_every_resolved_address_must_be_public() -> None:
    """DNS answering a public and a private address at once is refused outright."""

    async def rebinding(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.0.0.1"]

    async def go() -> None:
        await GuardedBackend(resolver=rebinding).connect_tcp("rebind.test", 80, timeout=1)

    with pytest.raises(PrivateNetwork, match="rebind.test resolves to 10.0.0.1"):
        asyncio.run(go())


def test_connects_to_the_address_it_vetted_not_a_second_lookup(server: TestServer) -> None:
    """The name is resolved once, by the guard; the socket goes to that IP."""
    server.route("/", "hi")
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    async def go() -> httpx.Response:
        transport = httpx.AsyncHTTPTransport()
        transport._pool._network_backend = GuardedBackend(True, resolver=resolver)
        async with httpx.AsyncClient(transport=transport, trust_env=False) as client:
            return await client.get(f"http://no-such-name.test:{server.port}/")

    assert asyncio.run(go()).text == "hi"
    assert asked == ["no-such-name.test"]
    assert server.seen[0].headers["host"] == f"no-such-name.test:{server.port}"
