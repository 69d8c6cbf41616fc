"""A hostile Mastodon instance: real status JSON recorded from mastodon_mock, served with bad
variants by the loopback feed server. The good statuses are stored, each bad one is skipped
with one warning, and the source does not fail."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from plnctl.api import Pln
from tests.conftest import Cli
from tests.ingest.readers import run_every_read_command
from tests.servers.feed_server import FeedServer
from tests.servers.mastodon_server import MastodonMock


def recorded(mastodon: MastodonMock) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """bob's Account and his statuses as the mock serves them (newest first)."""
    mastodon.post("bob", "A third post with media #OER")
    account_id = mastodon.account_id("bob")
    account = mastodon.http.get("/api/v1/accounts/lookup", params={"acct": "bob"}).json()
    statuses = mastodon.http.get(f"/api/v1/accounts/{account_id}/statuses").json()
    assert len(statuses) == 3
    return account, statuses


def variant(status: dict[str, Any], new_id: int, **fields: Any) -> dict[str, Any]:
    bad = copy.deepcopy(status)
    bad["id"] = str(new_id)
    bad["url"] = bad["uri"] = f"{status['url'].rsplit('/', 1)[0]}/{new_id}"
    bad.update(fields)
    return bad


def serve(feed_server: FeedServer, account: dict[str, Any], statuses: list[dict[str, Any]]) -> str:
    feed_server.add_feed(
        "/api/v1/accounts/lookup", json.dumps(account), content_type="application/json"
    )
    feed_server.add_feed(
        f"/api/v1/accounts/{account['id']}/statuses",
        json.dumps(statuses),
        content_type="application/json",
    )  # fmt: skip
    return f"@bob@127.0.0.1:{feed_server.port}"


HOSTILE = {
    "tags-not-a-list": {"tags": "edtech"},
    "tags-of-strings": {"tags": ["edtech", 5]},
    "media-not-a-list": {"media_attachments": {"url": "http://x/a.png"}},
    "media-a-number": {"media_attachments": 7},
    "content-a-number": {"content": 42},
    "mentions-not-a-list": {"mentions": "@someone"},
    "account-a-string": {"account": "bob"},
    "reblog-a-list": {"reblog": [1, 2]},
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_bad_status_is_skipped_the_good_ones_are_stored(
    case: str, pln: Pln, mastodon: MastodonMock, feed_server: FeedServer, cli: Cli
) -> None:
    account, statuses = recorded(mastodon)
    newest = max(int(s["id"]) for s in statuses)
    bad = variant(statuses[0], newest + 1, **HOSTILE[case])
    handle = serve(feed_server, account, [bad, *statuses])
    pln.people.add("Bob", mastodon=[handle])
    out = cli("sync", "--force")
    assert out.exit_code == 0, out.stderr
    (source,) = pln.sources.list()
    assert source.last_error is None and source.error_count == 0
    stored = {p.guid for p in pln.posts.list(limit=None)}
    good = {s["url"] for s in statuses}
    if bad["url"] in stored:
        # Mapped despite the odd field (e.g. a mention list it could read): then it is clean.
        assert stored == good | {bad["url"]}
        assert "skipped" not in out.stderr
    else:
        assert stored == good
        warnings = [line for line in out.stderr.splitlines() if "skipped" in line]
        assert len(warnings) == 1 and handle in warnings[0] and repr(bad["id"]) in warnings[0]
    assert source.cursor == str(newest + 1)  # the bad status is not fetched again and again


def test_the_classic_three_are_skipped(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer
) -> None:
    """tags not a list and a numeric content: both skipped in one sync, named in one warning;
    media_attachments not a list is read as "no media" (the status itself is fine); the three
    good statuses stored."""
    account, statuses = recorded(mastodon)
    newest = max(int(s["id"]) for s in statuses)
    bad = [
        variant(statuses[0], newest + 1, tags={"name": "x"}),
        variant(statuses[0], newest + 2, media_attachments="photo.png"),
        variant(statuses[0], newest + 3, content=3.14),
    ]
    pln.people.add("Bob", mastodon=[serve(feed_server, account, [*bad, *statuses])])
    (result,) = pln.sync(force=True).results
    assert (result.status, result.new_posts) == ("new", 4)
    assert result.warning is not None and result.warning.startswith("skipped 2 bad entries")
    for status in (bad[0], bad[2]):
        assert repr(status["id"]) in result.warning
    kept = next(p for p in pln.posts.list(limit=None) if p.guid.endswith(str(bad[1]["id"])))
    assert pln.posts.get(kept.id).media == ()


def test_hostile_values_are_repaired_not_stored(
    pln: Pln, mastodon: MastodonMock, feed_server: FeedServer, cli: Cli
) -> None:
    """Odd but mappable statuses are stored with their bad parts made harmless: a status URL in
    another scheme, dates in year 1 and 9999, escapes in names, a javascript: media link."""
    account, statuses = recorded(mastodon)
    for profile in (account, *(s["account"] for s in statuses)):
        profile["display_name"] = "Bob \x1b]0;owned\x07 Librarian"
    newest = max(int(s["id"]) for s in statuses)
    odd = [
        variant(statuses[0], newest + 1, created_at="0001-01-01T00:00:00Z"),
        variant(statuses[0], newest + 2, created_at="9999-12-31T23:59:59.000Z"),
        variant(
            statuses[0], newest + 3,
            media_attachments=[{"type": "image", "url": "javascript:alert(1)", "description": "d"}],
        ),
    ]  # fmt: skip
    odd[2]["url"] = "ftp://files.example/status"
    pln.people.add("Bob", mastodon=[serve(feed_server, account, [*odd, *statuses])])
    (result,) = pln.sync(force=True).results
    assert result.status == "new" and result.new_posts == 6 and result.warning is None
    posts = {p.guid: p for p in pln.posts.list(limit=None)}
    assert posts[odd[0]["url"]].published_at is None
    assert posts[odd[1]["url"]].published_at is None
    media = next(p for p in posts.values() if p.guid == "ftp://files.example/status")
    assert media.url is None and "javascript:" not in (media.content_html or "")
    (source,) = pln.sources.list()
    assert source.display_name == "Bob Librarian"
    run_every_read_command(cli, [p.id for p in posts.values()], ["Bob"])
