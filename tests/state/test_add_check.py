"""`person add --feed` and `source add` fetch the URL once and refuse what is not a feed (an HTML
page that links no feed, a dead port, an error status); `--no-check` adds it anyway."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import Cli
from tests.servers.feeds import rss_feed


def _dead_url() -> str:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


@pytest.mark.parametrize("kind", ["html", "dead", "404", "text"])
def test_person_add_refuses_what_is_not_a_feed(cli: Cli, feed_server, kind: str) -> None:  # type: ignore[no-untyped-def]
    url = {
        "html": feed_server.add_page("/blog", "<html><head><title>Blog</title></head></html>"),
        "dead": _dead_url(),
        "404": feed_server.set_status("/gone.xml", 404),
        "text": feed_server.add_feed("/notes.txt", "just text", content_type="text/plain"),
    }[kind]
    result = cli("person", "add", "Ada", "--feed", url)
    assert result.exit_code == 7, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and url in lines[0]
    assert "--no-check" in lines[0] and "Traceback" not in result.stderr
    assert cli("person", "list", "--json").json() == []  # nothing stored
    added = cli("person", "add", "Ada", "--feed", url, "--no-check", "--json")
    assert added.exit_code == 0, added.stderr
    assert [s["url"] for s in added.json()["sources"]] == [url]  # type: ignore[index]


def test_person_add_checks_a_feed_once_and_follows_a_pages_feed_link(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed = feed_server.add_feed("/feed.xml", rss_feed(2))
    result = cli("person", "add", "Ada", "--feed", feed, "--json")
    assert result.exit_code == 0, result.stderr
    assert len(feed_server.requests_for("/feed.xml")) == 1
    page = feed_server.add_page(
        "/", f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed}">'
    )
    other = cli("person", "add", "Bo", "--feed", page, "--json")
    # The page's own feed is already followed: refused as a duplicate, not stored as a page.
    assert other.exit_code == 2 and "already" in other.stderr


def test_source_add_refuses_a_page_without_feed_and_no_check_adds_it(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    cli("person", "add", "Ada")
    page = feed_server.add_page("/about", "<html><head></head><body>hi</body></html>")
    refused = cli("source", "add", "Ada", page)
    assert refused.exit_code != 0 and refused.stderr.startswith("Error: ")
    assert "no feed" in refused.stderr and refused.stderr.count("\n") == 1
    dead = _dead_url()
    assert cli("source", "add", "Ada", dead).exit_code != 0
    added = cli("source", "add", "Ada", dead, "--no-check", "--json")
    assert added.exit_code == 0 and added.json()["url"] == dead  # type: ignore[index]
