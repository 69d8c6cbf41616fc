"""The email-header sink: CR/LF and other controls in --email or --name (header injection:
`Bcc:` lines) are one-line usage errors before anything is built or sent, an address that is
not one is refused, and a subject made from stored text can never carry a line break."""

from __future__ import annotations

from pathlib import Path

import pytest

from plnctl.deliver import Mail, build_message
from plnctl.errors import ExitCode, InvalidInput
from plnctl.render.mailheaders import check_address, check_header, header_text
from tests.conftest import Cli
from tests.share.conftest import SmtpServer, write_smtp_config


@pytest.mark.parametrize(
    "address",
    [
        "not an address",
        "me@example.org\r\nBcc: everyone@example.org",
        "me@example.org\nBcc: x@y.org",
        "me@example.org, other@example.org",
        "Me <me@example.org>",
        "me@",
        "@example.org",
        "me@@example.org",
        "me@.example.org",
        "me@example..org",
        "me\x00@example.org",
    ],
)
def test_bad_email_is_a_one_line_usage_error(
    cli: Cli, isolated_home: Path, smtp_server: SmtpServer, address: str
) -> None:
    write_smtp_config(isolated_home, smtp_server.port, user=None)
    result = cli("digest", "--send-empty", "--email", "ok@example.org", "--email", address)
    assert result.exit_code == int(ExitCode.USAGE), result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "email address" in result.stderr
    assert smtp_server.messages == []  # nothing sent, not even to the good address


def test_bad_email_is_refused_even_without_smtp_settings(cli: Cli) -> None:
    result = cli("digest", "--email", "not an address")
    assert result.exit_code == int(ExitCode.USAGE)
    assert result.stderr == (
        "Error: not an email address: 'not an address' "
        "(give one address like me@example.org per --email)\n"
    )


@pytest.mark.parametrize("name", ["weekly\r\nBcc: everyone@example.org", "a\nb", "tab\there"])
def test_control_characters_in_the_digest_name(
    cli: Cli, isolated_home: Path, smtp_server: SmtpServer, name: str
) -> None:
    write_smtp_config(isolated_home, smtp_server.port, user=None)
    result = cli("digest", "--send-empty", "--name", name, "--email", "me@example.org")
    assert result.exit_code == int(ExitCode.USAGE)
    assert result.stderr.startswith("Error: a digest --name cannot contain line breaks")
    assert result.stderr.count("\n") == 1 and smtp_server.messages == []
    assert cli("digest", "--name", name).exit_code == int(ExitCode.USAGE)  # no email either


def test_good_addresses_are_sent(cli: Cli, isolated_home: Path, smtp_server: SmtpServer) -> None:
    write_smtp_config(isolated_home, smtp_server.port, user=None)
    result = cli(
        "digest", "--send-empty", "--name", "weekly", "--email", " me@example.org ",
        "--email", "o'brien+pln@schule.example.de",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [message] = smtp_server.messages
    # Several recipients never see each other (Bcc); both were on the envelope.
    assert message["To"] == "undisclosed-recipients:;"
    assert sorted(smtp_server.handler.envelopes[-1]) == [
        "me@example.org",
        "o'brien+pln@schule.example.de",
    ]
    assert message["Subject"].startswith("PLN digest (weekly):")


def test_a_subject_from_stored_text_stays_one_header() -> None:
    mail = Mail(to=("me@example.org",), subject="New\r\nBcc: all@example.org\x1b[2J post", text="t")
    message = build_message(mail, sender="plnctl@example.org")
    assert message["Subject"] == "New Bcc: all@example.org [2J post"
    assert message["Bcc"] is None
    assert b"\nBcc:" not in message.as_bytes()


def test_unit_rules() -> None:
    assert check_address("  me@example.org ") == "me@example.org"
    assert check_header("x", "plain name") == "plain name"
    with pytest.raises(InvalidInput):
        check_header("x", "a\u2028b")
    assert header_text("a\tb\n\nc") == "a b c"
