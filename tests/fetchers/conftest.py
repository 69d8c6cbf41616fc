"""Fixtures for the fetcher tests: the loopback feed server and an HttpClient runner."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from plnctl.fetchers.http import HttpClient, HttpResponse, HttpSettings
from tests.servers.feed_server import feed_server

__all__ = ["feed_server"]

# Small limits so hostile-server tests finish in about a second.
FAST = HttpSettings(
    connect_timeout=1.0, read_timeout=0.5, deadline=1.5, max_bytes=1_000_000, max_redirects=3
)


@pytest.fixture
def fetch() -> Callable[..., HttpResponse]:
    """``fetch(url, settings=FAST, **kwargs)``: one GET through a fresh HttpClient."""

    def _fetch(url: str, settings: HttpSettings = FAST, **kwargs: str) -> HttpResponse:
        async def go() -> HttpResponse:
            async with HttpClient(settings) as client:
                return await client.get(url, **kwargs)

        return asyncio.run(go())

    return _fetch
