"""Issue 12: one feed written many ways is one source and one person; a moved feed is known by
its old address; a removed person's posts come back when the feed is added again; names are
unique. Real feeds on a loopback server, the real CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.sax.saxutils import quoteattr

from plnctl.api import Pln
from tests.conftest import Cli
from tests.pty_terminal import run_tty
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed

SIX_WAYS = [
    "http://maria.example/feed",
    "https://maria.example/feed/",
    "https://MARIA.Example/feed",
    "https://maria.example:443/feed",
    "https://maria.example/feed?utm_source=twitter&utm_medium=social",
    "feed://maria.example/feed",
]


def opml(*outlines: tuple[str, str]) -> str:
    body = "".join(
        f'<outline type="rss" text={quoteattr(title)} xmlUrl={quoteattr(url)}/>'
        for title, url in outlines
    )
    return f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>'


def counts(db_path: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db_path)
    try:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("people", "sources", "posts")
        )
    finally:
        conn.close()


def test_an_opml_with_one_feed_written_six_ways_is_one_person_one_source(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    path = tmp_path / "six.opml"
    path.write_text(opml(*[("Maria Rivera", url) for url in SIX_WAYS]))
    out = cli("import", "opml", str(path), "--json")
    assert out.exit_code == 0, out.stderr
    assert counts(db_path)[:2] == (1, 1)
    again = cli("import", "opml", str(path))
    assert again.exit_code == 0, again.stderr
    assert counts(db_path)[:2] == (1, 1)
    people = cli("person", "list", "--json").json()
    assert [p["name"] for p in people] == ["Maria Rivera"]  # type: ignore[index]


def test_a_followed_feed_with_or_without_its_trailing_slash_is_the_same_feed(
    cli: Cli, pln: Pln, tmp_path: Path, db_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add_feed("/maria/feed/", rss_feed(2))
    pln.people.add("Maria Rivera", feeds=[url])
    path = tmp_path / "other.opml"
    path.write_text(opml(("Maria's blog", url.rstrip("/"))))
    out = cli("import", "opml", str(path), "--json")
    assert out.exit_code == 0, out.stderr
    assert out.json()["skipped"] == 1  # type: ignore[index]
    assert counts(db_path)[:2] == (1, 1)
    spelled = url.rstrip("/").replace("http://", "HTTP://") + "?utm_campaign=x#top"
    added = cli("source", "add", "1", spelled, "--no-check")
    assert added.exit_code == 2
    assert "already follows" in added.stderr and "Traceback" not in added.stderr
    assert counts(db_path)[:2] == (1, 1)


def test_a_feed_that_moved_with_a_301_is_known_by_its_old_address(
    cli: Cli, pln: Pln, tmp_path: Path, db_path: Path, feed_server: FeedServer
) -> None:
    new = feed_server.add_feed("/new/feed.xml", rss_feed(3))
    old = feed_server.redirect("/old/feed.xml", new)
    path = tmp_path / "before-the-move.opml"
    path.write_text(opml(("Maria Rivera", old)))
    assert cli("import", "opml", str(path)).exit_code == 0
    assert cli("sync").exit_code == 0
    [source] = pln.sources.list()
    assert source.url == new  # the sync followed the 301 and moved the source
    posts = counts(db_path)[2]
    assert posts == 3
    out = cli("import", "opml", str(path), "--json")  # the same old file, imported again
    assert out.exit_code == 0, out.stderr
    assert out.json()["skipped"] == 1  # type: ignore[index]
    assert cli("sync", "--force").exit_code == 0
    assert counts(db_path) == (1, 1, 3)
    assert cli("source", "add", "1", old, "--no-check").exit_code == 2


def test_removing_a_person_and_adding_the_feed_again_reattaches_their_posts(
    cli: Cli, pln: Pln, db_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add_feed("/maria/feed", rss_feed(4))
    feed_server.add_feed("/maria/feed/", rss_feed(4))  # her blog answers both spellings
    assert cli("person", "add", "Maria Rivera", "--feed", url).exit_code == 0
    assert cli("sync").exit_code == 0
    first = cli("post", "list", "--json").json()
    ids = sorted(p["id"] for p in first)  # type: ignore[union-attr, index]
    assert cli("post", "read", str(ids[0])).exit_code == 0
    assert cli("post", "save", str(ids[1]), "--note", "use in Y9").exit_code == 0
    assert cli("person", "remove", "Maria Rivera", "--yes").exit_code == 0
    assert counts(db_path) == (0, 0, 4)  # the posts are kept, unlinked
    again = cli("person", "add", "Maria Rivera", "--feed", url + "/")  # another spelling
    assert again.exit_code == 0, again.stderr
    assert cli("sync", "--force").exit_code == 0
    assert counts(db_path) == (1, 1, 4)  # no copies
    posts = {p["id"]: p for p in cli("post", "list", "--json").json()}  # type: ignore[union-attr]
    assert sorted(posts) == ids
    assert {p["person_id"] for p in posts.values()} == {2}
    assert posts[ids[0]]["read_at"] and posts[ids[1]]["saved_at"]
    assert posts[ids[1]]["save_note"] == "use in Y9"


def test_a_name_is_one_person(cli: Cli, db_path: Path, feed_server: FeedServer) -> None:
    blog = feed_server.add_feed("/blog.xml", rss_feed(1))
    podcast = feed_server.add_feed("/podcast.xml", rss_feed(1, start=5))
    assert cli("person", "add", "Maria Rivera", "--feed", blog).exit_code == 0
    bare = cli("person", "add", "maria rivera")  # nothing to add to her: an error, with the way
    assert bare.exit_code == 1
    assert "Maria Rivera (id 1) is already in your network" in bare.stderr
    assert "source add 1" in bare.stderr and "--as-new" in bare.stderr
    joined = cli("person", "add", "MARIA RIVERA", "--feed", podcast)  # no terminal: joins her
    assert joined.exit_code == 0, joined.stderr
    assert "Maria Rivera (id 1) is already in your network: adding to them" in joined.stderr
    assert counts(db_path)[:2] == (1, 2)
    namesake = cli("person", "add", "Maria Rivera", "--as-new", "Maria Rivera (Leeds)")
    assert namesake.exit_code == 0, namesake.stderr
    assert cli("person", "show", "maria rivera", "--json").json()["id"] == 1  # type: ignore[index]
    renamed = cli("person", "edit", "2", "--name", "maria RIVERA")
    assert renamed.exit_code == 1 and "already in your network" in renamed.stderr
    assert [p["name"] for p in cli("person", "list", "--json").json()] == [  # type: ignore[union-attr, index]
        "Maria Rivera",
        "Maria Rivera (Leeds)",
    ]


def test_on_a_terminal_person_add_asks_before_adding_to_the_namesake(
    isolated_home: Path, cli: Cli, db_path: Path, feed_server: FeedServer
) -> None:
    blog = feed_server.add_feed("/blog.xml", rss_feed(1))
    podcast = feed_server.add_feed("/podcast.xml", rss_feed(1, start=5))
    assert cli("person", "add", "Maria Rivera", "--feed", blog).exit_code == 0
    code, screen = run_tty(isolated_home, "person", "add", "Maria Rivera", "--feed", podcast,
                           answer="n\n")  # fmt: skip
    assert code == 1, screen
    assert "Add the source(s) to them?" in screen and "--as-new" in screen
    assert counts(db_path)[:2] == (1, 1)
    code, screen = run_tty(isolated_home, "person", "add", "Maria Rivera", "--feed", podcast,
                           answer="y\n")  # fmt: skip
    assert code == 0, screen
    assert counts(db_path)[:2] == (1, 2)


def test_post_links_get_their_identity_key_at_ingest(
    pln: Pln, db_path: Path, feed_server: FeedServer
) -> None:
    feed = rss_feed(1, base="http://Rivera.Example.EDU:80")
    url = feed_server.add_feed("/maria.xml", feed.replace("/0</link>", "/0?utm_source=rss</link>"))
    pln.people.add("Maria Rivera", feeds=[url])
    pln.sync(force=True)
    conn = sqlite3.connect(db_path)
    [(link, key)] = conn.execute("SELECT url, link_key FROM posts").fetchall()
    conn.close()
    assert link == "http://Rivera.Example.EDU:80/0?utm_source=rss"  # kept as the feed gave it
    assert key == "rivera.example.edu/0"


def test_removing_a_source_and_adding_it_again_keeps_one_copy_of_each_post(
    cli: Cli, pln: Pln, db_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add_feed("/maria.xml", rss_feed(3))
    pln.people.add("Maria Rivera", feeds=[url])
    pln.sync(force=True)
    saved = pln.posts.list(limit=None)[0].id
    assert cli("post", "save", str(saved)).exit_code == 0
    assert cli("source", "remove", "1", "--yes").exit_code == 0
    feed_scheme = url.replace("http://", "feed://")  # what a browser's "subscribe" link gives
    added = cli("source", "add", "Maria Rivera", feed_scheme)
    assert added.exit_code == 0, added.stderr
    [source] = pln.sources.list()
    assert source.url == url  # fetched as http://, as the feed: link meant
    assert cli("sync", "--force").exit_code == 0
    assert counts(db_path) == (1, 1, 3)
    assert cli("post", "show", str(saved), "--json").json()["saved_at"]  # type: ignore[index]
