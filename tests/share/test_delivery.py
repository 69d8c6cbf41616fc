"""Delivering digests: a real SMTP server on 127.0.0.1 (aiosmtpd), atomic files, and the
watermark across failed and repeated runs."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from plnctl.config import SmtpSettings, write_secret
from plnctl.errors import ConfigError, DeliveryError, ExitCode
from plnctl.models import SourceKind
from plnctl.store import share as share_db
from tests.share.conftest import NOW, Sample, SmtpServer, add_person, add_post, write_smtp_config

PASSWORD = "s3cret-pw"


def _use_smtp(sample: Sample, server: SmtpServer, **changes: object) -> None:
    smtp = SmtpSettings(
        host=server.host,
        port=server.port,
        security="none",
        user="teacher",
        sender="plnctl@example.org",
        timeout=5,
    )
    sample.pln.settings = replace(sample.pln.settings, smtp=replace(smtp, **changes))  # type: ignore[arg-type]


def _watermark(sample: Sample, name: str = "default") -> str | None:
    return share_db.get_watermark(sample.pln.store, name)


def test_email_is_multipart_text_and_html(
    sample: Sample, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    _use_smtp(sample, smtp_server)
    run = sample.pln.share.digest(since="24h", email=["me@example.org"], now=NOW)
    assert run.emailed_to == ("me@example.org",)
    [message] = smtp_server.messages
    assert smtp_server.logins == [(b"teacher", PASSWORD.encode())]
    assert message["To"] == "me@example.org" and message["From"] == "plnctl@example.org"
    assert message["Subject"] == (
        "PLN digest: 28 Nov 2026: 6 new posts from 3 people, 2 new answers"
    )
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Retrieval practice in Year 9 science" in text and "<" not in text.split("\n")[0]
    assert html.startswith("<!DOCTYPE html>") and "Retrieval practice in Year 9 science" in html


def test_password_from_a_0600_file(sample: Sample, smtp_server: SmtpServer, tmp_path: Path) -> None:
    secret = tmp_path / "smtp-password"
    write_secret(secret, PASSWORD + "\n")
    _use_smtp(sample, smtp_server, password_file=str(secret))
    sample.pln.share.digest(since="24h", email=["me@example.org"], now=NOW)
    assert smtp_server.logins == [(b"teacher", PASSWORD.encode())]
    os.chmod(secret, 0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        sample.pln.share.digest(since="24h", email=["me@example.org"], now=NOW)


def test_wrong_password_is_a_delivery_error_without_the_password(
    sample: Sample, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", "not-the-password")
    _use_smtp(sample, smtp_server)
    with pytest.raises(DeliveryError) as info:
        sample.pln.share.digest(since="last", email=["me@example.org"], now=NOW)
    assert "refused the login for teacher" in str(info.value)
    assert "not-the-password" not in str(info.value)
    assert smtp_server.messages == [] and _watermark(sample) is None


def test_rejected_recipient_leaves_the_watermark(
    sample: Sample, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    _use_smtp(sample, smtp_server)
    smtp_server.handler.reject_with = "550 5.1.1 mailbox unavailable"
    with pytest.raises(DeliveryError, match="refused the recipient"):
        sample.pln.share.digest(since="last", email=["me@example.org"], now=NOW)
    assert _watermark(sample) is None


def test_failed_run_skips_nothing_and_repeated_run_sends_nothing_twice(
    sample: Sample, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    pln = sample.pln
    # 1. The mail server is down (nothing listens on the port): exit 7, watermark untouched.
    _use_smtp(sample, smtp_server, port=_closed_port())
    with pytest.raises(DeliveryError) as info:
        pln.share.digest(since="last", email=["me@example.org"], now=NOW)
    assert info.value.exit_code == ExitCode.NETWORK
    assert _watermark(sample) is None
    # 2. The next run (server back) still has every post, and moves the watermark.
    _use_smtp(sample, smtp_server)
    later = NOW + timedelta(hours=1)
    run = pln.share.digest(since="last", email=["me@example.org"], now=later)
    assert run.post_count == 6 and len(smtp_server.messages) == 1
    assert _watermark(sample) == "2026-11-28T08:00:00Z"
    # 3. Run again at once: nothing new, so no email and a quiet success.
    again = pln.share.digest(
        since="last", email=["me@example.org"], now=later + timedelta(minutes=5)
    )
    assert again.empty and again.skipped_email and again.emailed_to == ()
    assert len(smtp_server.messages) == 1
    # 4. A post stored after the watermark (published long ago) is in the next digest, alone.
    add_post(
        pln,
        sample.people["ada"],
        fetched_at="2026-11-28T09:00:00Z",
        url="https://ada.example.org/backdated",
        title="Backdated post",
        published_at="2026-10-01T00:00:00Z",
        content_text="old but new to you",
    )
    third = pln.share.digest(since="last", email=["me@example.org"], now=later + timedelta(hours=2))
    assert third.post_count == 1 and len(smtp_server.messages) == 2
    assert "Backdated post" in smtp_server.messages[-1].get_body(("plain",)).get_content()
    # 5. --send-empty sends even when there is nothing new.
    pln.share.digest(
        since="last", email=["me@example.org"], send_empty=True, now=later + timedelta(hours=3)
    )
    assert len(smtp_server.messages) == 3
    assert smtp_server.messages[-1]["Subject"].endswith("nothing new")


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_watermarks_are_per_name(sample: Sample) -> None:
    stream = io.StringIO()
    first = sample.pln.share.digest(since="last", name="weekly", stream=stream, now=NOW)
    assert first.post_count == 6  # first run: the last 7 days
    assert sample.pln.share.digest(since="last", name="weekly", stream=stream, now=NOW).empty
    other = sample.pln.share.digest(
        since="last", name="team", topics=["literacy"], stream=stream, now=NOW
    )
    assert other.post_count == 2
    assert [name for name, _, _ in sample.pln.share.watermarks()] == ["team", "weekly"]
    # A duration-based run never moves a watermark.
    sample.pln.share.digest(since="24h", name="fresh", stream=stream, now=NOW)
    assert _watermark(sample, "fresh") is None


def test_file_output_is_atomic_and_failures_leave_the_watermark(
    sample: Sample, tmp_path: Path
) -> None:
    public = tmp_path / "public"
    public.mkdir()
    target = public / "digest.atom"
    target.write_text("previous digest", encoding="utf-8")
    with pytest.raises(DeliveryError, match="cannot write"):
        sample.pln.share.digest(
            since="last", fmt="atom", output=tmp_path / "missing" / "d.atom", now=NOW
        )
    assert _watermark(sample) is None
    run = sample.pln.share.digest(since="last", fmt="atom", output=target, now=NOW)
    assert run.output == str(target) and target.read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in public.iterdir()] == ["digest.atom"]  # no temporary file left
    assert _watermark(sample) == "2026-11-28T07:00:00Z"


def test_unknown_topic_and_format(sample: Sample) -> None:
    from plnctl.errors import InvalidInput, NotFound

    with pytest.raises(NotFound, match="no topic named 'maths'"):
        sample.pln.share.build_digest(topics=["maths"], now=NOW)
    with pytest.raises(InvalidInput):
        sample.pln.share.digest(fmt="pdf", now=NOW)


# --- through the CLI ------------------------------------------------------------------------


def test_cli_email_exit_codes_and_silence_for_cron(
    cli, isolated_home: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", PASSWORD)
    write_smtp_config(isolated_home, smtp_server.port)
    from plnctl.api import open_pln

    with open_pln() as pln:
        source = add_person(pln, "Ms. Rivera", SourceKind.FEED, "https://rivera.example.edu/feed")
        from plnctl.timeutil import now_iso

        add_post(pln, source, fetched_at=now_iso(), url="https://r.example/1", title="Fresh post")
    result = cli("digest", "--since", "last", "--email", "me@example.org")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")  # cron mails nothing
    assert len(smtp_server.messages) == 1
    again = cli("digest", "--since", "last", "--email", "me@example.org")
    assert again.exit_code == 0 and len(smtp_server.messages) == 1
    write_smtp_config(isolated_home, _closed_port())
    down = cli("digest", "--since", "last", "--email", "me@example.org", "--send-empty")
    assert down.exit_code == int(ExitCode.NETWORK)
    assert down.stderr.startswith("Error: could not send mail via 127.0.0.1:")
    assert PASSWORD not in down.stderr + down.stdout


def test_cli_password_never_printed_on_refused_login(
    cli, isolated_home: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PLNCTL_SMTP_PASSWORD", "hunter2-wrong")
    write_smtp_config(isolated_home, smtp_server.port)
    result = cli("digest", "--email", "me@example.org", "--send-empty")
    assert result.exit_code == int(ExitCode.NETWORK)
    assert "hunter2-wrong" not in result.stderr + result.stdout


def test_cli_missing_smtp_config(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("digest", "--email", "me@example.org")
    assert result.exit_code == int(ExitCode.DATABASE)
    assert "no SMTP server configured" in result.stderr and result.stdout == ""


def test_cli_digest_to_stdout_and_file(cli, isolated_home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = cli("digest", "--since", "last")
    assert empty.exit_code == 0 and "Nothing new from your network" in empty.stdout
    data = json.loads(cli("digest", "--format", "json").stdout)
    assert data["empty"] is True and data["post_count"] == 0
    target = tmp_path / "d.html"
    result = cli("digest", "-f", "html", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = cli("digest", "--since", "yesterday-ish")
    assert bad.exit_code == int(ExitCode.USAGE) and "invalid --since" in bad.stderr


def test_a_running_sync_makes_since_last_wait_then_busy(sample: Sample) -> None:
    """The digest reads only while no sync is writing; if one runs too long it fails (exit 6)
    and leaves the watermark, rather than risk missing posts that sync is storing."""
    from plnctl.config import SyncSettings
    from plnctl.errors import Busy
    from plnctl.sync_lock import lock_path, sync_lock

    settings = sample.pln.settings
    sample.pln.settings = replace(settings, sync=replace(SyncSettings(), lock_wait=0.2))
    with sync_lock(lock_path(sample.pln.store), wait=0):
        with pytest.raises(Busy) as info:
            sample.pln.share.digest(since="last", stream=io.StringIO(), now=NOW)
        # A duration-based look does not need the lock.
        assert sample.pln.share.digest(since="24h", stream=io.StringIO(), now=NOW).post_count == 6
    assert info.value.exit_code == ExitCode.BUSY and _watermark(sample) is None
    assert sample.pln.share.digest(since="last", stream=io.StringIO(), now=NOW).post_count == 6
