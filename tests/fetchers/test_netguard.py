"""Network hygiene: plnctl never connects to link-local (cloud metadata) or other non-host
addresses, however it is led there: redirects, autodiscovery, stored URLs, a DNS name that
resolves inward. Private ranges (school intranets) and loopback stay reachable."""

from __future__ import annotations

import asyncio
import time

import httpcore
import pytest

from plnctl.api import Pln
from plnctl.errors import FetchError
from plnctl.fetchers import netguard, netguard_httpcore
from plnctl.fetchers.discover import find_feed_links
from plnctl.fetchers.http import check_url
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import html_page, rss_feed

REFUSED = [
    "169.254.169.254", "169.254.0.1", "fe80::1", "fe80::1%eth0", "febf::1",
    "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
    "::169.254.169.254", "fd00:ec2::254", "100.100.100.200", "224.0.0.1", "ff02::1",
    "0.0.0.0", "::", "255.255.255.255",
]  # fmt: skip
ALLOWED = [
    "127.0.0.1", "127.0.0.2", "::1", "10.1.2.3", "192.168.1.10", "172.16.0.1", "8.8.8.8",
    "2001:db8::1", "fd12:3456::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "100.64.0.1",
]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED)
def test_refused_addresses(address: str) -> None:
    assert netguard.refusal(address) is not None


@pytest.mark.parametrize("address", ALLOWED)
def test_allowed_addresses(address: str) -> None:
    assert netguard.refusal(address) is None


@pytest.mark.parametrize(
    "host",
    ["169.254.169.254", "[fe80::1]", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376",
     "169.254.43518", "0xA9.0xFE.0xA9.0xFE", "[::ffff:169.254.169.254]"],
)  # fmt: skip
def test_every_spelling_of_the_metadata_address_is_refused_in_urls(host: str) -> None:
    with pytest.raises(FetchError, match=r"refused to connect to .*link-local"):
        check_url(f"http://{host}/latest/meta-data/")


@pytest.mark.parametrize("host", ["example.org", "1e100.net", "deadbeef.example", "10.0.0.7"])
def test_host_names_and_private_addresses_pass_the_url_check(host: str) -> None:
    assert check_url(f"http://{host}/feed") == f"http://{host}/feed"


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/",
     "http://2852039166/", "http://[fe80::1]:8080/", "file:///etc/passwd", "ftp://files.example/x"],
)  # fmt: skip
def test_a_redirect_cannot_lead_inward_or_off_http(feed_server: FeedServer, fetch, target) -> None:
    url = feed_server.redirect("/feed.xml", target, code=302)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url)
    message = str(caught.value)
    assert "\n" not in message
    assert "refused to connect" in message or "only http and https" in message
    assert time.monotonic() - started < 1.0  # refused, not a connect attempt that timed out


def test_a_redirect_to_localhost_by_name_is_followed(feed_server: FeedServer, fetch) -> None:
    feed_server.add_feed("/real.xml", rss_feed(1))
    url = feed_server.redirect("/feed.xml", f"http://localhost:{feed_server.port}/real.xml")
    response = fetch(url)
    assert response.status == 200 and response.url.startswith("http://localhost:")


def fake_dns(table: dict[str, list[str]]):
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise httpcore.ConnectError(f"no such host {host}")
        return table[host]

    return resolve


def test_a_name_that_resolves_inward_is_refused_at_connect_time(feed_server: FeedServer) -> None:
    """The resolved address is checked, not only what the URL says (DNS rebinding, a hostile
    zone): unit test of the connect step, with a fixed resolver instead of DNS."""
    dns = fake_dns({
        "metadata.evil.test": ["169.254.169.254"],
        "both.evil.test": ["127.0.0.1", "fe80::1"],
        "intranet.school.test": ["127.0.0.1"],
    })  # fmt: skip
    backend = netguard_httpcore.GuardedBackend(resolve=dns)

    async def connect(host: str) -> httpcore.AsyncNetworkStream:
        return await backend.connect_tcp(host, feed_server.port, timeout=1.0)

    for host in ("metadata.evil.test", "both.evil.test"):
        with pytest.raises(FetchError, match=f"refused to connect to {host} \\("):
            asyncio.run(connect(host))

    async def talk() -> bytes:
        stream = await connect("intranet.school.test")
        await stream.write(b"GET /x HTTP/1.1\r\nHost: intranet.school.test\r\n\r\n")
        data = await stream.read(100)
        await stream.aclose()
        return data

    assert asyncio.run(talk()).startswith(b"HTTP/1.")


def test_sync_reports_a_name_resolving_inward_as_one_line(
    pln: Pln, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end through HttpClient: every connection goes through the guard."""
    dns = {"metadata.evil.test": ["169.254.169.254"], "intranet.school.test": ["127.0.0.1"]}
    monkeypatch.setattr(netguard, "_resolve", fake_dns(dns))
    feed_server.add_feed("/ok.xml", rss_feed(2))
    evil = f"http://metadata.evil.test:{feed_server.port}/ok.xml"
    good = f"http://intranet.school.test:{feed_server.port}/ok.xml"
    pln.people.add("Ada", feeds=[good])
    with pytest.raises(FetchError, match="link-local"):  # refused when added, too
        pln.people.add("Eve", feeds=[evil])
    pln.people.add("Eve", feeds=[evil], check=False)
    results = {r.label: r for r in pln.sync(force=True).results}
    assert results[good].status == "new" and results[good].new_posts == 2
    assert results[evil].status == "failed"
    assert results[evil].error == (
        "refused to connect to metadata.evil.test (169.254.169.254): "
        "a link-local address (where cloud metadata services answer)"
    )


def test_a_stored_link_local_url_fails_with_a_clear_error(pln: Pln, db_path, cli) -> None:
    """A database from 0.1 may follow such a URL already: the sync refuses it, one line."""
    import sqlite3

    pln.people.add("Ada", feeds=["http://127.0.0.1:9/feed.xml"], check=False)
    pln.close()
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE sources SET url = 'http://169.254.169.254/latest/meta-data/'")
    conn.close()
    out = cli("sync", "--force")
    assert out.exit_code != 0
    (line,) = [x for x in out.stderr.splitlines() if "failed" in x and "169.254" in x]
    assert "refused to connect to 169.254.169.254: a link-local address" in line


def test_autodiscovery_ignores_inward_and_non_http_links() -> None:
    page = (
        '<html><head><base href="http://169.254.169.254/">'
        '<link rel="alternate" type="application/rss+xml" href="/latest/feed">'
        '<link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">'
        '<link rel="alternate" type="application/rss+xml" href="http://[fe80::1]/feed">'
        '<link rel="alternate" type="application/atom+xml" href="https://blog.example/atom">'
        "</head></html>"
    )
    assert find_feed_links(page, "https://blog.example/") == ["https://blog.example/atom"]


def test_discovery_of_a_page_with_an_inward_base_finds_the_real_feed(
    feed_server: FeedServer, fetch
) -> None:
    from plnctl.fetchers.discover import discover_feed
    from plnctl.fetchers.http import HttpClient
    from tests.fetchers.conftest import FAST

    page = html_page(feed_href="/feed.xml").replace(
        "<head>", '<head><base href="http://169.254.169.254/">'
    )
    site = feed_server.add_page("/", page)
    feed_server.add_feed("/feed", rss_feed(1))

    async def go() -> str:
        async with HttpClient(FAST) as client:
            return await discover_feed(client, site)

    assert asyncio.run(go()) == feed_server.url("/feed")


def test_comment_feeds_pointing_inward_are_not_kept(pln: Pln, feed_server: FeedServer) -> None:
    """``wfw:commentRss`` of a synced blog: a link-local or file: comment feed is dropped, so a
    question tracked on that post never stores (or fetches) it."""
    base = feed_server.url("/rivera")
    body = rss_feed(3, base=base, comments=True)
    body = body.replace(f"{base}/1/comments/feed", "http://169.254.169.254/latest/user-data")
    body = body.replace(f"{base}/2/comments/feed", "file:///etc/passwd")
    feed_server.add_feed("/rivera/feed", body)
    feed_server.add_feed("/rivera/0/comments/feed", rss_feed(1))
    from plnctl.fetchers.feed import parse_feed

    parsed = parse_feed(body.encode(), url=feed_server.url("/rivera/feed"))
    assert sorted(parsed.comment_feeds.values()) == [f"{base}/0/comments/feed"]
    pln.people.add("Ms. Rivera", feeds=[feed_server.url("/rivera/feed")])
    pln.sync()
    for n in (1, 2):
        question = pln.questions.track(f"{base}/{n}")
        assert question.comment_feed_url is None or question.comment_feed_url.startswith(base)
