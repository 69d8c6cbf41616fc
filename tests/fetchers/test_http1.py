"""The HTTP/1.1 wire under HttpClient (fetchers/http1.py) against servers that misbehave.

Each test runs a real TCP server on 127.0.0.1 that writes raw bytes (so it can send what no
well-behaved server library would), and fetches from it through a fresh ``HttpClient``.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable

import pytest

from plnctl.errors import FetchError
from plnctl.fetchers.http import HttpClient, HttpResponse, HttpSettings
from plnctl.fetchers.http1 import MAX_HEAD

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FAST = HttpSettings(connect_timeout=1.0, read_timeout=1.0, deadline=3.0, max_bytes=100_000)
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 6\r\n\r\n<rss/>"


async def read_request(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def fetch_all(handler: Handler, count: int = 1, **kwargs: str) -> tuple[list[object], int]:
    """GET the server's ``/feed.xml`` ``count`` times in a row (one client): the responses
    (or the FetchError raised), and how many connections the server saw."""
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def go() -> list[object]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        results: list[object] = []
        async with server, HttpClient(FAST) as client:
            for _ in range(count):
                try:
                    results.append(await client.get(f"http://127.0.0.1:{port}/feed.xml", **kwargs))
                except FetchError as e:
                    results.append(e)
        return results

    return asyncio.run(go()), connections


def one(handler: Handler, **kwargs: str) -> HttpResponse:
    (result,), _ = fetch_all(handler, **kwargs)
    if isinstance(result, Exception):
        raise result
    assert isinstance(result, HttpResponse)
    return result


def test_a_huge_response_head_is_refused_in_one_line() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(MAX_HEAD // 50 + 10):  # headers that never end
            writer.write(b"X-Filler-%06d: " % i + b"x" * 40 + b"\r\n")
            await writer.drain()
        await asyncio.sleep(1)

    with pytest.raises(FetchError) as caught:
        one(handler)
    assert str(caught.value).endswith(f"the response's head is over {MAX_HEAD:,} bytes")
    assert "\n" not in str(caught.value)


def test_a_body_cut_short_is_an_error_not_a_truncated_feed() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n<rss><channel>")
        await writer.drain()

    with pytest.raises(
        FetchError, match=r"network error talking to 127\.0\.0\.1:\d+: .*mid-response"
    ):
        one(handler)


def test_garbage_instead_of_a_status_line_is_a_network_error() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.5)

    with pytest.raises(FetchError, match=r"^network error talking to 127\.0\.0\.1:"):
        one(handler)


def test_conflicting_framing_is_refused() -> None:
    """Content-Length with Transfer-Encoding is how responses are smuggled: never guessed."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"6\r\n<rss/>\r\n0\r\n\r\n"
        )
        await writer.drain()
        await asyncio.sleep(0.5)

    with pytest.raises(FetchError, match=r"^network error talking to"):
        one(handler)


def test_chunked_and_close_delimited_bodies_are_read_whole() -> None:
    async def chunked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for piece in (b"<rss>", b"<channel/>", b"</rss>"):
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/xml\r\n\r\n<rss>")
        await writer.drain()
        writer.write(b"<channel/></rss>")

    assert one(chunked).body == b"<rss><channel/></rss>"
    assert one(until_close).body == b"<rss><channel/></rss>"


def test_an_informational_response_is_skipped_for_the_real_answer() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        writer.write(OK)
        await writer.drain()

    response = one(handler)
    assert (response.status, response.body) == (200, b"<rss/>")
    assert "link" not in response.headers


def test_a_keep_alive_connection_the_server_dropped_is_retried_on_a_new_one() -> None:
    """Servers close idle keep-alive connections whenever they like: the next request finds
    the socket closed and must go out again on a fresh one, not fail the feed."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(OK)  # says nothing of closing, then closes once the client reads it
        await writer.drain()
        await asyncio.sleep(0.05)

    results, connections = fetch_all(handler, count=3)
    assert [r.status for r in results if isinstance(r, HttpResponse)] == [200, 200, 200]
    assert connections == 3


@pytest.mark.parametrize(
    "extra", [OK.replace(b"<rss/>", b"<bad/>"), b"<rss><channel>a body after a 304</channel></rss>"]
)
def test_more_bytes_than_the_response_mean_the_connection_is_not_reused(extra: bytes) -> None:
    """A server that sends a second response nobody asked for, or a body after a 304, must
    not have it read as the answer to the next request (nor fail the answer it did give)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n' + extra)
        await writer.drain()
        while await reader.read(1000):  # answers nothing more on this connection
            pass

    results, connections = fetch_all(handler, count=2, etag='"v1"')
    assert [getattr(r, "status", r) for r in results] == [304, 304]
    assert connections == 2


def test_a_stored_validator_cannot_inject_a_header() -> None:
    seen: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await read_request(reader))
        writer.write(OK)

    with pytest.raises(FetchError, match="a line break in the If-None-Match header"):
        one(handler, etag='"v1"\r\nCookie: stolen=1')
    assert seen == []


def test_an_encoding_not_asked_for_fails_only_when_there_is_a_body() -> None:
    async def brotli(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        if b"if-none-match" in request.lower():
            writer.write(b"HTTP/1.1 304 Not Modified\r\nContent-Encoding: br\r\n\r\n")
        else:
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\n"
                b"\x1b\x03\x00\xf8"
            )
        await writer.drain()

    with pytest.raises(FetchError, match="could not decode the br body: plnctl asks for gzip"):
        one(brotli)
    assert one(brotli, etag='"v1"').status == 304


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl program")
def test_https_checks_the_certificate_and_keeps_the_connection(tmp_path, monkeypatch) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
         cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            while True:
                await read_request(reader)
                writer.write(OK)
                await writer.drain()

    async def go() -> list[object]:
        server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls)
        url = f"https://localhost:{server.sockets[0].getsockname()[1]}/feed.xml"
        results: list[object] = []
        async with server:
            for trusted in (False, True, True):
                if trusted:
                    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
                async with HttpClient(FAST) as client:
                    try:
                        results.append((await client.get(url)).body)
                        results.append((await client.get(url)).body)
                    except FetchError as e:
                        results.append(str(e))
        return results

    refused, *fetched = asyncio.run(go())
    assert "certificate verify failed" in str(refused)
    assert fetched == [b"<rss/>"] * 4
    assert connections == 2  # one per trusting client (kept alive); the refused one never got in
