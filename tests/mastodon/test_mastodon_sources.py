"""Following Mastodon accounts: resolving handles and profile URLs on a real (loopback) server."""

from __future__ import annotations

from plnctl.api import Pln
from plnctl.models import SourceKind
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def test_person_add_by_handle(pln: Pln, mastodon: MastodonMock) -> None:
    person = pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    (source,) = pln.sources.list(person=person.id)
    assert source.kind is SourceKind.MASTODON
    assert source.url == f"{mastodon.base_url}/@bob"
    assert source.handle == f"@bob@{mastodon.host}"
    assert source.remote_id == mastodon.account_id("bob")
    assert source.display_name == "Bob Librarian"
    assert source.avatar_url and source.avatar_url.startswith(mastodon.base_url)
    assert not source.bot and not source.noindex and source.moved_to is None


def test_source_add_by_profile_url_cli(cli: Cli, mastodon: MastodonMock) -> None:
    assert cli("person", "add", "Carol").exit_code == 0
    result = cli("source", "add", "Carol", f"{mastodon.base_url}/@carol", "--json")
    assert result.exit_code == 0, result.stderr
    source = result.json()
    assert source["handle"] == f"@carol@{mastodon.host}"
    assert source["bot"] is True


def test_opted_out_account_is_stored_but_flagged(pln: Pln, mastodon: MastodonMock) -> None:
    pln.people.add("Dana", mastodon=[mastodon.handle("dana")])
    (source,) = pln.sources.list()
    assert source.noindex is True
    assert pln.sources.should_index(source) is False


def test_unknown_account_is_a_clear_error(cli: Cli, mastodon: MastodonMock) -> None:
    result = cli("person", "add", "Nobody", "--mastodon", mastodon.handle("nobody"))
    assert result.exit_code == 4
    assert f"no Mastodon account @nobody@{mastodon.host}" in result.stderr
    assert cli("person", "list", "--json").json() == []  # nothing stored


def test_instance_down_is_a_network_error(cli: Cli, dead_host: str) -> None:
    result = cli("person", "add", "Ghost", "--mastodon", f"@ghost@{dead_host}")
    assert result.exit_code == 7
    assert f"could not reach Mastodon instance {dead_host}" in result.stderr
    assert "Traceback" not in result.stderr


def test_already_followed(pln: Pln, cli: Cli, mastodon: MastodonMock) -> None:
    pln.people.add("Bob", mastodon=[mastodon.handle("bob")])
    result = cli("source", "add", "Bob", f"bob@{mastodon.host}")
    assert result.exit_code == 2
    assert "Bob already follows" in result.stderr and "constraint" not in result.stderr


def test_a_vanity_domain_handle_is_found_through_webfinger(
    pln: Pln, mastodon: MastodonMock, feed_server
) -> None:
    """@bob@<his own domain> lives on another instance; his domain's WebFinger says where."""
    import json

    vanity = feed_server.url("/").split("//", 1)[1].rstrip("/")
    document = {
        "subject": f"acct:bob@{vanity}",
        "links": [{"rel": "self", "type": "application/activity+json",
                   "href": f"{mastodon.base_url}/users/bob"}],
    }  # fmt: skip
    feed_server.add_feed("/.well-known/webfinger", json.dumps(document).encode(),
                         content_type="application/jrd+json")  # fmt: skip
    person = pln.people.add("Bob", mastodon=[f"@bob@{vanity}"])
    (source,) = pln.sources.list(person=person.id)
    assert source.handle == f"@bob@{mastodon.host}"
    assert source.url == f"{mastodon.base_url}/@bob"
    assert source.remote_id == mastodon.account_id("bob")
    asked = feed_server.requests_for("/.well-known/webfinger")
    assert asked and "acct%3Abob%40" in asked[0].path


def test_a_domain_without_webfinger_is_still_a_clear_error(
    cli: Cli, mastodon: MastodonMock, feed_server
) -> None:
    vanity = feed_server.url("/").split("//", 1)[1].rstrip("/")
    result = cli("person", "add", "Ghost", "--mastodon", f"@ghost@{vanity}")
    assert result.exit_code in (4, 7)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert cli("person", "list", "--json").json() == []
