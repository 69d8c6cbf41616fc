"""Hostile feeds from a loopback server, end to end: sync stores what it can, skips what it
cannot (naming it), and every read command still works afterwards."""

from __future__ import annotations

import json
import re

from plnctl.api import Pln
from tests.conftest import Cli
from tests.ingest.readers import run_every_read_command
from tests.servers.feed_server import FeedServer

GOOD_DATE = "Sun, 01 Nov 2026 09:00:00 GMT"


def rss(*items: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Hostile blog</title><link>https://hostile.example/</link>{extra}"
        + "".join(items)
        + "</channel></rss>"
    )


def item(n: int, date: str = GOOD_DATE, body: str = "<p>Plain words about retrieval.</p>") -> str:
    return (
        f"<item><title>Post {n}</title><link>https://hostile.example/{n}</link>"
        f"<guid>https://hostile.example/?p={n}</guid><pubDate>{date}</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>"
    )


def json_feed(*items: object) -> bytes:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile JSON", "items": items}
    return json.dumps(doc).encode()  # json.dumps writes a lone surrogate as \\udxxx


def sync_one(pln: Pln, feed_server: FeedServer, path: str, body: str | bytes, **kw: str):
    url = feed_server.add_feed(path, body, **kw)
    pln.people.add("Hana Hostile", feeds=[url])
    (result,) = pln.sync(force=True).results
    return result


def by_guid(pln: Pln) -> dict:
    return {p.guid: p for p in pln.posts.list(limit=None)}


def test_an_entry_dated_year_one_is_stored_without_a_date(
    pln: Pln, feed_server: FeedServer, cli: Cli
) -> None:
    body = rss(item(1), item(2, date="01 Jan 0001"), item(3, date="Mon, 01 Jan 0001 00:00:00 GMT"))
    result = sync_one(pln, feed_server, "/year-one.xml", body)
    assert (result.status, result.new_posts) == ("new", 3)
    posts = by_guid(pln)
    assert posts["https://hostile.example/?p=1"].published_at == "2026-11-01T09:00:00Z"
    for n in (2, 3):
        bad = posts[f"https://hostile.example/?p={n}"]
        assert bad.published_at is None  # "no date": sorts by when it was first seen
    listed = cli("post", "list", "--json").json()
    assert [p["guid"] for p in listed][-1] == "https://hostile.example/?p=1"
    run_every_read_command(cli, [p.id for p in posts.values()], ["Hana Hostile"])


def test_dates_in_9999_do_not_sit_on_top_of_every_list(
    pln: Pln, feed_server: FeedServer, cli: Cli
) -> None:
    body = rss(item(1), item(2, date="Fri, 31 Dec 9999 23:59:59 GMT"))
    sync_one(pln, feed_server, "/future.xml", body)
    assert by_guid(pln)["https://hostile.example/?p=2"].published_at is None
    for argv in (["post", "list"], ["digest", "--since", "3650d"], ["person", "show", "Hana"]):
        out = cli(*argv)
        assert out.exit_code == 0, out.stderr
        assert not re.search(r"\bin \d+w\b", out.stdout), out.stdout  # "in 416015w"


def test_a_json_feed_item_with_a_lone_surrogate_keeps_the_feed(
    pln: Pln, feed_server: FeedServer, cli: Cli
) -> None:
    body = json_feed(
        {"id": "good", "title": "Fine", "content_text": "All well"},
        {"id": "sur\ud800", "title": "Half \udc00 a pair", "content_html": "<p>x \ud83d y</p>"},
    )
    result = sync_one(
        pln, feed_server, "/surrogate.json", body, content_type="application/feed+json"
    )
    assert (result.status, result.new_posts) == ("new", 2), result.error
    posts = by_guid(pln)
    repaired = posts["sur\ufffd"]
    assert repaired.title == "Half \ufffd a pair" and repaired.content_text == "x \ufffd y"
    run_every_read_command(cli, [p.id for p in posts.values()], ["Hana Hostile"])


def test_a_date_that_overflows_keeps_the_feed(pln: Pln, feed_server: FeedServer) -> None:
    body = json_feed(
        {"id": "good", "content_text": "All well", "date_published": "2026-11-02T10:00:00Z"},
        {"id": "late", "content_text": "x", "date_published": "9999-12-31T23:59:59-23:59"},
        {"id": "early", "content_text": "y", "date_published": "0001-01-01T00:00:00+05:00"},
        {"id": "odd", "content_text": "z", "date_published": 12345, "date_modified": ["x"]},
    )
    result = sync_one(
        pln, feed_server, "/overflow.json", body, content_type="application/feed+json"
    )
    assert (result.status, result.new_posts) == ("new", 4), result.error
    dates = {guid: p.published_at for guid, p in by_guid(pln).items()}
    assert dates == {"good": "2026-11-02T10:00:00Z", "late": None, "early": None, "odd": None}


def test_entries_of_the_wrong_shape_are_skipped_and_named_once(
    pln: Pln, feed_server: FeedServer, cli: Cli
) -> None:
    body = json_feed(
        {"id": "good", "content_text": "All well"},
        "just a string",
        {"id": ["not", "text"], "content_html": {"an": "object"}},  # no identity at all
        {"id": "also-good", "content_text": "Fine too"},
    )
    url = feed_server.add_feed("/shapes.json", body, content_type="application/feed+json")
    pln.people.add("Hana Hostile", feeds=[url])
    out = cli("sync", "--force")
    assert out.exit_code == 0, out.stderr
    assert set(by_guid(pln)) == {"good", "also-good"}
    warnings = [line for line in out.stderr.splitlines() if "skipped" in line]
    assert len(warnings) == 1, out.stderr  # one line, naming the feed and the entries
    assert url in warnings[0] and "skipped 2 bad entries" in warnings[0]
    assert "entry 2" in warnings[0] and "entry 3" in warnings[0]


def test_control_characters_never_reach_the_store(pln: Pln, feed_server: FeedServer) -> None:
    title = "Clear &#x1b;[2J&#x1b;]0;pwned&#x7;screen"
    body = rss(item(1, body="<p>text\x1b]52;c;ZXZpbA==\x07 with \x9b6n escapes\r\nand CRLF</p>"))
    body = body.replace("<title>Post 1</title>", f"<title>{title}</title>")
    sync_one(pln, feed_server, "/escapes.xml", body.encode("utf-8", "surrogatepass"))
    (post,) = pln.posts.list(limit=None)
    stored = f"{post.title}{post.content_text}{post.content_html}"
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", stored), repr(stored)
    assert post.title == "Clear screen"


def test_links_outside_http_are_not_stored(pln: Pln, feed_server: FeedServer) -> None:
    """xml:base="file:///etc/" must not turn relative links into file: links; javascript:,
    ftp: and data: links are dropped wherever they appear."""
    atom = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="file:///etc/">'
        "<title>Base</title><id>urn:x</id><updated>2026-11-01T00:00:00Z</updated>"
        "<entry><id>urn:e1</id><title>E</title><updated>2026-11-01T00:00:00Z</updated>"
        '<link href="passwd"/>'
        '<content type="html">&lt;a href="shadow"&gt;s&lt;/a&gt; &lt;img src="hosts"&gt; '
        '&lt;a href="ftp://files.example/x"&gt;f&lt;/a&gt; '
        '&lt;a href="https://ok.example/a"&gt;ok&lt;/a&gt;</content></entry>'
        '<entry xml:base="ftp://files.example/"><id>urn:e2</id><title>F</title>'
        '<updated>2026-11-01T00:00:00Z</updated><link href="javascript:alert(1)"/>'
        '<content type="html">&lt;a href="y"&gt;y&lt;/a&gt;</content></entry></feed>'
    )
    sync_one(pln, feed_server, "/base.xml", atom, content_type="application/atom+xml")
    posts = by_guid(pln)
    for post in posts.values():
        assert post.url is None
        assert "file:" not in (post.content_html or "") and "ftp:" not in (post.content_html or "")
    assert 'href="https://ok.example/a"' in (posts["urn:e1"].content_html or "")
