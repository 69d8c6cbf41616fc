"""Feed discovery against real pages on the loopback server."""

from __future__ import annotations

import asyncio

import pytest

from plnctl.errors import NotFound
from plnctl.fetchers.discover import discover_feed, find_feed_links
from plnctl.fetchers.http import HttpClient
from tests.fetchers.conftest import FAST
from tests.servers.feeds import atom_feed, html_page, rss_feed


def discover(url: str) -> str:
    async def go() -> str:
        async with HttpClient(FAST) as client:
            return await discover_feed(client, url)

    return asyncio.run(go())


def test_find_feed_links_reads_alternate_link_tags():
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="/style.css">'
        '<link rel="alternate" type="application/rss+xml" href="/feed/">'
        '<link rel="alternate" type="application/atom+xml" href="https://cdn.example/atom.xml">'
        '<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">'
        '<link rel="alternate" type="application/feed+json" href="feed.json">'
        "</head></html>"
    )
    assert find_feed_links(html, "https://t.example/blog/") == [
        "https://t.example/feed/",
        "https://cdn.example/atom.xml",
        "https://t.example/blog/feed.json",
    ]


def test_find_feed_links_honours_base_and_survives_junk():
    html = '<base href="https://other.example/x/">'
    html += "<link rel=alternate type=application/rss+xml href=rss>"
    assert find_feed_links(html, "https://t.example/") == ["https://other.example/x/rss"]
    assert find_feed_links("<<<not html", "https://t.example/") == []


def test_discovers_the_advertised_feed(feed_server):
    feed_server.add_feed("/blog/feed.xml", rss_feed(2))
    url = feed_server.add_page("/blog/", html_page(feed_href="/blog/feed.xml"))
    assert discover(url) == feed_server.url("/blog/feed.xml")


def test_a_feed_url_is_its_own_feed(feed_server):
    url = feed_server.add_feed("/atom", atom_feed(1), content_type="application/atom+xml")
    assert discover(url) == url


def test_falls_back_to_common_paths(feed_server):
    url = feed_server.add_page("/", html_page())
    feed_server.add_page("/feed", html_page("not a feed either"))
    feed_server.add_feed("/atom.xml", atom_feed(1), content_type="application/atom+xml")
    assert discover(url) == feed_server.url("/atom.xml")


def test_a_broken_advertised_link_falls_through_to_common_paths(feed_server):
    url = feed_server.add_page("/", html_page(feed_href="/missing.xml"))
    feed_server.add_feed("/index.xml", rss_feed(1))
    assert discover(url) == feed_server.url("/index.xml")


def test_no_feed_anywhere(feed_server):
    url = feed_server.add_page("/", html_page())
    with pytest.raises(NotFound, match=r"no feed found at http://127.0.0.1:\d+/"):
        discover(url)


def test_unreachable_site(feed_server):
    url = feed_server.set_status("/down", 503)
    with pytest.raises(NotFound, match="HTTP 503"):
        discover(url)
