"""HTTP/1.1 keep-alive connections over asyncio streams, parsed by httptools: the wire under
``HttpClient``.

Why not httpx's transport: an unchanged re-sync is one small conditional GET per feed, and
httpcore's layers around each one (anyio streams and their checkpoints, the pool's request
queue and connection matching, h11's pure-Python parsing and validation: ~170 us for a 304's
request and response, against ~6 us in httptools) were most of its CPU. Here a request is one
formatted write and its response is parsed by llhttp (Node's parser, in C, through httptools);
everything else (redirects, decoding, caps, limits) is ``http.py``'s.

Every connection is made through ``netguard``: the host is resolved here and every address it
resolves to is checked before one is connected to. Errors are one-line ``FetchError``s worded
as before ("could not connect to HOST: ...", "timed out: HOST sent nothing for N s", "network
error talking to HOST: ...").
"""

from __future__ import annotations

import asyncio
import os
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httptools

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


class _Response:
    """What httptools' parser reports of the response being read (its callback object).
    Whatever follows the first whole response is ignored (and makes the connection unusable)."""

    __slots__ = (
        "code", "complete", "head", "headers", "informational", "keep_alive", "messages",
        "parser", "pieces",
    )  # fmt: skip

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.code = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.pieces: list[bytes] = []
        self.head = False  # the status line and headers are in
        self.informational = False  # ... of a 1xx, which the real answer follows
        self.complete = False  # the whole message is in
        self.keep_alive = False  # ... and the connection may carry the next request
        self.messages = 0  # messages begun (more than one: the server sent more than asked)

    @property
    def until_close(self) -> bool:
        """The body has no length: it ends where the stream does."""
        if self.code in (204, 304):
            return False
        names = {name for name, _ in self.headers}
        chunked = any(b"chunked" in v.lower() for n, v in self.headers if n == b"transfer-encoding")
        return b"content-length" not in names and not chunked

    def on_message_begin(self) -> None:
        self.messages += 1

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.complete:
            self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        if self.complete:
            return
        self.code = int(self.parser.get_status_code())
        if 100 <= self.code < 200:
            self.informational = True
        else:
            self.head = True

    def on_body(self, body: bytes) -> None:
        if not self.complete:
            self.pieces.append(body)

    def on_message_complete(self) -> None:
        if self.complete:
            return
        if self.informational:  # 100 Continue, 103 Early Hints: wait for the answer
            self.informational, self.headers, self.messages = False, [], self.messages - 1
        else:  # llhttp knows keep-alive only until it starts on the next message
            self.complete, self.keep_alive = True, bool(self.parser.should_keep_alive())


class Connection:
    """One HTTP/1.1 connection, one request at a time (no pipelining).

    Responses are parsed by httptools (llhttp, Node's HTTP parser, in C): strict framing
    (Content-Length, chunked, or until the server closes), under our own cap on the head's size.
    """

    __slots__ = ("_idle", "_reader", "_response", "_seen", "_writer", "label", "used")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, label: str):
        self._reader, self._writer, self.label = reader, writer, label
        self._response: _Response | None = None
        self._seen = 0  # bytes of the current response read so far
        self._idle = True  # no response under way
        self.used = False  # a request was sent on it before (a stale keep-alive is possible)

    @property
    def reusable(self) -> bool:
        """Idle, and the server has not closed it (as far as we have seen)."""
        return self._idle and not self._reader.at_eof() and not self._writer.is_closing()

    def close(self) -> None:
        """Drop the connection at once: nothing we still want is in flight on it, and a TLS
        goodbye would only keep the socket open longer."""
        self._idle = False
        self._writer.transport.abort()

    async def start(
        self, target: str, headers: list[tuple[str, str]], *, read_timeout: float
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Send a GET; return the response's status and raw headers (names lower-cased)."""
        request = _request_bytes(target, headers, self.label)
        reused, self.used, self._idle = self.used, True, False
        response = self._response = _Response()
        self._seen = 0
        self._writer.write(request)
        try:
            while not response.head:
                await self._read(response, read_timeout)
        except (Stale, OSError, httptools.HttpParserError, httptools.HttpParserUpgrade) as e:
            self.close()
            message = f"network error talking to {self.label}: {_reason(e)}"
            if reused and not self._seen:
                raise Stale(message) from None
            raise FetchError(message) from None
        return response.code, response.headers

    async def body(self, *, read_timeout: float) -> list[bytes]:
        """The next pieces of the response body as they arrive; [] once it was all read (the
        connection is then idle again, or closed). A plain method, not an async generator:
        asyncio tracks every async generator, and closing them all at the loop's end cost as
        much as parsing the responses."""
        response = self._response
        if response is None:
            return []
        try:
            while not response.pieces and not response.complete:
                await self._read(response, read_timeout)
        except (Stale, OSError, httptools.HttpParserError, httptools.HttpParserUpgrade) as e:
            self.close()
            raise FetchError(f"network error talking to {self.label}: {_reason(e)}") from None
        if response.pieces:
            pieces, response.pieces = response.pieces, []
            return pieces
        self._response = None
        if response.messages == 1 and response.keep_alive:
            self._idle = True
        else:
            self.close()
        return []

    def abandon(self) -> None:
        """The caller stops before the end of the response: the connection cannot be reused."""
        if not self._idle:
            self.close()

    async def _read(self, response: _Response, read_timeout: float) -> None:
        """Read what came and parse it (the parser's callbacks fill ``response``)."""
        try:
            async with asyncio.timeout(read_timeout):
                data = await self._reader.read(READ_SIZE)
        except TimeoutError:
            self.close()
            raise FetchError(
                f"timed out: {self.label} sent nothing for {read_timeout:g} s"
            ) from None
        if not data:
            if response.head and response.until_close:
                response.complete = True
                return
            if not self._seen:
                raise Stale("the server closed the connection")
            raise ConnectionError("the server closed the connection mid-response")
        self._seen += len(data)
        try:
            response.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            if not response.complete:
                raise
            response.messages += 1  # junk after a whole response (a 304 with a body): unusable
        if not response.head and self._seen > MAX_HEAD:
            raise ConnectionError(f"the response's head is over {MAX_HEAD:,} bytes")


def _request_bytes(target: str, headers: list[tuple[str, str]], label: str) -> bytes:
    """The GET request: its target is percent-encoded already; no value may break a line."""
    lines = [f"GET {target} HTTP/1.1"]
    for name, value in headers:
        if "\r" in value or "\n" in value or "\0" in value:
            raise FetchError(f"invalid request to {label}: a line break in the {name} header")
        lines.append(f"{name}: {value}")
    text = "\r\n".join(lines) + "\r\n\r\n"
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a validator stored from a server that sent UTF-8
        return text.encode("utf-8")


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
