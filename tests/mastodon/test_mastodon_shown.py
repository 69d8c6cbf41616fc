"""Mastodon posts shown as they are, synced from mastodon_mock: a boost under its author ("Sam
boosted Olu", Olu's topics), a reply naming whom it answers, a content warning kept out of the
text and titles, a title from the first line, and media attachments stored and shown."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.models import Post
from plnctl.render.digest import render_digest
from plnctl.timeutil import now
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def _by_text(pln: Pln, needle: str) -> Post:
    return next(p for p in pln.posts.list(limit=None) if needle in (p.content_text or ""))


def test_media_attachments_are_stored_and_shown(pln: Pln, mastodon: MastodonMock, cli: Cli) -> None:
    audio = mastodon.upload("bob", "episode.mp3", b"ID3" + b"\0" * 64, "audio/mpeg",
                            description="Our book club episode")  # fmt: skip
    image = mastodon.upload("bob", "chart.png", b"\x89PNG" + b"\0" * 64, "image/png",
                            description="A chart of reading ages")  # fmt: skip
    mastodon.post("bob", "New episode is out!\nListen below.", media_ids=[audio["id"], image["id"]])
    pln.people.add("Olu Mensah", mastodon=[mastodon.handle("bob")])
    pln.sync()
    post = _by_text(pln, "New episode")
    assert [(m.url, m.medium, m.title) for m in post.media] == [
        (audio["url"], "audio", "Our book club episode"),
        (image["url"], "image", "A chart of reading ages"),
    ]
    assert post.title == "New episode is out!"  # the first line, not "(untitled)"
    shown = cli("post", "show", str(post.id))
    assert f"Listen: {audio['url']}" in shown.stdout and f"View: {image['url']}" in shown.stdout
    assert cli("post", "show", str(post.id), "--json").json()["media"][0]["medium"] == "audio"  # type: ignore[index]
    digest = render_digest(pln.share.build_digest(since="1h"), "text", now=now())
    assert "New episode is out!  [mastodon" in digest and f"Listen: {audio['url']}" in digest


def test_content_warning_is_a_warning_not_the_title(
    pln: Pln, mastodon: MastodonMock, cli: Cli
) -> None:
    mastodon.post("bob", "Snape kills Dumbledore.", spoiler_text="Book spoiler")
    pln.people.add("Olu Mensah", mastodon=[mastodon.handle("bob")])
    pln.sync()
    post = _by_text(pln, "Dumbledore")
    assert post.content_warning == "Book spoiler"
    assert post.title is None and not (post.content_text or "").startswith("CW")
    listed = cli("post", "list")
    assert "Content warning: Book spoiler" in listed.stdout and "Dumbledore" not in listed.stdout
    digest = pln.share.build_digest(since="1h")
    for fmt in ("text", "md"):
        text = render_digest(digest, fmt, now=now())
        assert "Content warning: Book spoiler" in text
        assert "Dumbledore" not in text, fmt  # folded: not even in the excerpt
    atom = render_digest(digest, "atom", now=now())
    assert "<title>Content warning: Book spoiler</title>" in atom
    assert "&lt;details&gt;&lt;summary&gt;Content warning: Book spoiler&lt;/summary&gt;" in atom
    html = render_digest(digest, "html", now=now())
    assert "<details><summary" in html and "Content warning: Book spoiler</summary>" in html
    shown = cli("post", "show", str(post.id)).stdout
    assert shown.splitlines()[0] == "Content warning" and "! Content warning: Book spoiler" in shown


def test_reply_says_what_it_replies_to(pln: Pln, mastodon: MastodonMock, cli: Cli) -> None:
    question = mastodon.post("alice", "Which novels work for Year 9?")
    mastodon.post("bob", "@alice Try Holes by Louis Sachar.", in_reply_to_id=question["id"])
    pln.people.add("Olu Mensah", mastodon=[mastodon.handle("bob")])
    pln.sync()
    reply = _by_text(pln, "Holes")
    assert reply.in_reply_to == question["url"]
    assert reply.in_reply_to_handle == mastodon.handle("alice")
    shown = cli("post", "show", str(reply.id)).stdout
    assert f"In reply to {mastodon.handle('alice')}\n" in shown
    # once the question is stored too (Alice followed), the reply says what it answers
    pln.people.add("Alice", mastodon=[mastodon.handle("alice")])
    pln.sync()
    assert pln.posts.get(reply.id).in_reply_to_title == "Which novels work for Year 9?"
    shown = cli("post", "show", str(reply.id)).stdout
    assert f'In reply to {mastodon.handle("alice")}: "Which novels work for Year 9?"' in shown
    text = render_digest(pln.share.build_digest(since="1h"), "text", now=now())
    assert f"reply to {mastodon.handle('alice')}" in text


def test_boost_shows_the_booster_and_the_author(pln: Pln, mastodon: MastodonMock, cli: Cli) -> None:
    original = mastodon.post("bob", "A free library of decodable readers #OER")
    mastodon.boost("alice", original["id"])
    pln.topics.add("maths")
    pln.topics.add("libraries")
    pln.people.add("Sam Okafor", mastodon=[mastodon.handle("alice")], topics=["maths"])
    olu = pln.people.add("Olu Mensah", topics=["libraries"])
    pln.sources.add(olu.id, mastodon.handle("bob"))
    pln.sync()
    boost = next(p for p in pln.posts.list(limit=None) if p.boost_of_handle)
    assert boost.person_name == "Sam Okafor" and boost.boost_of_person == "Olu Mensah"
    # People's topics are hints, not tags (no rule matched); the boost's hint is Olu's, not Sam's.
    assert pln.posts.get(boost.id).tags == ()
    shown = cli("post", "show", str(boost.id)).stdout
    assert shown.splitlines()[1] == "Sam Okafor boosted Olu Mensah"
    digest = pln.share.build_digest(since="1h")
    item = next(i for i in digest.items if i.id == boost.id)
    assert (item.person, item.boosted_by) == ("Olu Mensah", "Sam Okafor")
    assert item.person_topics == ("libraries",)
    (group,) = [
        g for g in digest.groups if any(i.id == boost.id for p in g.people for i in p.items)
    ]
    assert group.topic == "libraries"
    assert "boosted by Sam Okafor" in render_digest(digest, "text", now=now())


def test_statuses_read_through_rss_get_a_title_too(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Olu Mensah", mastodon=[mastodon.handle("bob")])
    mastodon.fault("/api/v1/accounts/*/statuses", {"type": "status", "status": 401}, count=None)
    pln.sync()
    titles = {p.title for p in pln.posts.list()}
    assert titles == {"Hello #EdTech world", "Second post about #OER"}
