"""One item per idea (issue 12): a blog post and the toot by the same person that links it are
one item everywhere, with "also on Mastodon (N boosts, M replies)". Real parts: the blog on
the loopback feed server, the toot, its boosts and replies on mastodon_mock."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from plnctl.api import Pln
from plnctl.render.digest import render_digest
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.mastodon_server import MastodonMock


def blog(base: str, *paths: str) -> str:
    items = "".join(
        f"<item><title>Exit tickets, {p}</title><link>{base}{p}</link><guid>{base}{p}</guid>"
        f"<description>How I use exit tickets in Year 9.</description>"
        f"<pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate></item>"
        for p in paths
    )
    channel = f"<channel><title>Bob writes</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def toot_with_reactions(mastodon: MastodonMock, link: str) -> dict:
    """bob links his blog post (with a tracking parameter); two boosts, two replies."""
    toot = mastodon.post("bob", f"New on the blog, about #retrieval: {link}?utm_source=mastodon")
    for user in ("alice", "dana"):
        mastodon.boost(user, toot["id"])
        mastodon.post(user, "@bob thanks!", in_reply_to_id=toot["id"])
    return toot


def test_blog_and_toot_are_one_item_with_counts(
    pln: Pln, cli: Cli, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    base = feed_server.url("")
    feed = feed_server.add_feed("/feed.xml", blog(base.rstrip("/"), "/blog/x"))
    toot_with_reactions(mastodon, f"{base.rstrip('/')}/blog/x")
    pln.people.add("Bob", feeds=[feed], mastodon=[mastodon.handle("bob")])
    assert cli("sync", "--force").exit_code == 0
    listed = json.loads(cli("post", "list", "--json").stdout)
    (item,) = [p for p in listed if "Exit tickets" in (p["title"] or "")]
    assert item["kind"] == "article"
    assert not [p for p in listed if "New on the blog" in (p["content_text"] or "")]
    (also,) = item["also"]
    assert (also["network"], also["boosts"], also["replies"]) == ("Mastodon", 2, 2)
    assert "also on Mastodon (2 boosts, 2 replies)" in cli("post", "list").stdout
    toot_id = also["post_id"]
    shown = cli("post", "show", str(toot_id), "--keep-unread").stdout
    assert f"Grouped with post {item['id']} (blog" in shown
    assert "blog/x (canonical 127.0.0.1:" in shown and "/blog/x)" in shown
    # Read state is the group's: reading the toot reads the article, and the other way back.
    assert cli("post", "read", str(toot_id)).exit_code == 0
    assert pln.posts.get(item["id"]).read_at is not None
    assert cli("post", "unread", str(item["id"])).exit_code == 0
    assert pln.posts.get(toot_id).read_at is None
    # Four posts stored (the article, the toot, bob's two seeded toots): three items unread.
    assert len(listed) == 3 and pln.reading.sidebar().fixed[0].unread == 3
    # Saving the toot saves the article: one entry on the reading list.
    assert cli("post", "save", str(toot_id)).exit_code == 0
    saved = pln.share.reading_list()
    assert [s.id for s in saved] == [item["id"]]
    assert "also on Mastodon" in pln.share.export_reading_list("md")


def test_toot_first_then_blog_and_topics_are_the_union(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    base = feed_server.url("").rstrip("/")
    toot_with_reactions(mastodon, f"{base}/blog/x")
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    pln.topics.add("Retrieval", hashtags=["retrieval"])  # only the toot has the hashtag
    pln.sync(force=True)
    (toot,) = [p for p in pln.posts.list(limit=None) if "New on" in (p.content_text or "")]
    pln.posts.mark_read([toot.id])  # seen on Mastodon before the blog post arrived
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x", "/blog/other"))
    pln.sources.add("Bob", feed)
    pln.sync(force=True)
    listed = pln.posts.list(limit=None)
    assert toot.id not in {p.id for p in listed}
    (article,) = [p for p in listed if p.url == f"{base}/blog/x"]
    assert article.group_id == article.id and article.read_at is not None  # the idea was seen
    assert [p.id for p in pln.posts.list(topic="Retrieval", limit=None)] == [article.id]
    later = datetime.now(UTC) + timedelta(minutes=1)
    digest = pln.share.build_digest(since="1h", now=later)
    text = render_digest(digest, "text", now=later)
    assert text.count("Exit tickets, /blog/x") == 1
    (group,) = [g for g in digest.groups if g.topic == "Retrieval"]
    assert [i.id for p in group.people for i in p.items] == [article.id]
    assert "also on Mastodon (2 boosts, 2 replies)" in text
    assert "also on Mastodon" in render_digest(digest, "html", now=later)
    assert "also on Mastodon" in render_digest(digest, "atom", now=later)


def test_two_people_sharing_one_link_stay_two_items(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    base = feed_server.url("").rstrip("/")
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x"))
    mastodon.post("dana", f"Great read from Bob: {base}/blog/x")
    pln.people.add("Bob", feeds=[feed])
    pln.people.add("Dana", mastodon=[mastodon.handle("dana")])
    pln.sync(force=True)
    posts = pln.posts.list(limit=None)
    dana = [p for p in posts if p.kind == "status" and "Great read" in (p.content_text or "")]
    assert len(dana) == 1 and dana[0].group_id is None
    (article,) = [p for p in posts if p.kind == "article"]
    assert article.group_id is None and article.also == ()


def test_migration_groups_what_an_older_database_stored(
    db_path: Path, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    """A database from before migration 0023 (the blog post and the toot stored, no cards, no
    groups, the toot read): opened by this plnctl, they are one item, read."""
    from plnctl.api import open_pln

    base = feed_server.url("").rstrip("/")
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x"))
    toot_with_reactions(mastodon, f"{base}/blog/x")
    with open_pln(db_path) as pln:
        pln.people.add("Bob", feeds=[feed], mastodon=[mastodon.handle("bob")])
        pln.sync(force=True)
    conn = sqlite3.connect(db_path)
    with conn:  # back to schema 22: what 0023 adds is not there yet
        conn.execute("UPDATE posts SET read_at = '2026-11-30T10:00:00Z' WHERE kind = 'status'")
        for index in ("posts_points_to", "posts_group", "posts_unread_when", "posts_unread_person"):
            conn.execute(f"DROP INDEX {index}")
        for name, columns in (("posts_unread_when", ""), ("posts_unread_person", "person_id, ")):
            conn.execute(
                f"CREATE INDEX {name} ON posts ({columns}coalesce(published_at, fetched_at), id) "
                "WHERE deleted_at IS NULL AND read_at IS NULL"
            )  # as migration 0015 made them
        for column in ("points_to_key", "group_id", "boosts", "replies"):
            conn.execute(f"ALTER TABLE posts DROP COLUMN {column}")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE '0023_%'")
        conn.execute("PRAGMA user_version = 22")
    conn.close()
    with open_pln(db_path) as pln:
        listed = pln.posts.list(limit=None)
        (article,) = [p for p in listed if p.kind == "article"]
        assert [a.network for a in article.also] == ["Mastodon"]
        assert len(listed) == 3  # the article and bob's two seeded toots; the link toot in it
        assert article.read_at is not None  # the toot was read: the idea was seen


def test_a_boost_joins_only_when_it_is_the_persons_own_toot(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    base = feed_server.url("").rstrip("/")
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x"))
    own = mastodon.post("bob", f"Wrote this up: {base}/blog/x")
    mastodon.boost("bob", own["id"])  # bob boosting his own blog toot: his share
    other = mastodon.post("dana", f"Bob's post is good: {base}/blog/x")
    mastodon.boost("bob", other["id"])  # bob boosting dana's toot: dana's words, not his
    pln.people.add("Bob", feeds=[feed], mastodon=[mastodon.handle("bob")])
    pln.sync(force=True)
    listed = pln.posts.list(limit=None)
    (article,) = [p for p in listed if p.kind == "article"]
    assert len(article.also) == 2  # his toot and his boost of it
    (boost_of_dana,) = [p for p in listed if p.boost_of_handle and "dana" in p.boost_of_handle]
    assert boost_of_dana.group_id is None


def test_the_reader_shows_one_item_with_also(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    from tests.reader.test_reader_tui import drive, screen_text

    base = feed_server.url("").rstrip("/")
    feed = feed_server.add_feed("/feed.xml", blog(base, "/blog/x"))
    toot_with_reactions(mastodon, f"{base}/blog/x")
    pln.people.add("Bob", feeds=[feed], mastodon=[mastodon.handle("bob")])
    pln.sync(force=True)

    async def script(pilot, screen) -> None:  # type: ignore[no-untyped-def]
        text = screen_text(pilot)
        row = next(line for line in text.split("\n") if "Exit tickets, /blog/x" in line)
        assert "also on Mastodon (2 boosts, 2 replies)" in row
        assert "New on the blog" not in text  # the toot is not a second item
        (article,) = [p.id for p in pln.posts.list(limit=None) if p.kind == "article"]
        for _ in range(screen.order.index(article)):
            await pilot.press("j")
        await pilot.press("enter")
        await pilot.pause()
        assert "Also on Mastodon (2 boosts, 2 replies)" in screen_text(pilot)

    drive(pln, script, size=(120, 30))
