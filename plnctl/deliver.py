"""Side effects of sharing: writing files atomically and sending mail over SMTP.

Both raise ``DeliveryError`` on failure, so the caller can leave digest watermarks where they
were. The SMTP password is read at the last moment and never appears in a message or a log.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from plnctl.config import SmtpSettings, read_secret
from plnctl.errors import ConfigError, DeliveryError, InvalidInput

if TYPE_CHECKING:
    import smtplib
    from email.message import EmailMessage

log = logging.getLogger(__name__)
SECURITY = ("starttls", "ssl", "none")


def write_stream(stream: TextIO, text: str) -> None:
    """Write to an open stream (stdout); a closed pipe is a delivery failure too."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as e:
        raise DeliveryError(f"cannot write the output: {e}") from None


def check_target(path: Path) -> Path:
    """An ``-o`` file the user named, checked before any work: its directory must exist and
    it must not be a directory itself (DeliveryError, exit 7 like any file that cannot be
    written, saying what to do)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise DeliveryError(
            f"cannot write {path}: it is a directory; give a file name, e.g. {path / 'pln.out'}"
        )
    if not path.parent.is_dir():
        raise DeliveryError(
            f"cannot write {path}: the directory {path.parent} does not exist; create it "
            f"(mkdir -p {path.parent}) or choose another -o"
        )
    return path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, so readers
    (a web server publishing an Atom digest, say) never see a half-written file."""
    path = check_target(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise DeliveryError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644 & ~_umask())
        os.replace(tmp_name, path)
    except OSError as e:
        Path(tmp_name).unlink(missing_ok=True)
        raise DeliveryError(f"cannot write {path}: {e.strerror or e}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None


def build_message(mail: Mail, *, sender: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML second (clients show the last
    part they can render)."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    from plnctl.render.mailheaders import check_address, header_text

    message = EmailMessage()
    message["From"] = check_address(sender)
    message["To"] = ", ".join(check_address(address) for address in mail.to)
    message["Subject"] = header_text(mail.subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    message.set_content(mail.text, cte="quoted-printable")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    return message


def smtp_password(smtp: SmtpSettings, env: Mapping[str, str] | None = None) -> str | None:
    """From the environment variable named in the settings, else from a 0600 file."""
    env = os.environ if env is None else env
    if env.get(smtp.password_env):
        return env[smtp.password_env]
    if smtp.password_file:
        path = Path(smtp.password_file).expanduser()
        try:
            return read_secret(path)
        except FileNotFoundError:
            raise ConfigError(f"smtp password_file {path} does not exist") from None
    return None


def check_smtp(smtp: SmtpSettings) -> str:
    """Validate the settings before any work is done; returns the sender address."""
    if not smtp.host:
        raise ConfigError(
            "no SMTP server configured: set host (and sender) under [smtp] in config.toml"
        )
    if smtp.security not in SECURITY:
        raise ConfigError(
            f"[smtp] security must be one of {', '.join(SECURITY)}, not {smtp.security!r}"
        )
    sender = smtp.sender or smtp.user
    if not sender or "@" not in sender:
        raise ConfigError('set sender = "you@example.org" under [smtp] in config.toml')
    return sender


def send_mail(smtp: SmtpSettings, mail: Mail, *, env: Mapping[str, str] | None = None) -> None:
    """Send one message; any failure (unreachable, TLS, refused login or recipient) raises
    DeliveryError with a one-line reason."""
    import smtplib
    import ssl

    if not mail.to or any("@" not in address for address in mail.to):
        raise InvalidInput(f"not an email address: {', '.join(mail.to) or '(none)'}")
    sender = check_smtp(smtp)
    password = smtp_password(smtp, env) if smtp.user else None
    message = build_message(mail, sender=sender)
    where = f"{smtp.host}:{smtp.port}"
    try:
        with _connect(smtp) as client:
            if smtp.user:
                client.login(smtp.user, password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=list(mail.to))
    except smtplib.SMTPAuthenticationError as e:
        raise DeliveryError(
            f"the mail server {where} refused the login for {smtp.user}: {_reply(e)}"
        ) from None
    except smtplib.SMTPRecipientsRefused as e:
        raise DeliveryError(
            f"the mail server {where} refused the recipient(s) {', '.join(e.recipients)}"
        ) from None
    except smtplib.SMTPResponseException as e:
        raise DeliveryError(f"the mail server {where} refused the message: {_reply(e)}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as e:
        raise DeliveryError(f"could not send mail via {where}: {_one_line(e)}") from None
    if refused:
        raise DeliveryError(f"the mail server {where} refused {', '.join(sorted(refused))}")
    log.info("sent digest to %d recipient(s) via %s", len(mail.to), where)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    import smtplib
    import ssl

    host = smtp.host or ""
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(
            host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context()
        )
    client = smtplib.SMTP(host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            client.starttls(context=ssl.create_default_context())
    except BaseException:
        client.close()
        raise
    return client


def _reply(e: smtplib.SMTPResponseException) -> str:
    text = (
        e.smtp_error.decode("utf-8", "replace")
        if isinstance(e.smtp_error, bytes)
        else str(e.smtp_error)
    )
    return f"{e.smtp_code} {_one_line(text)}"


def _one_line(e: object) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300]
