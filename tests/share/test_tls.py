"""SMTP over STARTTLS and implicit TLS against aiosmtpd with a throwaway certificate for
127.0.0.1 (made by the openssl command line), trusted through SSL_CERT_FILE."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plnctl.config import SmtpSettings
from plnctl.deliver import Mail, send_mail
from plnctl.errors import DeliveryError
from tests.share.conftest import start_smtp

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
MAIL = Mail(to=("me@example.org",), subject="digest", text="plain", html="<p>html</p>")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


class _Collect:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.envelopes.append((session.ssl is not None, envelope))
        return "250 OK"


def _server(**options: Any) -> tuple[Any, _Collect]:
    handler = _Collect()
    return start_smtp(handler, **options), handler


@pytest.fixture
def trusted(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[ssl.SSLContext]:
    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    yield context


def _smtp(port: int, security: str) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, security=security,
                        sender="plnctl@example.org", timeout=5)  # fmt: skip


def test_starttls(trusted: ssl.SSLContext) -> None:
    controller, handler = _server(tls_context=trusted, require_starttls=True)
    try:
        send_mail(_smtp(controller.port, "starttls"), MAIL)
    finally:
        controller.stop()
    assert [encrypted for encrypted, _ in handler.envelopes] == [True]


def test_implicit_tls(trusted: ssl.SSLContext) -> None:
    controller, handler = _server(ssl_context=trusted)
    try:
        send_mail(_smtp(controller.port, "ssl"), MAIL)
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1


def test_untrusted_certificate_is_refused(
    trusted: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    controller, handler = _server(tls_context=trusted, require_starttls=True)
    try:
        with pytest.raises(DeliveryError, match="could not send mail"):
            send_mail(_smtp(controller.port, "starttls"), MAIL)
    finally:
        controller.stop()
    assert handler.envelopes == []


def test_starttls_is_never_silently_skipped() -> None:
    """A server that does not offer STARTTLS gets nothing when the config asks for it."""
    controller, handler = _server()
    try:
        with pytest.raises(DeliveryError, match="STARTTLS"):
            send_mail(_smtp(controller.port, "starttls"), MAIL)
    finally:
        controller.stop()
    assert handler.envelopes == []
