"""Following Bluesky people against a loopback AppView: add, first and incremental sync,
paging, handle changes, deletions, consent labels, rate limits, the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from plnctl.api import Pln, open_pln
from plnctl.api.search import search
from plnctl.errors import NotFound
from plnctl.models import Post, SourceKind, SourceResult
from tests.conftest import Cli
from tests.servers.appview import NO_UNAUTH, AppView


def _posts(pln: Pln) -> list[Post]:
    return pln.posts.list(limit=None)


def _result(pln: Pln) -> SourceResult:
    (result,) = pln.sync(force=True).results
    return result


def test_person_add_resolves_the_handle_to_a_did(appview: AppView, pln: Pln) -> None:
    amara = appview.add_account("amara.bsky.social", "Amara Okafor")
    person = pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    (source,) = pln.sources.list(person=person.id)
    assert source.kind is SourceKind.BLUESKY
    assert source.remote_id == amara.did
    assert source.url == f"https://bsky.app/profile/{amara.did}"
    assert source.handle == "@amara.bsky.social"
    assert source.title == "Amara Okafor"


def test_unknown_account_stores_nothing(appview: AppView, pln: Pln) -> None:
    with pytest.raises(NotFound):
        pln.people.add("Nobody", bluesky=["@nobody.bsky.social"])
    assert pln.people.list() == []


def test_first_and_incremental_sync(appview: AppView, pln: Pln) -> None:
    amara = appview.add_account("amara.bsky.social", "Amara")
    olu = appview.add_account("olu.bsky.social", "Olu")
    text = "Hinge questions in maths #EduSky"
    appview.add_post(amara, text, facets=[appview.tag_facet(text, "#EduSky")])
    thread_start = appview.add_post(amara, "A thread on feedback 1/2")
    appview.add_post(amara, "2/2 and the end", reply_to=thread_start)
    someone = appview.add_post(olu, "Question for teachers")
    appview.add_post(amara, "my reply to Olu", reply_to=someone)  # not in posts_and_author_threads
    appview.repost(amara, someone)
    pln.people.add("Amara", bluesky=["amara.bsky.social"])
    result = _result(pln)
    assert (result.status, result.new_posts) == ("new", 4)
    texts = {p.content_text for p in _posts(pln)}
    assert "my reply to Olu" not in texts
    (hit,) = search(pln, "hinge")
    assert pln.posts.get(hit.id).hashtags == ("edusky",)
    assert _result(pln).status == "unchanged"
    appview.add_post(amara, "Something new about retrieval practice")
    before = len(appview.requests)
    result = _result(pln)
    assert (result.status, result.new_posts) == ("new", 1)
    feed_requests = [r for r in appview.requests[before:] if r[0].endswith("getAuthorFeed")]
    assert len(feed_requests) == 1  # the newest page reached the cursor: no paging back
    assert feed_requests[0][1]["filter"] == ["posts_and_author_threads"]


def test_first_sync_pages_back_to_history_depth(appview: AppView, isolated_home: Path) -> None:
    (isolated_home / "config.toml").write_text("[bluesky]\nhistory_depth = 5\npage_size = 2\n")
    amara = appview.add_account("amara.bsky.social")
    for n in range(9):
        appview.add_post(amara, f"post number {n}")
    with open_pln(isolated_home / "plnctl.db") as pln:
        pln.people.add("Amara", bluesky=["@amara.bsky.social"])
        assert 5 <= _result(pln).new_posts <= 6
        texts = {p.content_text for p in _posts(pln)}
        assert "post number 8" in texts and "post number 0" not in texts
        cursors = [r[1].get("cursor") for r in appview.requests if r[0].endswith("getAuthorFeed")]
        assert cursors[0] is None and all(cursors[1:])


def test_handle_change_is_followed(appview: AppView, pln: Pln, cli: Cli) -> None:
    amara = appview.add_account("amara.bsky.social")
    appview.add_post(amara, "hello")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    amara.handle = "amara.school.example"
    appview.add_post(amara, "new domain, same me")
    _result(pln)
    (source,) = pln.sources.list()
    assert source.handle == "@amara.school.example"
    listed = cli("source", "list")
    assert "@amara.school.example" in listed.stdout


def test_posts_deleted_upstream_are_marked_deleted(appview: AppView, pln: Pln) -> None:
    amara = appview.add_account("amara.bsky.social")
    first = appview.add_post(amara, "one")
    appview.add_post(amara, "two oops")
    appview.add_post(amara, "three")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    _result(pln)
    doomed = next(u for u, p in appview.posts.items() if p["record"]["text"] == "two oops")
    appview.delete_post(doomed)
    appview.add_post(amara, "four")
    _result(pln)
    texts = {p.content_text for p in _posts(pln)}
    assert texts == {"one", "three", "four"}
    assert first in {p.guid for p in _posts(pln)}


def test_an_incremental_sync_writes_only_what_changed(appview: AppView, pln: Pln) -> None:
    """Work proportional to what changed: stored posts are not rewritten (no full-text index
    churn), and deletions in the span read are found by one statement per source."""
    amara = appview.add_account("amara.bsky.social")
    olu = appview.add_account("olu.bsky.social")
    for n in range(30):
        appview.add_post(amara if n % 2 else olu, f"post {n} #EduSky")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    pln.people.add("Olu", bluesky=["@olu.bsky.social"])
    pln.sync(force=True)
    doomed = next(u for u, p in appview.posts.items() if p["record"]["text"] == "post 7 #EduSky")
    appview.delete_post(doomed)
    appview.add_post(amara, "post 30, the only new one")
    conn = pln.store.conn
    conn.executescript("""
        CREATE TEMP TABLE written (post_id INTEGER, what TEXT);
        CREATE TEMP TRIGGER posts_inserted AFTER INSERT ON main.posts
            BEGIN INSERT INTO written VALUES (new.id, 'insert'); END;
        CREATE TEMP TRIGGER posts_updated AFTER UPDATE ON main.posts
            BEGIN INSERT INTO written VALUES (new.id, 'update'); END;
    """)  # fmt: skip
    statements: set[str] = set()
    conn.set_trace_callback(statements.add)
    try:
        results = pln.sync(force=True).results
    finally:
        conn.set_trace_callback(None)
    assert sorted((r.new_posts, r.updated_posts) for r in results) == [(0, 0), (1, 0)]
    written = sorted(conn.execute("SELECT what, post_id FROM written").fetchall())
    (deleted_id,) = conn.execute("SELECT id FROM posts WHERE guid = ?", (doomed,)).fetchone()
    assert [w for w, _ in written] == ["insert", "update"]  # nothing stored is rewritten
    assert written[1][1] == deleted_id  # the one row written: marked deleted
    updates = [
        s
        for s in statements
        if s.lstrip().upper().startswith("UPDATE POSTS ") and "SET DELETED_AT" in s.upper()
    ]
    assert len(updates) == 2 and all("json_each" in s for s in updates)  # one per source
    assert {p.content_text for p in _posts(pln)} == {
        *(f"post {n} #EduSky" for n in range(30) if n != 7),
        "post 30, the only new one",
    }


def test_no_unauthenticated_keeps_the_person_but_no_posts(
    appview: AppView, pln: Pln, cli: Cli
) -> None:
    quiet = appview.add_account("quiet.bsky.social", "Quiet Teacher")
    appview.add_post(quiet, "visible at first")
    pln.people.add("Quiet", bluesky=["@quiet.bsky.social"])
    _result(pln)
    assert len(_posts(pln)) == 1
    quiet.labels.append(NO_UNAUTH)
    appview.add_post(quiet, "now only for logged-in readers")
    _result(pln)
    assert _posts(pln) == []
    assert search(pln, "visible") == []
    assert [p.name for p in pln.people.list()] == ["Quiet"]
    shown = cli("person", "show", "Quiet")
    assert "no-unauthenticated" in shown.stdout + shown.stderr
    listed = cli("source", "list", "--json").json()
    assert listed[0]["withheld"] is True  # type: ignore[index]


def test_a_profile_that_withholds_is_stored_without_posts_from_the_start(
    appview: AppView, pln: Pln, cli: Cli
) -> None:
    quiet = appview.add_account("quiet.bsky.social", labels=[NO_UNAUTH])
    appview.add_post(quiet, "secret")
    result = cli("person", "add", "Quiet", "--bluesky", "@quiet.bsky.social")
    assert result.exit_code == 0
    assert "no-unauthenticated" in result.stderr
    _result(pln)
    assert _posts(pln) == []


def test_rate_limit_is_a_retry_not_a_failure_streak(appview: AppView, pln: Pln) -> None:
    amara = appview.add_account("amara.bsky.social")
    appview.add_post(amara, "hello")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    appview.rate_limit_once()
    result = _result(pln)
    assert result.status == "failed" and result.http_status == 429
    assert "rate limit" in (result.error or "")
    (source,) = pln.sources.list()
    assert source.next_due_at is not None


def test_deleted_account_is_gone(appview: AppView, pln: Pln) -> None:
    amara = appview.add_account("amara.bsky.social")
    pln.people.add("Amara", bluesky=["@amara.bsky.social"])
    del appview.accounts[amara.did]
    assert _result(pln).status == "gone"


def test_cli_person_add_and_source_add(appview: AppView, cli: Cli) -> None:
    appview.add_account("amara.bsky.social", "Amara")
    amara_site = appview.add_account("amara.example", "Amara (own domain)")
    added = cli(
        "person",
        "add",
        "Amara",
        "--bluesky",
        "https://bsky.app/profile/amara.bsky.social",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    assert added.json()["sources"][0]["kind"] == "bluesky"  # type: ignore[index]
    # A bare domain is tried as a handle only with --bluesky.
    flagged = cli("source", "add", "Amara", "amara.example", "--bluesky", "--json")
    assert flagged.exit_code == 0, flagged.stderr
    assert flagged.json()["remote_id"] == amara_site.did  # type: ignore[index]
    bad = cli("person", "add", "X", "--bluesky", "not a handle")
    assert bad.exit_code != 0 and bad.stderr.startswith("Error:") and "Bluesky" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_own_domain_handle_and_website_offer_their_feed(appview: AppView, cli: Cli) -> None:
    appview.add_account("amara.example", "Amara", website="https://blog.amara.example/")
    added = cli("person", "add", "Amara", "--bluesky", "@amara.example")
    assert added.exit_code == 0, added.stderr
    assert "plnctl source add 1 https://blog.amara.example/" in added.stderr
    assert "plnctl source add 1 https://amara.example" in added.stderr


def test_bluesky_sync_keeps_the_per_host_limit(appview: AppView, pln: Pln) -> None:
    """Bluesky accounts go through the same limits as feeds: every account is fetched, with
    never more than ``per_host`` requests at once at the AppView (one host)."""
    from dataclasses import replace

    for n in range(10):
        account = appview.add_account(f"teacher{n}.bsky.social", f"Teacher {n}")
        appview.add_post(account, f"Post number {n}")
        pln.people.add(f"Teacher {n}", bluesky=[f"teacher{n}.bsky.social"])
    appview.latency = 0.1
    pln.settings = replace(pln.settings, sync=replace(pln.settings.sync, per_host=2))
    results = pln.sync(force=True).results
    assert [r.status for r in results] == ["new"] * 10
    assert appview.gauge.peak == 2  # the limit was reached, never passed
