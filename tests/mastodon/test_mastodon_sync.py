"""Syncing Mastodon sources against the loopback mastodon_mock: first and incremental syncs,
paging, edits, boosts, opt-outs, rate limits, the RSS fallback and a dead instance."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.models import Post, SourceResult
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def _posts(pln: Pln) -> dict[str, Post]:
    return {p.guid: p for p in pln.posts.list(limit=None)}


def _result(pln: Pln) -> SourceResult:
    (result,) = pln.sync(force=True).results
    return result


def test_first_sync_stores_statuses(pln: Pln, mastodon: MastodonMock) -> None:
    reply_to = mastodon.post("bob", "A question for everyone")
    mastodon.post("bob", "Following up on myself", in_reply_to_id=reply_to["id"])
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    result = _result(pln)
    assert result.status == "new" and result.new_posts == 4
    posts = _posts(pln)
    hello = next(p for p in posts.values() if "Hello" in (p.content_text or ""))
    assert hello.kind == "status" and hello.hashtags == ("edtech",)
    assert hello.url == hello.guid and hello.url.startswith(f"{mastodon.base_url}/@bob/")
    assert hello.person_name == "Bob"
    reply = next(p for p in posts.values() if "Following up" in (p.content_text or ""))
    assert reply.in_reply_to == reply_to["url"]
    (source,) = pln.sources.list()
    assert source.cursor == max((p.guid.rsplit("/", 1)[1] for p in posts.values()), key=int)


def test_incremental_sync_fetches_only_new(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    assert _result(pln).new_posts == 2
    assert _result(pln).status == "unchanged"
    mastodon.post("bob", "Something new #ukedchat")
    result = _result(pln)
    assert (result.status, result.new_posts) == ("new", 1)
    assert len(_posts(pln)) == 3


def test_first_sync_pages_back_to_history_depth(
    small_pages: None, pln: Pln, mastodon: MastodonMock
) -> None:
    for n in range(8):
        mastodon.post("alice", f"post number {n}")
    pln.people.add("Alice", mastodon=[mastodon.handle("alice")])
    assert (pln.settings.mastodon.history_depth, pln.settings.mastodon.page_size) == (5, 2)
    assert 5 <= _result(pln).new_posts <= 6
    texts = {p.content_text for p in _posts(pln).values()}
    assert "post number 7" in texts and "post number 0" not in texts


def test_incremental_sync_pages_through_a_burst(
    small_pages: None, pln: Pln, mastodon: MastodonMock
) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    _result(pln)
    for n in range(5):
        mastodon.post("bob", f"burst {n}")
    assert _result(pln).new_posts == 5  # three pages of two, back to the cursor


def test_edit_updates_the_stored_post(pln: Pln, mastodon: MastodonMock) -> None:
    status = mastodon.post("bob", "Draft with a typo")
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    _result(pln)
    mastodon.edit("bob", status["id"], "Draft without the typo")
    result = _result(pln)
    assert result.updated_posts == 1 and result.new_posts == 0
    post = _posts(pln)[status["url"]]
    assert post.content_text == "Draft without the typo"


def test_boost_records_the_original_author(pln: Pln, mastodon: MastodonMock) -> None:
    original = mastodon.post("bob", "Worth sharing #OER")
    mastodon.boost("alice", original["id"])
    pln.people.add("Alice", mastodon=[mastodon.handle("alice")])
    _result(pln)
    (boost,) = _posts(pln).values()
    assert boost.boost_of_handle == f"@bob@{mastodon.host}"
    assert boost.boost_of_url == boost.url == original["url"]
    assert boost.content_text == "Worth sharing #OER"


def test_deleted_post_is_not_resurrected(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    _result(pln)
    post = next(iter(_posts(pln).values()))
    with pln.store.transaction():  # the store's own delete marker, as sync would set it
        pln.store.conn.execute("UPDATE posts SET deleted_at = '2024-01-01T00:00:00Z' WHERE id = ?",
                               (post.id,))  # fmt: skip
    mastodon.post("bob", "new one")
    _result(pln)
    assert post.guid not in _posts(pln)


def test_opted_out_posts_are_not_indexed(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Dana", mastodon=[mastodon.handle("dana")])
    assert _result(pln).new_posts == 1
    indexed = pln.store.conn.execute("SELECT indexed FROM posts").fetchall()
    assert indexed == [(0,)]
    pln.people.edit("Dana", index_override=True)
    assert pln.store.conn.execute("SELECT indexed FROM posts").fetchall() == [(1,)]


def test_rate_limit_fails_with_retry_after(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    mastodon.fault("/api/v1/accounts/*/statuses", {"type": "ratelimit"})
    result = _result(pln)
    assert result.status == "failed" and result.http_status == 429
    assert "rate limit" in (result.error or "")
    (source,) = pln.sources.list()
    assert source.error_count == 1 and source.next_due_at is not None
    assert _result(pln).status == "new"  # next run (forced) succeeds: the fault fired once


def test_api_refused_falls_back_to_rss(pln: Pln, cli: Cli, mastodon: MastodonMock) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    mastodon.fault("/api/v1/accounts/*/statuses", {"type": "status", "status": 401}, count=None)
    result = _result(pln)
    assert result.status == "new" and result.new_posts == 2
    (source,) = pln.sources.list()
    assert source.via_rss is True
    assert "(via RSS)" in cli("source", "list").stdout
    texts = {p.content_text for p in _posts(pln).values()}
    assert "Hello #EdTech world" in texts


def test_a_dead_instance_does_not_block_others(
    pln: Pln, mastodon: MastodonMock, dead_host: str
) -> None:
    from plnctl.models import SourceKind
    from plnctl.store import people as db

    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    ghost = pln.people.add("Ghost")
    with pln.store.transaction():
        db.insert_source(pln.store, ghost.id, SourceKind.MASTODON, f"http://{dead_host}/@ghost",
                         handle=f"@ghost@{dead_host}", remote_id="1")  # fmt: skip
    summary = pln.sync(force=True)
    by_person = {r.person: r for r in summary.results}
    assert by_person["Bob"].status == "new" and by_person["Bob"].new_posts == 2
    assert by_person["Ghost"].status == "failed"
    assert f"could not connect to {dead_host}" in (by_person["Ghost"].error or "")


def test_unresolved_source_is_resolved_at_first_sync(pln: Pln, mastodon: MastodonMock) -> None:
    from plnctl.models import SourceKind
    from plnctl.store import people as db

    person = pln.people.add("B")
    with pln.store.transaction():
        db.insert_source(pln.store, person.id, SourceKind.MASTODON, f"{mastodon.base_url}/@bob",
                         handle=mastodon.handle("bob"))  # fmt: skip
    assert _result(pln).new_posts == 2
    (source,) = pln.sources.list()
    assert source.remote_id == mastodon.account_id("bob")
    assert source.display_name == "Bob Librarian"


def test_a_status_deleted_upstream_is_marked_deleted(pln: Pln, mastodon: MastodonMock) -> None:
    first = mastodon.post("bob", "Keep this one")
    doomed = mastodon.post("bob", "Posted by mistake")
    mastodon.post("bob", "And this one")
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    _result(pln)
    assert doomed["url"] in _posts(pln)
    mastodon.delete("bob", doomed["id"])
    _result(pln)
    posts = _posts(pln)
    assert doomed["url"] not in posts
    assert first["url"] in posts and len(posts) == 4  # the seeded two, the first and the last
    assert pln.topics.search("mistake") == []
    mastodon.post("bob", "Later news")
    _result(pln)
    assert doomed["url"] not in _posts(pln)  # not resurrected by later syncs
