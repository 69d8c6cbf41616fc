"""A group blog (one feed, an author per entry) shows each entry's own author."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.render.digest import render_digest
from plnctl.timeutil import now
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer

GROUP_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Teachers Collective</title>
<entry><id>tc-1</id><title>Seating plans that work</title>
<link href="https://collective.example/seating"/><updated>2026-11-27T10:00:00Z</updated>
<author><name>Jane Doe</name><uri>https://collective.example/authors/jane</uri></author>
<summary>Rows, pairs, horseshoe.</summary></entry>
<entry><id>tc-2</id><title>Homework, less of it</title>
<link href="https://collective.example/homework"/><updated>2026-11-27T11:00:00Z</updated>
<author><name>Raj Patel</name></author><summary>Why we cut it in half.</summary></entry>
<entry><id>tc-3</id><title>Editorial</title>
<link href="https://collective.example/editorial"/><updated>2026-11-27T12:00:00Z</updated>
<author><name>Teachers Collective</name></author><summary>From the team.</summary></entry>
</feed>"""


def test_group_blog_entries_show_their_author(pln: Pln, feed_server: FeedServer, cli: Cli) -> None:
    feed_server.add_feed("/atom.xml", GROUP_FEED, content_type="application/atom+xml")
    pln.people.add("Teachers Collective", feeds=[feed_server.url("/atom.xml")])
    pln.sync()
    posts = {p.title: p for p in pln.posts.list()}
    jane = posts["Seating plans that work"]
    assert jane.author == "Jane Doe"
    shown = cli("post", "show", str(jane.id), "--keep-unread").stdout
    assert shown.splitlines()[1].startswith("Jane Doe (Teachers Collective)")
    text = render_digest(pln.share.build_digest(since="1h"), "text", now=now())
    assert "Seating plans that work  [feed, 27 Nov 2026, by Jane Doe]" in text
    assert "Homework, less of it  [feed, 27 Nov 2026, by Raj Patel]" in text
    assert "Editorial  [feed, 27 Nov 2026]" in text  # the blog itself: not repeated
