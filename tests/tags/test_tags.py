"""Following hashtags on a Mastodon instance (mastodon_mock on loopback; a plain loopback
server for an instance whose API refuses logged-out readers)."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.api.search import search
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed
from tests.servers.mastodon_server import MastodonMock


def test_follow_sync_search_and_digest_a_tag(mastodon: MastodonMock, pln: Pln, cli: Cli) -> None:
    mastodon.post("bob", "Exit tickets for Monday #edchat")
    mastodon.post("alice", "Retrieval practice starters #EdChat")
    mastodon.post("dana", "Dana opted out #edchat")  # #nobot in her bio
    mastodon.post("bob", "Nothing to do with it #mtbos")
    followed = cli("tag", "follow", "#EdChat", "--on", mastodon.host, "--json")
    assert followed.exit_code == 0, followed.stderr
    assert followed.json()["tag"] == "edchat"  # type: ignore[index]
    synced = cli("sync", "--json")
    assert synced.exit_code == 0, synced.stderr
    texts = sorted(p.content_text or "" for p in pln.posts.list(limit=None))
    assert texts == ["Exit tickets for Monday #edchat", "Retrieval practice starters #EdChat"]
    assert [p.person_id for p in pln.posts.list(limit=None)] == [None, None]
    assert len(search(pln, "retrieval")) == 1
    listed = cli("tag", "list", "--json").json()
    assert listed[0]["posts"] == 2 and listed[0]["instance"] == mastodon.host  # type: ignore[index]
    digest = cli("digest", "--since", "1d", "--tag", "edchat")
    assert digest.exit_code == 0, digest.stderr
    assert "Exit tickets for Monday" in digest.stdout
    # Incremental: only what is new since the cursor (min_id), nothing twice.
    mastodon.post("bob", "A third #edchat post")
    again = cli("sync", "--force", "--json").json()
    assert again["new_posts"] == 1  # type: ignore[index]


def test_frequent_tag_posters_are_suggested_with_evidence(
    mastodon: MastodonMock, pln: Pln, cli: Cli
) -> None:
    for n in range(3):
        mastodon.post("carol", f"Idea {n} #edchat")
    mastodon.post("alice", "Once #edchat")
    pln.people.add("Alice", mastodon=[mastodon.handle("alice")])  # already in the network
    assert cli("tag", "follow", "edchat", "--on", mastodon.host).exit_code == 0
    assert cli("sync").exit_code in (0, 3)
    suggestions = cli("person", "suggest", "--json").json()
    carol = next(s for s in suggestions if s["target"] == mastodon.handle("carol"))  # type: ignore[union-attr]
    assert "posted 3 times in #edchat this month" in carol["evidence"]
    assert all(s["target"] != mastodon.handle("alice") for s in suggestions)  # type: ignore[union-attr]


def test_an_instance_without_public_api_is_read_through_rss(
    feed_server: FeedServer, pln: Pln, cli: Cli
) -> None:
    host = f"127.0.0.1:{feed_server.port}"
    feed_server.set_status("/api/v1/timelines/tag/mtbos", 401)
    feed_server.add_feed("/tags/mtbos.rss", rss_feed(3))
    followed = cli("tag", "follow", "mtbos", "--on", host)
    assert followed.exit_code == 0, followed.stderr
    cli("sync")
    assert len(pln.posts.list(limit=None)) == 3
    assert cli("tag", "list", "--json").json()[0]["via_rss"] is True  # type: ignore[index]


def test_unfollow_keeps_saved_posts(mastodon: MastodonMock, pln: Pln, cli: Cli) -> None:
    mastodon.post("bob", "Keep me #edchat")
    mastodon.post("bob", "Forget me #edchat")
    cli("tag", "follow", "edchat", "--on", mastodon.host)
    cli("sync")
    keep = next(p for p in pln.posts.list(limit=None) if "Keep" in (p.content_text or ""))
    pln.posts.save(keep.id)
    result = cli("tag", "unfollow", "#edchat")
    assert result.exit_code == 0 and "removed 1 post" in result.stderr
    assert [p.id for p in pln.posts.list(limit=None)] == [keep.id]
    assert cli("tag", "list", "--json").json() == []


def test_bad_tags_and_instances_are_one_line_errors(cli: Cli, dead_port_host: str) -> None:
    assert cli("tag", "follow", "#", "--on", "mastodon.social").exit_code == 2
    assert cli("tag", "follow", "two words", "--on", "mastodon.social").exit_code == 2
    down = cli("tag", "follow", "edchat", "--on", dead_port_host)
    assert down.exit_code == 7 and down.stderr.startswith("Error: cannot read")
    assert cli("tag", "unfollow", "edchat").exit_code == 4
