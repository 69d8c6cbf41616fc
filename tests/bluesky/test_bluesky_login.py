"""`plnctl bluesky login|status|logout` against a loopback PDS: the session is kept in a 0600
file, refreshed when it expires, and neither the app password nor a token is ever shown."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from plnctl.api import open_pln
from plnctl.identity import is_me
from tests.conftest import Cli, CliResult
from tests.servers.appview import Account, AppView
from tests.servers.pds import Pds

PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def teacher(appview: AppView, pds: Pds) -> Account:
    account = appview.add_account("teacher.bsky.social", "Ms Rivera")
    pds.add_password(account, PASSWORD)
    return account


def _session_file(home: Path) -> Path:
    return home / "credentials" / "bluesky.json"


def _secrets(pds: Pds) -> list[str]:
    """The app password and every token the PDS ever handed out."""
    return [PASSWORD, *pds.access, *pds.refresh, *pds.expired_access]


def _assert_hidden(result: CliResult, pds: Pds) -> None:
    for secret in _secrets(pds):
        assert secret not in result.stdout
        assert secret not in result.stderr


def _login(cli: Cli, db: Path, *flags: str) -> CliResult:
    cli("--db", str(db), "topic", "init", "--region", "au")
    return cli("--db", str(db), *flags, "bluesky", "login", "teacher.bsky.social",
               input=PASSWORD + "\n")  # fmt: skip


def test_login_keeps_a_private_session_and_never_shows_a_secret(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, isolated_home: Path
) -> None:
    logged = _login(cli, db_path, "-vv")  # the libraries' debug records too
    assert logged.exit_code == 0, logged.stderr
    assert "Logged in to Bluesky as @teacher.bsky.social" in logged.stderr
    assert "createSession" in logged.stderr  # the debug log is there, and shows no secret
    path = _session_file(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["did"] == teacher.did
    assert stored["access_jwt"] in pds.access and stored["refresh_jwt"] in pds.refresh
    assert PASSWORD not in path.read_text()  # sent once, never stored
    status = cli("--db", str(db_path), "-vv", "bluesky", "status", "--json")
    assert status.exit_code == 0, status.stderr
    assert status.json() == {
        "logged_in": True, "handle": "@teacher.bsky.social", "did": teacher.did,
        "service": pds.url, "checked": True,
    }  # fmt: skip
    backup = cli("--db", str(db_path), "--debug", "export", "backup", "-o", "-")
    config = cli("--db", str(db_path), "config", "show")
    for result in (logged, status, backup, config):
        _assert_hidden(result, pds)
    assert all(auth is None or auth.startswith("Bearer ") for _, auth, _ in pds.requests)


def test_the_app_password_can_come_from_the_environment(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_BLUESKY_APP_PASSWORD", PASSWORD)
    cli("--db", str(db_path), "topic", "init", "--region", "au")
    logged = cli("--db", str(db_path), "bluesky", "login", "@teacher.bsky.social")  # no prompt
    assert logged.exit_code == 0, logged.stderr
    assert "App password" not in logged.stderr
    _assert_hidden(logged, pds)


def test_a_wrong_password_is_one_line_and_stores_nothing(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, isolated_home: Path
) -> None:
    cli("--db", str(db_path), "topic", "init", "--region", "au")
    wrong = "zzzz-zzzz-zzzz-zzzz"
    result = cli("--db", str(db_path), "bluesky", "login", "teacher.bsky.social", input=wrong)
    assert result.exit_code == 7
    (line,) = [x for x in result.stderr.splitlines() if "Error: " in x]  # after the prompt
    assert "did not accept that handle and app password" in line
    assert wrong not in result.stdout + result.stderr
    assert not _session_file(isolated_home).exists()


def test_an_account_password_is_warned_about(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path
) -> None:
    pds.add_password(teacher, "my-main-password")
    cli("--db", str(db_path), "topic", "init", "--region", "au")
    result = cli("--db", str(db_path), "bluesky", "login", "teacher.bsky.social",
                 input="my-main-password\n")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "not an app password" in result.stderr
    assert "my-main-password" not in result.stdout + result.stderr


def test_an_expired_session_is_refreshed_and_stored(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, isolated_home: Path
) -> None:
    assert _login(cli, db_path).exit_code == 0
    before = json.loads(_session_file(isolated_home).read_text())
    pds.expire_access()
    status = cli("--db", str(db_path), "bluesky", "status", "--json")
    assert status.exit_code == 0, status.stderr
    assert status.json()["logged_in"] is True  # type: ignore[index]
    after = json.loads(_session_file(isolated_home).read_text())
    assert after["access_jwt"] != before["access_jwt"]
    assert after["refresh_jwt"] in pds.refresh and before["refresh_jwt"] not in pds.refresh
    assert stat.S_IMODE(_session_file(isolated_home).stat().st_mode) == 0o600
    _assert_hidden(status, pds)


def test_a_session_that_cannot_be_refreshed_asks_to_log_in_again(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path
) -> None:
    assert _login(cli, db_path).exit_code == 0
    pds.expire_refresh()
    status = cli("--db", str(db_path), "bluesky", "status")
    assert status.exit_code == 2
    assert "log in again: plnctl bluesky login teacher.bsky.social" in status.stderr
    _assert_hidden(status, pds)


def test_logout_revokes_the_session_and_deletes_the_file(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, isolated_home: Path
) -> None:
    assert _login(cli, db_path).exit_code == 0
    out = cli("--db", str(db_path), "bluesky", "logout")
    assert out.exit_code == 0, out.stderr
    assert "Logged out of Bluesky (@teacher.bsky.social)" in out.stderr
    assert not _session_file(isolated_home).exists()
    assert pds.refresh == {}  # revoked on the server too
    status = cli("--db", str(db_path), "bluesky", "status", "--json")
    assert status.json()["logged_in"] is False  # type: ignore[index]
    again = cli("--db", str(db_path), "bluesky", "logout")
    assert "Not logged in to Bluesky" in again.stderr


def test_the_logged_in_account_is_one_of_mine(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path
) -> None:
    assert _login(cli, db_path).exit_code == 0
    with open_pln(db_path) as pln:
        me = pln.me
    assert is_me(me, url=f"https://bsky.app/profile/{teacher.did}")
    assert is_me(me, url="https://bsky.app/profile/teacher.bsky.social/post/3l000000001")
    assert not is_me(me, url="https://bsky.app/profile/someone.bsky.social")


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (200, b'{"did": "did:plc:x", "accessJwt": "acc-leak"}', "incomplete session"),
        (200, b"<html>not json</html>", "incomplete session"),
        (502, b"Bad Gateway", "answered the login with HTTP 502"),
        (400, b'{"error": "AuthFactorTokenRequired", "message": "email code"}', "app password"),
        (400, b'{"error": "InvalidRequest", "message": "' + b"\\u001b[31m" * 80 + b'"}',
         "did not accept"),
    ],
)  # fmt: skip
def test_a_broken_or_hostile_server_answer_is_one_line_and_stores_nothing(
    teacher: Account, pds: Pds, cli: Cli, db_path: Path, isolated_home: Path,
    status: int, body: bytes, words: str,
) -> None:  # fmt: skip
    cli("--db", str(db_path), "topic", "init", "--region", "au")
    pds.fail_next(status, body)
    result = cli("--db", str(db_path), "bluesky", "login", "teacher.bsky.social", input=PASSWORD)
    assert result.exit_code == 7
    (line,) = [x for x in result.stderr.splitlines() if "Error: " in x]
    assert words in line and "\x1b" not in result.stderr and len(line) < 400
    assert "acc-leak" not in result.stderr and PASSWORD not in result.stderr
    assert not _session_file(isolated_home).exists()
