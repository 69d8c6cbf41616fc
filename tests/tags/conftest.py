import socket

import pytest

from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401


@pytest.fixture
def dead_port_host() -> str:
    """A loopback host:port where nothing listens (an instance that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"
