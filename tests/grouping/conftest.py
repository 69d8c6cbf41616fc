from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401
