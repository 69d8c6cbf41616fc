"""Messages in the user's words: a wrong Mastodon login code is one clear line with exit 7
(a login failed, as the guide says), never Mastodon.py's tuple; the authorization page's URL
carries only what plnctl asks for (no `state=None&lang=None`); an account followed twice is
said as a person follows it, not as SQL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from plnctl.errors import ExitCode
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


@pytest.mark.parametrize("code", ["not-a-code", "mockcode_nobody"])
def test_wrong_code_is_one_line_and_exit_7(cli: Cli, mastodon: MastodonMock, code: str) -> None:
    result = cli("mastodon", "login", mastodon.host, "--no-browser", "--code", code)
    assert result.exit_code == int(ExitCode.NETWORK)
    assert result.stderr == (
        f"Error: {mastodon.host} did not accept that authorization code (wrong, expired or "
        f"already used); get a new one with: plnctl mastodon login {mastodon.host}\n"
    )
    assert "Mastodon API returned error" not in result.stderr


def test_wrong_code_typed_at_the_prompt(
    cli: Cli, mastodon: MastodonMock, isolated_home: Path
) -> None:
    result = cli("mastodon", "login", mastodon.host, "--no-browser", input="bad\n")
    assert result.exit_code == int(ExitCode.NETWORK)
    assert result.stderr.splitlines()[-1].endswith(f"plnctl mastodon login {mastodon.host}")
    # the app registration survives: the next try uses it and succeeds
    again = cli("mastodon", "login", mastodon.host, "--no-browser", input="mockcode_alice\n")
    assert again.exit_code == 0, again.stderr
    assert cli("mastodon", "whoami").stdout.startswith(f"@alice@{mastodon.host}")


def test_authorize_url_has_no_unset_parameters(cli: Cli, mastodon: MastodonMock) -> None:
    result = cli("mastodon", "login", mastodon.host, "--no-browser", input="mockcode_alice\n")
    assert result.exit_code == 0, result.stderr
    [url] = [w for w in result.stderr.split() if "/oauth/authorize?" in w]
    assert "None" not in url and "force_login" not in url
    query = parse_qs(urlsplit(url).query)
    assert sorted(query) == ["client_id", "redirect_uri", "response_type", "scope"]
    assert query["scope"] == ["read write:statuses"] and query["response_type"] == ["code"]
    page = mastodon.http.get(urlsplit(url).path + "?" + urlsplit(url).query)
    assert page.status_code < 400  # the instance accepts the trimmed URL


def test_empty_code_says_what_to_do(cli: Cli, mastodon: MastodonMock) -> None:
    result = cli("mastodon", "login", mastodon.host, "--code", " ")
    assert result.exit_code == int(ExitCode.USAGE)
    assert "paste the code" in result.stderr and result.stderr.count("\n") == 1


def test_an_account_followed_twice_is_said_in_the_users_words(
    cli: Cli, mastodon: MastodonMock
) -> None:
    bob = mastodon.handle("bob")
    assert cli("person", "add", "Bob Librarian", "--mastodon", bob).exit_code == 0
    again = cli("person", "add", "Robert", "--mastodon", bob)
    assert again.exit_code == int(ExitCode.USAGE)
    assert again.stderr.startswith("Error: Bob Librarian already follows ")
    assert "(source 1); nothing was added (see: plnctl person show 1)" in again.stderr
    assert "constraint" not in again.stderr
    assert [p["name"] for p in cli("person", "list", "--json").json()] == ["Bob Librarian"]  # type: ignore[union-attr]
