"""Where plnctl may connect. Every request's host is checked twice: as written in the URL
(``check_host``, also run on each redirect target) and, at connect time, every address it
resolves to (``allowed_addresses``: ``http1.connect`` calls it for every connection, and
``netguard_httpcore.GuardedBackend`` under the Bluesky session's httpx pool). So redirects,
autodiscovery (``<base href>``, ``<link rel=alternate>``), comment feeds, backlinks, stored URLs
and DNS names that point inward are all covered, in one place.

Refused: link-local addresses (169.254.0.0/16, fe80::/10: cloud metadata services answer
there), the metadata addresses outside that range, multicast, broadcast and unspecified
addresses, in any spelling (IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6; the decimal,
hex and octal IPv4 forms ``inet_aton`` reads). Allowed: public addresses, private ranges (a
school's intranet: 10/8, 172.16/12, 192.168/16) and loopback.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Awaitable, Callable

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
    address, reason = _host_verdict(host)
    if address is not None and reason:
        raise _refused(host, address, reason)


@functools.lru_cache(maxsize=4096)
def _host_verdict(host: str) -> tuple[IPAddress | None, str | None]:
    # Asked for every request and redirect hop, mostly of the same few hosts: parsing the
    # host as an address each time was a tenth of an unchanged re-sync's fetching CPU.
    address = literal_address(host)
    return address, refusal(address) if address is not None else None


async def _resolve(host: str, port: int) -> list[str]:
    """Every address of ``host``; OSError (socket.gaierror) when the name does not resolve."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def allowed_addresses(host: str, port: int, resolve: Resolver | None = None) -> list[str]:
    """The addresses to try for ``host``: all it resolves to, each of them allowed (a literal
    address needs no resolver). Raises FetchError when one is refused; a name that does not
    resolve raises what the resolver raised."""
    literal = literal_address(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        addresses = await (resolve or _resolve)(host, port)
    for address in addresses:
        if reason := refusal(address):
            raise _refused(host, address, reason)
    return addresses
