"""Login, whoami, logout, posting and reading threads against the loopback mastodon_mock, whose
OAuth codes are ``mockcode_<username>``."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path

import pytest

from plnctl import mastodon_auth
from plnctl.config import load_settings
from plnctl.errors import NotFound
from plnctl.fetchers.http import HttpClient
from plnctl.fetchers.mastodon import fetch_context, fetch_status
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def _token_file(home: Path) -> Path:
    return home / "credentials" / "mastodon.json"


def test_oauth_login_whoami_logout(cli: Cli, mastodon: MastodonMock, isolated_home: Path) -> None:
    result = cli("mastodon", "login", mastodon.host, "--no-browser", input="mockcode_alice\n")
    assert result.exit_code == 0, result.stderr
    assert f"{mastodon.base_url}/oauth/authorize?" in result.stderr
    assert f"Logged in as @alice@{mastodon.host}" in result.stderr
    path = _token_file(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = json.loads(path.read_text())["instances"][mastodon.base_url]["access_token"]
    assert token and token not in result.stdout + result.stderr

    whoami = cli("mastodon", "whoami", "--json")
    assert whoami.exit_code == 0
    assert whoami.json()["acct"] == f"alice@{mastodon.host}"
    assert token not in whoami.stdout
    assert cli("mastodon", "whoami").stdout.strip() == f"@alice@{mastodon.host} (Alice Teacher)"

    assert cli("mastodon", "logout").exit_code == 0
    assert "access_token" not in path.read_text()
    after = cli("mastodon", "whoami")
    assert after.exit_code == 2 and "not logged in" in after.stderr


def test_login_with_a_bad_code(cli: Cli, mastodon: MastodonMock) -> None:
    result = cli("mastodon", "login", mastodon.base_url, "--code", "not-a-code")
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error:")


def test_token_from_environment(
    cli: Cli, mastodon: MastodonMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_MASTODON_TOKEN", "bob_token")
    monkeypatch.setenv("PLNCTL_MASTODON_INSTANCE", mastodon.host)
    result = cli("mastodon", "whoami", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["acct"] == f"bob@{mastodon.host}"


def test_plain_http_refused_for_non_loopback(cli: Cli) -> None:
    result = cli("mastodon", "login", "http://mastodon.example", "--code", "x")
    assert result.exit_code == 2 and "https" in result.stderr


def test_post_status_and_read_the_thread(mastodon: MastodonMock) -> None:
    posted = mastodon_auth.post_status(mastodon.host, "bob_token", "How do you teach fractions?")
    assert posted["url"] == f"{mastodon.base_url}/@bob/{posted['id']}"
    assert posted["created_at"].endswith("Z")
    reply = mastodon.post("alice", "@bob with pizzas!", in_reply_to_id=posted["id"])

    async def read() -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
        async with HttpClient() as client:
            status = await fetch_status(client, posted["url"])
            replies = await fetch_context(client, mastodon.host, posted["id"])
            return status, replies

    status, replies = asyncio.run(read())
    assert status["content_text"] == "How do you teach fractions?"
    assert status["account"]["acct"] == f"bob@{mastodon.host}"
    (answer,) = replies
    assert answer["id"] == reply["id"] and answer["in_reply_to_id"] == posted["id"]
    assert answer["account"]["acct"] == f"alice@{mastodon.host}"
    assert "pizzas" in answer["content_text"]

    mastodon.delete("bob", posted["id"])

    async def gone() -> None:
        async with HttpClient() as client:
            await fetch_status(client, (mastodon.host, posted["id"]))

    with pytest.raises(NotFound):
        asyncio.run(gone())


def test_login_state_is_per_home(mastodon: MastodonMock) -> None:
    assert mastodon_auth.current_login(load_settings()) is None
