"""Fixtures for the Mastodon tests: the session's mastodon_mock server, reset per test."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401


@pytest.fixture
def dead_host() -> str:
    """A loopback host:port where nothing listens (an instance that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"


@pytest.fixture
def small_pages(isolated_home: Path) -> None:
    """Pages of 2 statuses and a history depth of 5, so paging shows with a few posts."""
    (isolated_home / "config.toml").write_text("[mastodon]\nhistory_depth = 5\npage_size = 2\n")
