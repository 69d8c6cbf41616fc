"""A real HTTP server on 127.0.0.1 for feed tests, with a small builder API.

    def test_x(feed_server):
        feed_server.add_feed("/a.xml", rss_feed(3), etag='"v1"')
        feed_server.set_status("/gone.xml", 410)
        feed_server.redirect("/old.xml", "/a.xml", code=301)
        url = feed_server.url("/a.xml")
        ...
        assert feed_server.requests_for("/a.xml")[-1].headers["if-none-match"] == '"v1"'

Routes are keyed by path (the query string is ignored unless a route was added with it).
Responses use HTTP/1.1 keep-alive when their length is known.
"""

from __future__ import annotations

import functools
import gzip
import struct
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

Chunks = Callable[[], Iterable[bytes]]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    client_port: int = 0  # one port per TCP connection: shows keep-alive reuse


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    chunks: Chunks | None = None  # streamed body of unknown length (connection closes after)
    delay: float = 0.0  # seconds to sleep before each chunk
    gzip: bool = False  # compress when the client accepts gzip
    latency: float = 0.0  # seconds to wait before answering (a far-away or busy server)


class Gauge:
    """Requests being answered at once, across every server that shares it."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.arrivals: list[str] = []  # the host of each request, in the order they came
        self.lock = threading.Lock()

    def up(self, host: str) -> None:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.arrivals.append(host)

    def down(self) -> None:
        with self.lock:
            self.active -= 1


class FeedServer:
    """``host`` may be any loopback address (127.0.0.2, ...: distinct hosts for per-host
    limits); ``gauge`` counts concurrent requests across several servers."""

    def __init__(self, host: str = "127.0.0.1", gauge: Gauge | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.active = 0  # requests being answered right now
        self.max_active = 0  # the most answered at once (to check client concurrency limits)
        self.gauge = gauge
        self.host = host
        self.open_connections = 0  # TCP connections from clients open right now
        self._lock = threading.Lock()
        self._httpd = _Server((host, 0), _Handler)
        self._httpd.feed_server = self  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    # -- builder -----------------------------------------------------------------------------
    def add_feed(
        self,
        path: str,
        body: str | bytes,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        content_type: str = "application/rss+xml; charset=utf-8",
        headers: dict[str, str] | None = None,
        gzip: bool = False,
        latency: float = 0.0,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = {"Content-Type": content_type, **(headers or {})}
        self.routes[path] = Route(
            200, data, all_headers, etag=etag, last_modified=last_modified, gzip=gzip,
            latency=latency,
        )  # fmt: skip
        return self.url(path)

    def add_page(self, path: str, html: str, *, content_type: str = "text/html") -> str:
        return self.add_feed(path, html, content_type=f"{content_type}; charset=utf-8")

    def set_status(
        self, path: str, code: int, *, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> str:
        self.routes[path] = Route(code, body, dict(headers or {}))
        return self.url(path)

    def redirect(self, path: str, to: str, *, code: int = 301) -> str:
        return self.set_status(path, code, headers={"Location": to})

    def slow(self, path: str, body: bytes = b"<rss>" + b" " * 200, *, delay: float = 0.2) -> str:
        """Send headers at once, then one byte every ``delay`` seconds."""

        def chunks() -> Iterator[bytes]:
            for i in range(len(body)):
                yield body[i : i + 1]

        self.routes[path] = Route(
            200, headers={"Content-Type": "application/rss+xml"}, chunks=chunks, delay=delay
        )
        return self.url(path)

    def oversized(self, path: str, megabytes: int, *, declare_length: bool = False) -> str:
        """An endless-looking RSS body of ``megabytes`` MB, generated on the fly."""
        size = megabytes * 1024 * 1024
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
        headers = {"Content-Type": "application/rss+xml"}
        if declare_length:
            body = head + b" " * (size - len(head))
            self.routes[path] = Route(200, body, headers)
            return self.url(path)

        def chunks() -> Iterator[bytes]:
            yield head
            block = b"<!-- padding -->" * 4096
            for _ in range(size // len(block)):
                yield block

        self.routes[path] = Route(200, headers=headers, chunks=chunks)
        return self.url(path)

    def gzip_bomb(self, path: str, *, inflated_mb: int = 1024) -> str:
        """A valid gzip body that inflates to ``inflated_mb`` MiB of zeros (~1 KB per MiB)."""
        body = _gzip_bomb(inflated_mb)
        headers = {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}
        self.routes[path] = Route(200, body, headers)
        return self.url(path)

    # -- inspection --------------------------------------------------------------------------
    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        if self.gauge is not None:
            self.gauge.up(self.host)

    def _done(self) -> None:
        with self._lock:
            self.active -= 1
        if self.gauge is not None:
            self.gauge.down()


@functools.lru_cache(maxsize=4)
def _gzip_bomb(inflated_mb: int) -> bytes:
    # Each Z_FULL_FLUSH block restarts the compressor, so one MiB of zeros compresses to the
    # same bytes every time: build the block once and repeat it.
    mib = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    last = compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(inflated_mb):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (inflated_mb * len(mib)) & 0xFFFFFFFF)
    return header + first + block * (inflated_mb - 1) + last + trailer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up mid-request are expected here (timeouts, size caps).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        server: FeedServer = self.server.feed_server  # type: ignore[attr-defined]
        with server._lock:
            server.open_connections += 1

    def finish(self) -> None:
        server: FeedServer = self.server.feed_server  # type: ignore[attr-defined]
        try:
            super().finish()
        finally:
            with server._lock:
                server.open_connections -= 1

    def log_message(self, format: str, *args: object) -> None:  # quiet tests
        pass

    def do_GET(self) -> None:
        server: FeedServer = self.server.feed_server  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        server._record(Request("GET", self.path, headers, self.client_address[1]))
        try:
            self._answer(server, headers)
        finally:
            server._done()

    def _answer(self, server: FeedServer, headers: dict[str, str]) -> None:
        route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
        if route is not None and route.latency:
            time.sleep(route.latency)
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found")
        elif route.chunks is not None:
            self._stream(route)
        elif _not_modified(route, headers):
            validators = {"ETag": route.etag, "Last-Modified": route.last_modified}
            self._send(304, {k: v for k, v in validators.items() if v}, b"")
        else:
            self._send_route(route, headers)

    def _send_route(self, route: Route, request_headers: dict[str, str]) -> None:
        out = dict(route.headers)
        if route.etag:
            out["ETag"] = route.etag
        if route.last_modified:
            out["Last-Modified"] = route.last_modified
        body = route.body
        if route.gzip and "gzip" in request_headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            out["Content-Encoding"] = "gzip"
        self._send(route.status, out, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _stream(self, route: Route) -> None:
        assert route.chunks is not None
        self.close_connection = True
        self.send_response(route.status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.flush()
            for chunk in route.chunks():
                if route.delay:
                    time.sleep(route.delay)
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    if route.status != 200:
        return False
    if route.etag and "if-none-match" in headers:
        return route.etag in [t.strip() for t in headers["if-none-match"].split(",")]
    if route.last_modified and "if-modified-since" in headers:
        return headers["if-modified-since"] == route.last_modified
    return False


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A started FeedServer on 127.0.0.1 (random port), stopped after the test."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()
