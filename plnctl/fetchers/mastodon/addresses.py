"""Mastodon addresses: ``@user@host`` handles, profile URLs and instance base URLs.

Only loopback hosts (127.0.0.1, localhost, ::1) may use plain ``http://``: that is what the test
servers and benchmarks run on. Every other instance is reached over https.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from plnctl.errors import InvalidInput

_USER = r"[A-Za-z0-9_.-]+"
_HOST = r"[A-Za-z0-9.-]+(?::\d+)?|\[[0-9a-fA-F:]+\](?::\d+)?"
_HANDLE = re.compile(rf"^@?(?P<user>{_USER})@(?P<host>{_HOST})$")
_PROFILE_PATH = re.compile(rf"^/@(?P<user>{_USER})(?:@(?P<host>{_HOST}))?/?$")


def is_loopback(hostname: str | None) -> bool:
    if not hostname:
        return False
    name = hostname.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _hostname(netloc: str) -> str:
    return urlsplit(f"//{netloc}").hostname or ""


def default_scheme(netloc: str) -> str:
    return "http" if is_loopback(_hostname(netloc)) else "https"


def instance_base(host: str) -> str:
    """``mastodon.social`` -> ``https://mastodon.social``; ``127.0.0.1:8000`` -> ``http://...``.

    An explicit ``https://host`` is kept; an explicit ``http://`` only for loopback hosts.
    """
    text = host.strip().rstrip("/")
    if not text:
        raise InvalidInput("no Mastodon instance given (e.g. mastodon.social)")
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise InvalidInput(f"not a Mastodon instance: {host!r} (e.g. mastodon.social)")
        if parts.scheme == "http" and not is_loopback(parts.hostname):
            raise InvalidInput(f"refusing plain http for {parts.netloc}: use https://")
        return f"{parts.scheme}://{parts.netloc.lower()}"
    if "/" in text or "@" in text or " " in text:
        raise InvalidInput(f"not a Mastodon instance: {host!r} (e.g. mastodon.social)")
    return f"{default_scheme(text)}://{text.lower()}"


@dataclass(frozen=True)
class Address:
    """One account on its home instance."""

    username: str
    host: str  # netloc, lower case, with the port if any
    scheme: str = "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def acct(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def handle(self) -> str:
        return f"@{self.acct}"

    @property
    def profile_url(self) -> str:
        return f"{self.base_url}/@{self.username}"

    @property
    def rss_url(self) -> str:
        return f"{self.profile_url}.rss"


def parse_address(text: str) -> Address:
    """``@user@host``, ``user@host``, ``https://host/@user`` or ``https://host/@user@home``."""
    value = text.strip()
    match = _HANDLE.match(value)
    if match:
        host = match.group("host").lower()
        return Address(match.group("user"), host, default_scheme(host))
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "http://[zz/@x": an unclosed IPv6 bracket
        parts = urlsplit("")
    if parts.scheme in ("http", "https") and parts.netloc:
        path = _PROFILE_PATH.match(parts.path)
        if path and not parts.query:
            if path.group("host"):  # a remote account shown on another instance
                home = path.group("host").lower()
                return Address(path.group("user"), home, default_scheme(home))
            if parts.scheme == "http" and not is_loopback(parts.hostname):
                raise InvalidInput(f"refusing plain http for {parts.netloc}: use https://")
            return Address(path.group("user"), parts.netloc.lower(), parts.scheme)
    raise InvalidInput(
        f"not a Mastodon account: {text!r} (expected @user@host or https://host/@user)"
    )


def qualify(acct: str, host: str) -> str:
    """An ``acct`` from an instance's API (``user`` for its local accounts) -> ``user@host``."""
    acct = acct.strip().lstrip("@")
    return acct if "@" in acct else f"{acct}@{host}"
