"""A Mastodon display name is written by its owner: OSC 8 hidden links, OSC 52 clipboard writes
and screen clears in it never reach the terminal of the teacher who follows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.pty_terminal import harmful, run_tty
from tests.servers.mastodon_server import MastodonMock

HOSTILE_NAME = (
    "Bob \x1b]8;;https://evil.example/\x1b\\Librarian\x1b]8;;\x1b\\"
    "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07\x1b[2J\x1b]0;owned\x07 [bold]x[/bold]\u202e"
)


@pytest.fixture
def hostile_bob(mastodon: MastodonMock, monkeypatch: pytest.MonkeyPatch) -> MastodonMock:
    response = mastodon.http.patch(
        "/api/v1/accounts/update_credentials",
        data={"display_name": HOSTILE_NAME},
        headers={"Authorization": "Bearer bob_token"},
    )
    response.raise_for_status()
    monkeypatch.setenv("PLNCTL_MASTODON_TOKEN", "bob_token")
    monkeypatch.setenv("PLNCTL_MASTODON_INSTANCE", mastodon.host)
    return mastodon


def test_display_name_escapes_never_reach_the_terminal(
    hostile_bob: MastodonMock, isolated_home: Path, cli: Cli
) -> None:
    code, text = run_tty(isolated_home, "mastodon", "whoami")
    assert code == 0, text
    assert harmful(text) == [], text
    assert "Librarian" in text and "[bold]x[/bold]" in text
    assert "Y3VybCBldmlsIHwgc2g" not in text and "owned" not in text

    added = cli("person", "add", "Bob", "--mastodon", hostile_bob.handle("bob"))
    assert added.exit_code == 0, added.stderr
    assert cli("sync").exit_code == 0
    for args in (("post", "list"), ("source", "list"), ("person", "show", "Bob")):
        code, text = run_tty(isolated_home, *args)
        assert code == 0 and harmful(text) == [], (args, text)


def test_display_name_through_a_pipe(hostile_bob: MastodonMock, cli: Cli) -> None:
    result = cli("mastodon", "whoami")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.startswith(f"@bob@{hostile_bob.host} (Bob Librarian")
    assert cli("mastodon", "whoami", "--json").json()["display_name"] == HOSTILE_NAME  # type: ignore[index]
