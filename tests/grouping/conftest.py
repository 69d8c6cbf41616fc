from tests.bluesky.conftest import appview  # noqa: F401
from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401
