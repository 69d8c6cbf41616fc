"""``netguard`` under httpcore: the network backend of the one httpx client plnctl still uses
(the Bluesky session's POSTs, ``fetchers/bluesky/session.py``). Apart from ``netguard`` so that
a sync, whose connections go through ``http1``, never imports httpcore."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import httpcore

from plnctl.fetchers.netguard import Resolver, allowed_addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, resolving each host itself and connecting only to allowed
    addresses (all of them must be allowed: a name that also points inward is refused)."""

    def __init__(
        self, inner: httpcore.AsyncNetworkBackend | None = None, resolve: Resolver | None = None
    ) -> None:
        self._inner = inner or httpcore.AnyIOBackend()
        self._resolve = resolve  # None: netguard's own resolver

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
                addresses = await allowed_addresses(host, port, self._resolve)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except OSError as e:  # socket.gaierror: the name does not resolve
            raise httpcore.ConnectError(str(e)) from None
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
