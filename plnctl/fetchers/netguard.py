"""Where plnctl may connect. Every request's host is checked twice: as written in the URL
(``check_host``, also run on each redirect target) and, at connect time, every address it
resolves to (``GuardedBackend``, under httpx's connection pool). So redirects, autodiscovery
(``<base href>``, ``<link rel=alternate>``), comment feeds, backlinks, stored URLs and DNS names
that point inward are all covered, in one place.

Refused: link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services answer
there), the metadata addresses outside that range, multicast, broadcast and unspecified
addresses, in any spelling (IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6; the decimal,
hex and octal IPv4 forms ``inet_aton`` reads). Allowed: public addresses, private ranges (a
school's intranet: 10/8, 172.16/12, 192.168/16) and loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore

from plnctl.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

_METADATA = frozenset(
    {
        ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6 (a ULA, not link-local)
        ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud (shared address space)
    }
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_BROADCAST = ipaddress.ip_address("255.255.255.255")
_INET_ATON = frozenset("0123456789abcdefxABCDEFX.")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the translated forms."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if 1 < int(ip) <= 0xFFFFFFFF:  # ::a.b.c.d, IPv4-compatible (deprecated, still routed)
        return ipaddress.IPv4Address(int(ip))
    return None


def refusal(address: str | IPAddress) -> str | None:
    """Why plnctl does not connect to ``address`` (None: it may)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0] if isinstance(address, str) else address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        ip = _embedded_ipv4(ip) or ip
    if ip in _METADATA:
        return "a cloud metadata address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified or ip == _BROADCAST:
        return "not a host address"
    return None


def literal_address(host: str) -> IPAddress | None:
    """The address a host name is by itself: ``169.254.169.254``, ``[fe80::1%eth0]``, and the
    forms ``inet_aton`` (so every resolver) also reads: ``2852039166``, ``0xa9fea9fe``,
    ``0251.0376.0251.0376``, ``169.254.43518``."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    if host[:1].isdigit() and _INET_ATON.issuperset(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _refused(host: str, address: str | IPAddress, reason: str) -> FetchError:
    shown = host if str(address) == host.strip("[]") else f"{host} ({address})"
    return FetchError(f"refused to connect to {shown}: {reason}")


def check_host(host: str) -> None:
    """Raise FetchError when the URL's host is itself a refused address."""
    address = literal_address(host)
    if address is not None and (reason := refusal(address)):
        raise _refused(host, address, reason)


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:  # socket.gaierror: the name does not resolve
        raise httpcore.ConnectError(str(e)) from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def allowed_addresses(host: str, port: int) -> list[str]:
    """The addresses to try for ``host``: all it resolves to, each of them allowed (a literal
    address needs no resolver). Raises FetchError when one is refused; a name that does not
    resolve raises what the resolver raised."""
    literal = literal_address(host)
    addresses = [str(literal)] if literal is not None else await _resolve(host, port)
    for address in addresses:
        if reason := refusal(address):
            raise _refused(host, address, reason)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving each host itself and connecting only to allowed
    addresses (all of them must be allowed: a name that also points inward is refused)."""

    def __init__(
        self, inner: httpcore.AsyncNetworkBackend | None = None, resolve: Resolver | None = None
    ) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self._resolve = resolve or _resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        for address in addresses:
            if reason := refusal(address):
                raise _refused(host, address, reason)
        error: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                error = e
        raise error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("plnctl does not connect to Unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guard(transport: Any) -> Any:
    """``transport`` (an httpx.AsyncHTTPTransport) with its pool connecting through
    GuardedBackend. httpx has no public way to pass a network backend to its pool."""
    pool = transport._pool
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.AsyncNetworkBackend):
        raise RuntimeError("this httpcore version cannot be guarded; pin httpcore 1.x")
    pool._network_backend = GuardedBackend(pool._network_backend)
    return transport
