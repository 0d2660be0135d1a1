"""The private-network guard: every outbound connection goes through it.

Checking a URL's host string is not enough (``http://2130706433/``, DNS rebinding, a
redirect to ``http://10.0.0.1/``), so the guard sits where the socket is opened: an
httpcore network backend that resolves the host itself, refuses the connection if any
address is not public, and connects to the address it vetted. TLS still verifies the
certificate against the URL's host name, which httpcore passes to ``start_tls``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import typing
from collections.abc import Awaitable, Callable, Iterable
from urllib.parse import urlsplit

import httpcore
import httpx
from httpcore import AsyncNetworkBackend, AsyncNetworkStream

from broadsheet.errors import PrivateNetwork, SchemeNotAllowed
from broadsheet.ingest.urls import ALLOWED_SCHEMES

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
SocketOption = typing.Any  # httpcore's SOCKET_OPTION union; only passed through

# Spelled out rather than trusting ``is_global`` alone, whose meaning moved between
# Python releases. Anything here, or not global, or multicast, is refused.
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    )
)  # fmt: skip
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible form
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments, Teredo included
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def check_scheme(url: str) -> None:
    """Raise SchemeNotAllowed unless ``url`` is http or https."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "a URL without a scheme"
        raise SchemeNotAllowed(url, f"{shown} is not allowed, only http and https")


def is_public_address(ip: str) -> bool:
    """True if ``ip`` is a globally routable unicast address; False for anything else."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv4Address):
        return _public_v4(addr)
    embedded = _embedded_v4(addr)
    if embedded is not None:
        return _public_v4(embedded)
    if any(addr in net for net in _BLOCKED_V6):
        return False
    return addr.is_global and not (addr.is_multicast or addr.is_reserved)


def _public_v4(addr: ipaddress.IPv4Address) -> bool:
    if any(addr in net for net in _BLOCKED_V4):
        return False
    return addr.is_global and not (addr.is_multicast or addr.is_reserved)


def _embedded_v4(addr: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries traffic for: mapped, 6to4 or NAT64."""
    if addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    if addr.sixtofour is not None:
        return addr.sixtofour
    if addr in _NAT64:
        return ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF)
    return None


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's preferred order."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            ip = str(sockaddr[0])
            if ip not in addresses:
                addresses.append(ip)
    return addresses


class GuardedBackend(AsyncNetworkBackend):
    """An httpcore backend that connects only to public addresses it resolved itself.

    With ``allow_private`` it still resolves and connects to the IP it found, but lets
    every address through (demos on loopback); ``allowed`` lets through only the private
    addresses in those networks (a test's own loopback server, one local service).
    """

    def __init__(
        self,
        allow_private: bool = False,
        *,
        allowed: Iterable[str] = (),
        resolver: Resolver = resolve,
        inner: AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.allowed = tuple(ipaddress.ip_network(n, strict=False) for n in allowed)
        self._resolve = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        addresses = await self._vetted(host, port, timeout)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options,
                )  # fmt: skip
            except httpcore.ConnectTimeout as exc:
                last = exc
            except httpcore.ConnectError as exc:
                last = httpcore.ConnectError(f"{ip} port {port}: {_os_reason(exc)}")
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    async def _vetted(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as exc:  # socket.gaierror and friends
            reason = getattr(exc, "strerror", None) or str(exc)
            raise httpcore.ConnectError(f"cannot resolve {host}: {reason}") from None
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        if not self.allow_private:
            for ip in addresses:
                if not is_public_address(ip) and not self._allowed(ip):
                    shown = host if host == ip else f"{host} resolves to {ip}, which"
                    raise PrivateNetwork(
                        host,
                        f"{shown} is a private network address (not fetched; "
                        "BROADSHEET_ALLOW_PRIVATE_ADDRESSES or "
                        "BROADSHEET_ALLOW_PRIVATE_NETWORKS would allow it)",
                    )
        return addresses

    def _allowed(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip.split("%", 1)[0])
        except ValueError:
            return False
        return any(addr.version == net.version and addr in net for net in self.allowed)


def _os_reason(exc: BaseException) -> str:
    """The most specific OS message in an exception chain ("Connection refused")."""
    seen: list[BaseException] = [exc]
    while seen:
        current = seen.pop()
        if isinstance(current, OSError) and current.errno and current.errno > 0:
            return os.strerror(current.errno)
        if isinstance(current, BaseExceptionGroup):
            seen.extend(current.exceptions)
        for nxt in (current.__cause__, current.__context__):
            if nxt is not None:
                seen.append(nxt)
    return str(exc) or type(exc).__name__


def guarded_transport(
    allow_private: bool = False, allowed: Iterable[str] = (), **kwargs: typing.Any
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through GuardedBackend.

    httpx has no public hook for the network backend, so this sets the pool's private
    attribute, and fails closed if a future httpx moved it.
    """
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError("cannot install the private-network guard into this httpx version")
    pool._network_backend = GuardedBackend(allow_private, allowed=allowed)
    return transport
