"""A `--since last` digest is delivered once per recipient: with one recipient refused by the
mail server (aiosmtpd), the other never gets the same digest twice, and the refused one is
reported (exit 7) and gets every missed post once it is accepted."""

from __future__ import annotations

import socket
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.servers.feeds import rss_feed
from tests.share.conftest import start_smtp, write_smtp_config


class _Picky:
    """Accepts every recipient except those in ``refuse``; keeps (recipient, message)."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.received: list[tuple[str, EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        from email import message_from_bytes, policy

        message: Any = message_from_bytes(envelope.content, policy=policy.default)
        self.received += [(rcpt, message) for rcpt in envelope.rcpt_tos]
        return "250 accepted"

    def to(self, address: str) -> list[str]:
        """The plain-text bodies each address received."""
        return [m.get_body(("plain",)).get_content() for r, m in self.received if r == address]


def test_good_recipient_gets_a_digest_once_refused_one_is_retried(
    cli: Cli, isolated_home: Path, feed_server
) -> None:  # type: ignore[no-untyped-def]
    handler = _Picky()
    controller = start_smtp(handler)
    try:
        write_smtp_config(isolated_home, controller.port, user=None)
        feed_server.add_feed("/a.xml", rss_feed(2))
        assert cli("person", "add", "Ada", "--feed", feed_server.url("/a.xml")).exit_code == 0
        assert cli("sync").exit_code == 0
        handler.refuse = {"bad@example.org"}
        args = ("digest", "--since", "last", "--email", "good@example.org",
                "--email", "bad@example.org")  # fmt: skip

        first = cli(*args)
        assert first.exit_code == 7, first.stderr
        lines = first.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")
        assert "bad@example.org" in lines[0] and "550" in lines[0]
        assert "sent to good@example.org" in lines[0] and "next --since last run" in lines[0]
        assert len(handler.to("good@example.org")) == 1

        again = cli(*args)  # before: good@ got the same digest again on every run
        assert again.exit_code == 7 and "bad@example.org" in again.stderr
        assert len(handler.to("good@example.org")) == 1

        handler.refuse = set()  # bad@ fixed its mailbox; a new post arrives
        feed_server.add_feed("/a.xml", rss_feed(3))
        assert cli("sync", "--force").exit_code == 0
        fixed = cli(*args)
        assert fixed.exit_code == 0, fixed.stderr
        good, bad = handler.to("good@example.org"), handler.to("bad@example.org")
        assert len(good) == 2 and len(bad) == 1
        assert "(2)" in good[1] and "(0)" not in good[1]  # only the post it has not had
        assert all(f"({i})" in bad[0] for i in range(3))  # bad@ lost nothing

        done = cli(*args)  # nothing new for anyone: no mail
        assert done.exit_code == 0 and len(handler.received) == 3
    finally:
        controller.stop()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_smtp_errors_name_the_config_file_and_key(
    cli: Cli, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_home / "config.toml"
    write_smtp_config(isolated_home, _closed_port(), user=None)
    result = cli("digest", "--since", "24h", "--email", "me@example.org", "--send-empty")
    assert result.exit_code == 7
    assert str(config) in result.stderr and "[smtp] host, port" in result.stderr
    assert result.stderr.count("\n") == 1

    from aiosmtpd.smtp import AuthResult

    def deny(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        return AuthResult(success=False, handled=False)

    controller = start_smtp(_Picky(), authenticator=deny, auth_require_tls=False)
    try:
        write_smtp_config(isolated_home, controller.port, user="teacher")
        monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", "wrong-pw")
        result = cli("digest", "--since", "24h", "--email", "me@example.org", "--send-empty")
        assert result.exit_code == 7, result.stderr
        assert "[smtp] user" in result.stderr and str(config) in result.stderr
        assert "wrong-pw" not in result.stderr
    finally:
        controller.stop()
