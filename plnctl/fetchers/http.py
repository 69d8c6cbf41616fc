"""The one HTTP client every fetcher uses: bounded in time, size, redirects and concurrency.

The wire is ``http1`` (HTTP/1.1 over asyncio streams, httptools' parser); no httpx here (only
the Bluesky session's POSTs use httpx). ``HttpClient.get`` returns every HTTP status as an
``HttpResponse`` (the caller decides what 304/410/429/5xx mean) and raises ``FetchError`` only
when no usable response arrived: connect error, timeout, total deadline, redirect loop, a body
over the size cap, or a URL that is not http(s).

gzip/deflate bodies are decoded here, with zlib's ``max_length``: a decoder that inflates a
whole network chunk at once (as httpx's does) turns a 64 KB chunk of a gzip bomb into ~64 MB
before anyone can count it; ours never inflates more than 64 KB per step, so the cap holds.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
import zlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from weakref import WeakKeyDictionary

from plnctl import __version__
from plnctl.errors import FetchError
from plnctl.fetchers.http1 import Connection, Stale, Target, connect, header_dict, tls_context
from plnctl.fetchers.netguard import check_host

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
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as e:
        raise FetchError(f"invalid URL {url!r}: {e}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"invalid URL {url!r}: only http and https are supported")
    if not parts.hostname:
        raise FetchError(f"invalid URL {url!r}: no host")
    try:
        parts.port  # noqa: B018  (raises for a port that is not a number in 0-65535)
    except ValueError:
        raise FetchError(f"invalid URL {url!r}: the port must be 0-65535") from None
    check_host(parts.hostname)
    return urldefrag(url)[0] if "#" in url else url


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
    """An async context manager owning keep-alive connections and the concurrency limits.

    Requests go over ``http1`` connections (h11 over asyncio streams), kept alive per origin
    (at most ``per_host`` each); idle connections of more than ``IDLE_SOCKETS / per_host``
    origins are closed, least recently used first, so a sync of thousands of hosts does not
    keep thousands of sockets open. We follow redirects, decode bodies and apply timeouts
    ourselves. No cookies are kept: a feed fetch never needs one, and none leaks from one
    site's feed to another.
    """

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self._idle: OrderedDict[str, list[Connection]] | None = None  # per origin, LRU first
        self._tls: ssl.SSLContext | None = None
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        s = self.settings
        self.max_pools = max(8, IDLE_SOCKETS // s.per_host)
        self._headers = {"Accept": "*/*", "User-Agent": s.user_agent}

    async def __aenter__(self) -> HttpClient:
        self._idle = OrderedDict()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        idle: Mapping[str, list[Connection]] = self._idle or {}
        self._idle = None
        for connections in idle.values():
            for connection in connections:
                connection.close()
        await asyncio.sleep(0)  # the sockets close on the loop's next turn

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
            target = Target.of(current)
            async with self._slots(target.label.lower()):
                if deadline is None:
                    deadline = asyncio.get_running_loop().time() + self.settings.deadline
                async with asyncio.timeout_at(deadline):
                    status, response_headers, body = await self._request(target, headers)
            location = response_headers.get("location")
            if status not in _REDIRECTS or not location:
                moved = current if hop > 0 and permanent else None
                return HttpResponse(current, status, response_headers, body, moved)
            permanent = permanent and status in _PERMANENT
            following = check_url(urljoin(current, location.strip()))
            if following in seen:
                raise FetchError(f"redirect loop: {current} redirects back to {following}")
            seen.add(following)
            current = following
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")

    @asynccontextmanager
    async def _slots(self, host: str) -> AsyncIterator[None]:
        """The host's slot first, then a shared one: a request queued behind a busy host
        holds no shared slot, so other hosts' requests go ahead."""
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        async with self._hosts[host], self._global:
            yield

    async def _request(
        self, target: Target, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        request_headers = [("Host", target.host_header), *{**self._headers, **headers}.items()]
        read_timeout = self.settings.read_timeout
        connection = await self._connection(target, fresh=False)
        try:
            try:
                status, raw = await connection.start(
                    target.path, request_headers, read_timeout=read_timeout
                )
            except Stale:  # the server closed it while it was idle: once more, on a new one
                connection = await self._connection(target, fresh=True)
                status, raw = await connection.start(
                    target.path, request_headers, read_timeout=read_timeout
                )
            response_headers = header_dict(raw)
            # Read even the (empty or ignored) body of a 304 or a redirect, under the same
            # cap: a connection is reused only once its response was read to the end.
            body = await self._read_body(connection, response_headers)
        finally:
            connection.abandon()  # closed unless its response was read to the end
            self._release(target.origin, connection)
        if status in _REDIRECTS or status == 304:
            body = b""
        return status, response_headers, body

    async def _connection(self, target: Target, *, fresh: bool) -> Connection:
        if self._idle is None:
            raise RuntimeError("HttpClient used outside 'async with'")
        idle = self._idle.get(target.origin)
        while idle and not fresh:
            connection = idle.pop()
            if not idle:
                del self._idle[target.origin]
            if connection.reusable:
                return connection
            connection.close()
            idle = self._idle.get(target.origin)
        tls = None
        if target.tls:
            if self._tls is None:  # one for all connections: loading the CA bundle costs ~20 ms
                self._tls = tls_context()
            tls = self._tls
        return await connect(
            target.hostname, target.port, tls, label=target.label,
            timeout=self.settings.connect_timeout,
        )  # fmt: skip

    def _release(self, origin: str, connection: Connection) -> None:
        if self._idle is None or not connection.reusable:
            connection.close()
            return
        idle = self._idle.setdefault(origin, [])
        self._idle.move_to_end(origin)
        idle.append(connection)
        if len(idle) > self.settings.per_host:
            idle.pop(0).close()
        while len(self._idle) > self.max_pools:  # the least recently used origin's go
            for old in self._idle.popitem(last=False)[1]:
                old.close()

    async def _read_body(self, connection: Connection, headers: Mapping[str, str]) -> bytes:
        cap = self.settings.max_bytes
        too_big = f"response too large: over the {cap:,}-byte limit (max_bytes)"
        length = headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > cap:
            raise FetchError(too_big)
        decode = _decoder(headers.get("content-encoding", "").strip().lower())
        parts: list[bytes] = []
        total = 0
        while pieces := await connection.body(read_timeout=self.settings.read_timeout):
            for raw in pieces:
                for piece in decode(raw):
                    total += len(piece)
                    if total > cap:
                        raise FetchError(too_big)
                    parts.append(piece)
        return b"".join(parts)


def _decoder(encoding: str) -> Callable[[bytes], Iterable[bytes]]:
    """What turns each raw piece of a body with this Content-Encoding into decoded pieces."""
    if encoding in ("", "identity"):
        return lambda raw: (raw,)
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Inflater(encoding).feed

    def unknown(raw: bytes) -> Iterable[bytes]:
        if raw:  # a 304 or an empty body may name any encoding
            raise FetchError(f"could not decode the {encoding} body: plnctl asks for gzip, deflate")
        return ()

    return unknown


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
