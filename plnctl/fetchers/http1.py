"""HTTP/1.1 keep-alive connections over asyncio streams, framed by h11: the wire under
``HttpClient``.

Why not httpx's transport: an unchanged re-sync is one small conditional GET per feed, and
httpcore's layers around each one (anyio streams and their checkpoints, the pool's request
queue and connection matching, per-request trace and extension plumbing) were about half of
its CPU. h11 (httpcore's own HTTP/1.1 parser) framing bytes we read from a plain asyncio stream
costs a fraction of that; everything else (redirects, decoding, caps, limits) is ``http.py``'s.

Every connection is made through ``netguard``: the host is resolved here and every address it
resolves to is checked before one is connected to. Errors are one-line ``FetchError``s worded
as before ("could not connect to HOST: ...", "timed out: HOST sent nothing for N s", "network
error talking to HOST: ...").
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import h11

from plnctl.errors import FetchError
from plnctl.fetchers import netguard

READ_SIZE = 64 * 1024
MAX_HEAD = 100 * 1024  # the most a response's status line and headers may take (as httpcore)
_PATH_SAFE = "/!$&'()*+,;=:@%~-._"  # what a path may hold unescaped (RFC 3986), plus "%"
_QUERY_SAFE = _PATH_SAFE + "?"


class Stale(FetchError):
    """A kept-alive connection the server had closed: nothing of a response came back."""


def tls_context() -> ssl.SSLContext:
    """Certificate checks as httpx makes them: certifi's CA bundle unless SSL_CERT_FILE or
    SSL_CERT_DIR names another; HTTP/1.1 offered by ALPN."""
    if os.environ.get("SSL_CERT_FILE"):
        context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    elif os.environ.get("SSL_CERT_DIR"):
        context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    context.set_alpn_protocols(["http/1.1"])
    return context


def ascii_host(host: str) -> str:
    """The host as DNS and the Host header spell it (IDNA for a non-ASCII name)."""
    if host.isascii():
        return host
    import idna  # httpx's own dependency; only for internationalised names

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as e:
        raise FetchError(f"invalid URL host {host!r}: {e}") from None


def request_target(path: str, query: str) -> str:
    """The request line's target: the URL's path and query, percent-encoded where needed."""
    target = quote(path, safe=_PATH_SAFE) or "/"
    return f"{target}?{quote(query, safe=_QUERY_SAFE)}" if query else target


@dataclass(frozen=True)
class Target:
    """Where a request goes, from its (already checked) URL."""

    origin: str  # scheme://host:port, the key of the kept-alive connections
    tls: bool
    hostname: str  # ASCII (IDNA), for the resolver and TLS
    port: int
    label: str  # host[:port] as the URL wrote it, without user info: in error messages
    host_header: str
    path: str  # the request target

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        tls = parts.scheme.lower() == "https"
        try:
            port = parts.port or (443 if tls else 80)
        except ValueError as e:
            raise FetchError(f"invalid URL {url!r}: {e}") from None
        label = parts.netloc.rpartition("@")[2]
        hostname = ascii_host(parts.hostname or "")
        shown = f"[{hostname}]" if ":" in hostname else hostname
        default = port == (443 if tls else 80)
        host_header = shown if default and parts.port is None else f"{shown}:{port}"
        origin = f"{'https' if tls else 'http'}://{shown}:{port}"
        path = request_target(parts.path, parts.query)
        return cls(origin, tls, hostname, port, label, host_header, path)


def header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-cased names (h11 gives them so); repeated headers joined with ", "."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("ascii", "replace"), header_text(value)
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def header_text(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")


async def connect(
    host: str, port: int, tls: ssl.SSLContext | None, *, label: str, timeout: float
) -> Connection:
    """A new connection to an allowed address of ``host`` (see ``netguard``)."""
    too_slow = f"could not connect to {label}: no answer within {timeout:g} s"
    try:
        async with asyncio.timeout(timeout):
            addresses = await netguard.allowed_addresses(host, port)
    except TimeoutError:
        raise FetchError(too_slow) from None
    except FetchError:
        raise
    except Exception as e:  # whatever the resolver raised: the name does not resolve
        raise FetchError(f"could not connect to {label}: {_reason(e)}") from None
    error = f"{host} has no address"
    for address in addresses:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    address, port, ssl=tls, server_hostname=host if tls else None,
                    limit=READ_SIZE,
                )  # fmt: skip
        except TimeoutError:
            error = f"no answer within {timeout:g} s"
        except (OSError, ssl.SSLError) as e:
            error = _reason(e)
        else:
            return Connection(reader, writer, label)
    raise FetchError(f"could not connect to {label}: {error}")


class Connection:
    """One HTTP/1.1 connection, one request at a time (no pipelining)."""

    __slots__ = ("_got", "_h11", "_reader", "_writer", "label", "used")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, label: str):
        self._reader, self._writer, self.label = reader, writer, label
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self._got = False  # some byte of the current response arrived
        self.used = False  # a request was sent on it before (a stale keep-alive is possible)

    @property
    def reusable(self) -> bool:
        """Idle, and the server has not closed it (as far as we have seen)."""
        return (
            self._h11.our_state is h11.IDLE
            and not self._reader.at_eof()
            and not self._writer.is_closing()
        )

    def close(self) -> None:
        """Drop the connection at once: nothing we still want is in flight on it, and a TLS
        goodbye would only keep the socket open longer."""
        self._writer.transport.abort()

    async def start(
        self, target: str, headers: list[tuple[str, str]], *, read_timeout: float
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Send a GET; return the response's status and raw headers (names lower-cased)."""
        h = self._h11
        self._got = False
        reused, self.used = self.used, True
        try:
            data = h.send(h11.Request(method="GET", target=target, headers=headers))
        except h11.LocalProtocolError as e:
            raise FetchError(f"invalid request to {self.label}: {_reason(e)}") from None
        self._writer.write((data or b"") + (h.send(h11.EndOfMessage()) or b""))
        try:
            while True:
                event = await self._next(read_timeout)
                if isinstance(event, h11.Response):
                    return event.status_code, list(event.headers)
                # an InformationalResponse (1xx): the real answer follows
        except (Stale, OSError, h11.RemoteProtocolError) as e:
            self.close()
            message = f"network error talking to {self.label}: {_reason(e)}"
            if reused and not self._got:
                raise Stale(message) from None
            raise FetchError(message) from None

    async def body(self, *, read_timeout: float) -> AsyncIterator[bytes]:
        """The response body's pieces as they arrive; the connection is idle again (or closed)
        once the last one was read."""
        try:
            while True:
                event = await self._next(read_timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
        except (OSError, h11.RemoteProtocolError) as e:
            self.close()
            raise FetchError(f"network error talking to {self.label}: {_reason(e)}") from None
        h = self._h11
        if h.our_state is h11.DONE and h.their_state is h11.DONE:
            h.start_next_cycle()
        else:
            self.close()

    def abandon(self) -> None:
        """The caller stops before the end of the response: the connection cannot be reused."""
        if self._h11.our_state is not h11.IDLE:
            self.close()

    async def _next(self, read_timeout: float) -> object:
        h = self._h11
        event = h.next_event()
        while event is h11.NEED_DATA:
            try:
                async with asyncio.timeout(read_timeout):
                    data = await self._reader.read(READ_SIZE)
            except TimeoutError:
                self.close()
                raise FetchError(
                    f"timed out: {self.label} sent nothing for {read_timeout:g} s"
                ) from None
            if not data and not self._got:
                raise Stale("the server closed the connection")
            self._got = True
            h.receive_data(data)
            event = h.next_event()
        return event


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
