"""Side effects of sharing: writing files atomically and sending mail over SMTP.

Both raise ``DeliveryError`` on failure, so the caller can leave digest watermarks where they
were. The SMTP password is read at the last moment and never appears in a message or a log.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from plnctl.config import SmtpSettings, read_secret
from plnctl.errors import ConfigError, DeliveryError, InvalidInput
from plnctl.files import check_target, write_atomic  # noqa: F401  (one helper for every file)
from plnctl.frozen import LazyData, frozen

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


@frozen
class Mail(LazyData):
    to: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    list_name: str | None = None  # the digest's name: List-Id and List-Unsubscribe


def build_message(mail: Mail, *, sender: str) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML second (clients show the last
    part they can render). Several recipients never see each other: the visible ``To:`` is
    the one address, or ``undisclosed-recipients:;`` with the addresses on the envelope only
    (a Bcc). A digest carries ``List-Id`` (filters) and ``List-Unsubscribe`` (a mailto to the
    sender, who runs the digest)."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid
    from urllib.parse import quote

    from plnctl.render.mailheaders import check_address, header_text

    message = EmailMessage()
    message["From"] = check_address(sender)
    message["To"] = check_address(mail.to[0]) if len(mail.to) == 1 else "undisclosed-recipients:;"
    message["Subject"] = header_text(mail.subject)
    if mail.list_name is not None:
        name = " ".join(re.sub(r"[^\w .-]+", " ", mail.list_name).split()) or "digest"
        domain = sender.rpartition("@")[2] or "localhost"
        label = re.sub(r"[^A-Za-z0-9-]+", "-", name).strip("-").lower() or "digest"
        message["List-Id"] = f"PLN digest ({name}) <{label}.pln-digest.{domain}>"
        subject = quote(f"unsubscribe {name}")
        message["List-Unsubscribe"] = f"<mailto:{sender}?subject={subject}>"
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


def send_mail(
    smtp: SmtpSettings,
    mail: Mail,
    *,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> dict[str, str]:
    """Send one message. Returns the recipients the server refused (address -> its reply);
    the others have it. Any other failure (unreachable, TLS, refused login, sender or message)
    raises DeliveryError with a one-line reason that names the setting to fix in
    ``config_file``."""
    import smtplib
    import ssl

    if not mail.to or any("@" not in address for address in mail.to):
        raise InvalidInput(f"not an email address: {', '.join(mail.to) or '(none)'}")
    sender = check_smtp(smtp)
    password = smtp_password(smtp, env) if smtp.user else None
    message = build_message(mail, sender=sender)
    where = f"{smtp.host}:{smtp.port}"
    fix = f" in {config_file}" if config_file else " in config.toml"
    try:
        with _connect(smtp) as client:
            if smtp.user:
                client.login(smtp.user, password or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=list(mail.to))
    except smtplib.SMTPAuthenticationError as e:
        raise DeliveryError(
            f"the mail server {where} refused the login for {smtp.user}: {_reply(e)} "
            f"(check [smtp] user, and the password in ${smtp.password_env} or the "
            f"[smtp] password_file{fix})"
        ) from None
    except smtplib.SMTPRecipientsRefused as e:
        return {addr: _reply_text(code, text) for addr, (code, text) in e.recipients.items()}
    except smtplib.SMTPSenderRefused as e:
        raise DeliveryError(
            f"the mail server {where} refused the sender {sender}: {_reply(e)} "
            f"(check [smtp] sender{fix})"
        ) from None
    except smtplib.SMTPResponseException as e:
        raise DeliveryError(f"the mail server {where} refused the message: {_reply(e)}") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as e:
        raise DeliveryError(
            f"could not send mail via {where}: {_one_line(e)} "
            f"(check [smtp] host, port and security{fix})"
        ) from None
    log.info("sent digest to %d recipient(s) via %s", len(mail.to) - len(refused), where)
    return {addr: _reply_text(code, text) for addr, (code, text) in refused.items()}


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
    return _reply_text(e.smtp_code, e.smtp_error)


def _reply_text(code: int, text: bytes | str) -> str:
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {_one_line(decoded)}"


def _one_line(e: object) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:300]
