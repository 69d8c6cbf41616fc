from tests.servers.feed_server import feed_server  # noqa: F401  (re-exported fixture)
from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401
