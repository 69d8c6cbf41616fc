"""The one HTTP client every fetcher uses: bounded in time, size, redirects and concurrency.

httpx is imported here and nowhere else. ``HttpClient.get`` returns every HTTP status as an
``HttpResponse`` (the caller decides what 304/410/429/5xx mean) and raises ``FetchError`` only
when no usable response arrived: connect error, timeout, total deadline, redirect loop, a body
over the size cap, or a URL that is not http(s).

gzip/deflate bodies are decoded here, with zlib's ``max_length``, rather than by httpx: httpx's
decoder inflates a whole network chunk at once (a 64 KB chunk of a gzip bomb becomes ~64 MB
before anyone can count it), ours never inflates more than 64 KB per step, so the cap holds.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from weakref import WeakKeyDictionary

import httpx

from plnctl import __version__
from plnctl.errors import FetchError
from plnctl.fetchers.netguard import check_host, guard

DEFAULT_USER_AGENT = f"plnctl/{__version__} (+https://github.com/plnctl/plnctl)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_STEP = 64 * 1024  # most bytes one zlib step may produce
IDLE_SOCKETS = 256  # keep-alive connections kept open across hosts, about (see HttpClient)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0  # total seconds per request, redirects and body included
    max_bytes: int = 10_000_000  # decoded body size cap
    max_redirects: int = 5
    concurrency: int = 64  # requests in flight overall
    per_host: int = 4  # requests in flight per host (taken first: see ``_slots``)

    @classmethod
    def from_settings(cls, settings: Any) -> HttpSettings:
        """Build from any object with same-named attributes (e.g. ``config.SyncSettings``)."""
        names = [f.name for f in fields(cls)]
        return cls(**{n: getattr(settings, n) for n in names if hasattr(settings, n)})


@dataclass(frozen=True)
class HttpResponse:
    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names; repeated headers joined with ", "
    body: bytes  # decoded (gzip/deflate removed)
    permanent_url: str | None = None  # set when every redirect in the chain was 301/308

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


def check_url(url: str) -> str:
    """Return the URL without its fragment, or raise FetchError when it is not http(s) or its
    host is an address plnctl never connects to (see ``netguard``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as e:
        raise FetchError(f"invalid URL {url!r}: {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"invalid URL {url!r}: only http and https are supported")
    if not parts.hostname:
        raise FetchError(f"invalid URL {url!r}: no host")
    check_host(parts.hostname)
    return urldefrag(url.strip())[0]


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP-date); None if invalid."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    if value.startswith("-") and value[1:].isdigit():
        return 0.0
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def parse_max_age(cache_control: str | None) -> int | None:
    """The ``max-age`` of a Cache-Control header, in seconds; None when absent."""
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else None


class _Inflater:
    """Incremental gzip/deflate decoding that never produces more than _STEP bytes at once."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS
        self._obj = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, _STEP)
            except zlib.error as e:
                if self._gzip or self._started:
                    raise FetchError(f"could not decode the compressed body: {e}") from None
                # Some servers send raw deflate without the zlib wrapper.
                self._wbits = -zlib.MAX_WBITS
                self._obj = zlib.decompressobj(self._wbits)
                self._started = True
                continue
            self._started = True
            data = self._obj.unconsumed_tail
            if self._obj.eof:
                # Concatenated gzip members decode to the concatenation.
                data = self._obj.unused_data
                self._obj = zlib.decompressobj(self._wbits)
            if out:
                yield out


class HttpClient:
    """An async context manager owning keep-alive connection pools and the concurrency limits.

    One small pool per host (``per_host`` connections): httpcore matches each request against
    every connection of its pool, so one pool of 64 connections over 50 hosts cost more CPU
    than the requests themselves. Idle pools beyond ``IDLE_SOCKETS / per_host`` are closed,
    oldest first, so a sync of thousands of hosts does not keep thousands of sockets open.

    Requests go straight to httpx's transport (its connection pool), not through
    ``httpx.AsyncClient``: we follow redirects, decode bodies and apply timeouts ourselves, and
    the client's layer around them (URL and header merging, auth and redirect generators, the
    cookie jar, per-request logging) was a fifth of the CPU of an unchanged re-sync. No cookies
    are kept: a feed fetch never needs one, and none leaks from one site's feed to another.
    """

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self._pools: OrderedDict[str, httpx.AsyncHTTPTransport] | None = None
        self._busy: dict[str, int] = {}  # requests using each host's pool right now
        self._tls: ssl.SSLContext | None = None
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        s = self.settings
        self.max_pools = max(8, IDLE_SOCKETS // s.per_host)
        self._headers = {"Accept": "*/*", "User-Agent": s.user_agent}
        self._timeout = {
            "connect": s.connect_timeout, "read": s.read_timeout, "write": s.read_timeout,
            "pool": None,
        }  # fmt: skip

    async def __aenter__(self) -> HttpClient:
        self._pools = OrderedDict()
        return self

    def _new_pool(self) -> httpx.AsyncHTTPTransport:
        if self._tls is None:  # one for all pools: loading the CA bundle costs ~20 ms
            self._tls = httpx.create_ssl_context()
        n = self.settings.per_host
        limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)
        transport = httpx.AsyncHTTPTransport(verify=self._tls, http2=False, limits=limits)
        # Every connection goes through netguard: resolved addresses are checked too.
        return guard(transport)  # type: ignore[no-any-return]

    async def _pool(self, host: str) -> httpx.AsyncHTTPTransport:
        if self._pools is None:
            raise RuntimeError("HttpClient used outside 'async with'")
        pool = self._pools.get(host)
        if pool is not None:
            self._pools.move_to_end(host)
            return pool
        pool = self._pools[host] = self._new_pool()
        idle = [h for h in self._pools if not self._busy.get(h)]
        # Taken out before any await, so two requests never close the same pool.
        closing = [self._pools.pop(h) for h in idle[: len(self._pools) - self.max_pools]]
        for old in closing:
            await old.aclose()
        return pool

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pools = list((self._pools or {}).values())
        self._pools = None
        for pool in pools:
            await pool.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> HttpResponse:
        """GET ``url``, following up to ``max_redirects`` redirects; see the module docstring."""
        url = check_url(url)
        headers = {"Accept-Encoding": "gzip, deflate"}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._follow(url, headers)
        except TimeoutError:
            raise FetchError(
                f"timed out: no complete response within {self.settings.deadline:g} s"
            ) from None

    async def _follow(self, url: str, headers: dict[str, str]) -> HttpResponse:
        seen = {url}
        current, permanent = url, True
        deadline: float | None = None  # runs from the first hop's start, not while queued
        for hop in range(self.settings.max_redirects + 1):
            async with self._slots(current) as pool:
                if deadline is None:
                    deadline = asyncio.get_running_loop().time() + self.settings.deadline
                async with asyncio.timeout_at(deadline):
                    status, response_headers, body = await self._request(pool, current, headers)
            location = response_headers.get("location")
            if status not in _REDIRECTS or not location:
                moved = current if hop > 0 and permanent else None
                return HttpResponse(current, status, response_headers, body, moved)
            permanent = permanent and status in _PERMANENT
            target = check_url(urljoin(current, location.strip()))
            if target in seen:
                raise FetchError(f"redirect loop: {current} redirects back to {target}")
            seen.add(target)
            current = target
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")

    @asynccontextmanager
    async def _slots(self, url: str) -> AsyncIterator[httpx.AsyncHTTPTransport]:
        """The host's slot first, then a shared one: a request queued behind a busy host
        holds no shared slot, so other hosts' requests go ahead. Yields the host's pool."""
        host = urlsplit(url).netloc.lower()
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        async with self._hosts[host], self._global:
            self._busy[host] = self._busy.get(host, 0) + 1  # before any await: not evicted
            try:
                yield await self._pool(host)
            finally:
                self._busy[host] -= 1

    async def _request(
        self, pool: httpx.AsyncHTTPTransport, url: str, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        host = urlsplit(url).netloc
        try:
            request = httpx.Request(
                "GET", url, headers={**self._headers, **headers},
                extensions={"timeout": self._timeout},
            )  # fmt: skip
            response = await pool.handle_async_request(request)
            try:
                response_headers = dict(response.headers.items())
                status = response.status_code
                # Read even the (empty or ignored) body of a 304 or a redirect, under the
                # same cap: a response left unread closes its connection instead of
                # returning it to the pool, and reconnecting doubled the cost of a 304.
                body = await self._read_body(response)
            finally:
                await response.aclose()
            if status in _REDIRECTS or status == 304:
                body = b""
            return status, response_headers, body
        except httpx.ConnectTimeout:
            raise FetchError(
                f"could not connect to {host}: no answer within {self.settings.connect_timeout:g} s"
            ) from None
        except httpx.TimeoutException:
            raise FetchError(
                f"timed out: {host} sent nothing for {self.settings.read_timeout:g} s"
            ) from None
        except httpx.ConnectError as e:
            raise FetchError(f"could not connect to {host}: {_reason(e)}") from None
        except (httpx.HTTPError, httpx.InvalidURL) as e:
            raise FetchError(f"network error talking to {host}: {_reason(e)}") from None

    async def _read_body(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        too_big = f"response too large: over the {cap:,}-byte limit (max_bytes)"
        length = response.headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > cap:
            raise FetchError(too_big)
        parts: list[bytes] = []
        total = 0
        async for piece in _decoded(response):
            total += len(piece)
            if total > cap:
                raise FetchError(too_big)
            parts.append(piece)
        return b"".join(parts)


async def _decoded(response: httpx.Response) -> AsyncIterator[bytes]:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        async for raw in response.aiter_raw():
            yield raw
    elif encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
        async for raw in response.aiter_raw():
            for piece in inflater.feed(raw):
                yield piece
    else:
        # Not asked for (we send Accept-Encoding: gzip, deflate): let httpx try.
        try:
            async for piece in response.aiter_bytes():
                yield piece
        except httpx.DecodingError as e:
            raise FetchError(f"could not decode the {encoding} body: {e}") from None


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


# Hosts that asked this client to wait (a 429, or a rate limit spent), shared by the API
# clients (Mastodon, Bluesky): the remaining requests to that host fail fast with the wait.
_BLOCKED: WeakKeyDictionary[HttpClient, dict[str, float]] = WeakKeyDictionary()


def blocked_for(client: HttpClient, host: str) -> float:
    """Seconds ``client`` must still wait before asking ``host`` again (0: go ahead)."""
    until = _BLOCKED.get(client, {}).get(host)
    return max(0.0, until - time.monotonic()) if until else 0.0


def block_host(client: HttpClient, host: str, seconds: float) -> None:
    hosts = _BLOCKED.setdefault(client, {})
    hosts[host] = max(hosts.get(host, 0.0), time.monotonic() + seconds)
