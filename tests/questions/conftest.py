import pytest

from tests.bluesky.conftest import appview  # noqa: F401  (re-exported fixture)
from tests.servers.mastodon_server import MastodonMock, mastodon, mastodon_session  # noqa: F401


@pytest.fixture
def alice(mastodon: MastodonMock, monkeypatch: pytest.MonkeyPatch) -> MastodonMock:  # noqa: F811
    """Logged in to the mock as alice (through the environment, like a cron job would)."""
    monkeypatch.setenv("PLNCTL_MASTODON_TOKEN", "alice_token")
    monkeypatch.setenv("PLNCTL_MASTODON_INSTANCE", mastodon.host)
    return mastodon
