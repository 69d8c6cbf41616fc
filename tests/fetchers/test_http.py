"""HttpClient against a real loopback server: validators, redirects, limits, hostile bodies."""

from __future__ import annotations

import asyncio
import resource
import socket
from datetime import UTC, datetime

import pytest

from plnctl.errors import FetchError
from plnctl.fetchers.http import (
    DEFAULT_USER_AGENT,
    HttpClient,
    HttpSettings,
    parse_max_age,
    parse_retry_after,
)
from tests.fetchers.conftest import FAST
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed

LM = "Sun, 01 Nov 2026 09:00:00 GMT"


def test_sends_user_agent_and_returns_body_and_headers(feed_server, fetch):
    url = feed_server.add_feed("/feed.xml", rss_feed(2), etag='"v1"', last_modified=LM)
    response = fetch(url)
    assert response.status == 200
    assert response.body.startswith(b"<?xml")
    assert response.headers["etag"] == '"v1"'
    assert response.headers["last-modified"] == LM
    assert response.permanent_url is None
    sent = feed_server.requests_for("/feed.xml")[0].headers
    assert sent["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("plnctl/")


def test_etag_revalidation_gets_304_without_body(feed_server, fetch):
    url = feed_server.add_feed("/feed.xml", rss_feed(2), etag='"v1"', last_modified=LM)
    response = fetch(url, etag='"v1"', last_modified=LM)
    assert response.status == 304
    assert response.body == b""
    sent = feed_server.requests_for("/feed.xml")[0].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == LM


def test_last_modified_revalidation_gets_304(feed_server, fetch):
    url = feed_server.add_feed("/feed.xml", rss_feed(2), last_modified=LM)
    assert fetch(url, last_modified=LM).status == 304
    assert fetch(url, last_modified="Mon, 02 Nov 2026 09:00:00 GMT").status == 200


def test_changed_etag_gets_the_new_body(feed_server, fetch):
    url = feed_server.add_feed("/feed.xml", rss_feed(3), etag='"v2"')
    response = fetch(url, etag='"v1"')
    assert response.status == 200
    assert response.headers["etag"] == '"v2"'


def test_gzip_body_is_decoded(feed_server, fetch):
    url = feed_server.add_feed("/feed.xml", rss_feed(5), gzip=True)
    response = fetch(url)
    assert response.headers["content-encoding"] == "gzip"
    assert response.body == rss_feed(5).encode()


def test_permanent_redirect_chain_reports_new_url(feed_server, fetch):
    feed_server.add_feed("/new.xml", rss_feed(1))
    feed_server.redirect("/middle.xml", "/new.xml", code=308)
    url = feed_server.redirect("/old.xml", feed_server.url("/middle.xml"), code=301)
    response = fetch(url)
    assert response.status == 200
    assert response.url == feed_server.url("/new.xml")
    assert response.permanent_url == feed_server.url("/new.xml")


@pytest.mark.parametrize("temporary", [302, 303, 307])
def test_a_temporary_hop_means_no_permanent_url(feed_server, fetch, temporary):
    feed_server.add_feed("/new.xml", rss_feed(1))
    feed_server.redirect("/middle.xml", "/new.xml", code=temporary)
    url = feed_server.redirect("/old.xml", "/middle.xml", code=301)
    response = fetch(url)
    assert response.url == feed_server.url("/new.xml")
    assert response.permanent_url is None


def test_redirect_loop_fails_with_clear_message(feed_server, fetch):
    feed_server.redirect("/a", "/b")
    url = feed_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(url)


def test_too_many_redirects(feed_server, fetch):
    for i in range(6):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}", code=302)
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        fetch(feed_server.url("/r0"))


def test_redirect_to_another_scheme_is_refused(feed_server, fetch):
    url = feed_server.redirect("/evil", "file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url)


@pytest.mark.parametrize("status", [404, 410, 429, 500, 503])
def test_http_errors_are_responses_not_exceptions(feed_server, fetch, status):
    url = feed_server.set_status("/x", status, headers={"Retry-After": "120"}, body=b"nope")
    response = fetch(url)
    assert response.status == status
    assert response.headers["retry-after"] == "120"
    assert response.body == b"nope"


def test_slow_trickle_hits_the_total_deadline(feed_server, fetch):
    url = feed_server.slow("/slow.xml", delay=0.1)  # a byte every 0.1 s: never a read timeout
    with pytest.raises(FetchError, match=r"timed out: no complete response within 1.5 s"):
        fetch(url)


def test_silent_server_hits_the_read_timeout(feed_server, fetch):
    url = feed_server.slow("/silent.xml", delay=1.0)
    with pytest.raises(FetchError, match=r"timed out: 127.0.0.1:\d+ sent nothing for 0.5 s"):
        fetch(url)


def test_oversized_streamed_body_is_cut_off(feed_server, fetch):
    url = feed_server.oversized("/big.xml", 50)
    with pytest.raises(FetchError, match="response too large: over the 1,000,000-byte limit"):
        fetch(url)


def test_oversized_declared_length_is_refused_early(feed_server, fetch):
    url = feed_server.oversized("/big.xml", 2, declare_length=True)
    with pytest.raises(FetchError, match="response too large"):
        fetch(url)


def test_gzip_bomb_is_cut_off_and_memory_stays_small(feed_server, fetch):
    url = feed_server.gzip_bomb("/bomb.xml", inflated_mb=2048)  # ~2 MB on the wire, 2 GiB inflated
    settings = HttpSettings(deadline=20, max_bytes=10_000_000)
    peak_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(FetchError, match="response too large: over the 10,000,000-byte limit"):
        fetch(url, settings=settings)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before_kb) / 1024
    assert growth_mb < 60, f"peak memory grew by {growth_mb:.0f} MB"


def test_connection_refused(fetch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError, match=rf"could not connect to 127.0.0.1:{port}"):
        fetch(f"http://127.0.0.1:{port}/feed.xml")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/feed", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http:///nohost", "no host"),
    ],
)
def test_invalid_urls_are_refused_before_any_request(fetch, url, message):
    with pytest.raises(FetchError, match=message):
        fetch(url, settings=FAST)


NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("-5", 0.0),
        ("inf", None),
        ("1e9", None),
        ("Sat, 28 Nov 2026 12:10:00 GMT", 600.0),
        ("Sat, 28 Nov 2026 11:00:00 GMT", 0.0),  # in the past: retry now
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("max-age=3600", 3600),
        ("public, max-age=600, must-revalidate", 600),
        ('max-age="60"', 60),
        ("s-maxage=100", None),
        ("no-cache", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_max_age(value, expected):
    assert parse_max_age(value) == expected


@pytest.mark.parametrize(
    ("per_host", "concurrency", "expected"), [(2, 16, 2), (4, 3, 3), (16, 16, 6)]
)
def test_concurrency_limits_are_respected(feed_server, per_host, concurrency, expected):
    url = feed_server.slow("/slowish.xml", body=b"<rss/>", delay=0.05)
    settings = HttpSettings(per_host=per_host, concurrency=concurrency, deadline=10)

    async def go() -> list[int]:
        async with HttpClient(settings) as client:
            responses = await asyncio.gather(*(client.get(url) for _ in range(6)))
            return [r.status for r in responses]

    assert asyncio.run(go()) == [200] * 6
    assert feed_server.max_active == expected


def test_revalidations_reuse_one_connection(feed_server):
    """A 304 must hand its connection back to the pool: reconnecting for every unchanged feed
    doubled the cost of a re-sync (and with TLS it would cost a handshake each)."""
    url = feed_server.add_feed("/feed.xml", rss_feed(2), etag='"v1"')

    async def revalidate() -> list[int]:
        async with HttpClient(HttpSettings(per_host=1, concurrency=1)) as client:
            return [(await client.get(url, etag='"v1"')).status for _ in range(5)]

    assert asyncio.run(revalidate()) == [304] * 5
    ports = {r.client_port for r in feed_server.requests_for("/feed.xml")}
    assert len(ports) == 1


def test_no_cookie_is_kept_between_requests(feed_server):
    """A feed that sets a cookie does not get it back, nor does any other feed: a tracking
    cookie from one site's feed must not follow the reader to the next request."""
    first = feed_server.add_feed(
        "/tracks.xml", rss_feed(1), headers={"Set-Cookie": "track=abc; Path=/; Max-Age=3600"}
    )
    second = feed_server.add_feed("/other.xml", rss_feed(1))

    async def go() -> None:
        async with HttpClient(HttpSettings(per_host=1, concurrency=1)) as client:
            for url in (first, second, first):
                assert (await client.get(url)).status == 200

    asyncio.run(go())
    assert all("cookie" not in r.headers for r in feed_server.requests)
    assert len(feed_server.requests) == 3


def test_idle_connections_stay_bounded_across_many_hosts():
    """One small pool per host, and idle pools beyond the cap are closed: a sync of many hosts
    keeps a bounded number of sockets open, while a host's own connection is reused."""
    servers = [FeedServer(f"127.0.0.{i}").start() for i in range(2, 14)]  # 12 hosts
    try:
        urls = [s.add_feed("/f.xml", rss_feed(1)) for s in servers]

        async def go() -> list[int]:
            async with HttpClient(HttpSettings(per_host=64, concurrency=64)) as client:
                assert client.max_pools == 8
                statuses = [(await client.get(u)).status for u in urls]
                statuses.append((await client.get(urls[-1])).status)  # a pool still open
                for _ in range(100):  # the servers see the closed sockets a moment later
                    if sum(s.open_connections for s in servers) <= 8:
                        break
                    await asyncio.sleep(0.02)
                assert sum(s.open_connections for s in servers) <= 8
                return statuses

        assert asyncio.run(go()) == [200] * 13
        assert len({r.client_port for r in servers[-1].requests}) == 1  # reused, not reopened
    finally:
        for server in servers:
            server.stop()
