"""Mastodon over plain async HTTP (httpx via ``plnctl.fetchers.http``); Mastodon.py is used only
in ``plnctl.mastodon_auth`` (login, posting, the logged-in following list).

Public functions other modules rely on:

``async fetch_account(source, client, settings) -> FetchOutcome``
    The sync engine's entry for ``SourceKind.MASTODON``. Reads the newest page of
    ``/api/v1/accounts/:id/statuses`` (so recent edits are seen) and pages back until
    ``source.cursor`` (the newest id seen) or, on the first fetch, up to
    ``settings.mastodon.history_depth`` statuses. ``source_updates``: ``cursor``, profile
    fields (display_name, avatar_url, bot, noindex, moved_to, profile_fields), ``state="moved"``
    for a moved account, ``via_rss`` True/False. 401/403 -> the public ``/@user.rss`` feed;
    429 -> ``status="failed"`` with ``retry_after``; 404/410 -> ``status="gone"``. Never raises
    for network trouble.

``async fetch_status(client, "https://host/@user/ID" | (host, id)) -> dict``
``async fetch_context(client, host, status_id) -> list[dict]`` (the descendants)
    Plain dicts: ``id, url, uri, account {id, acct (user@host), display_name, url},
    content_html (sanitized), content_text, created_at, edited_at, in_reply_to_id,
    in_reply_to_account_id, visibility``. A deleted status raises ``NotFound``.

``async lookup_account(client, address) -> dict`` and ``parse_address(text) -> Address``
    Resolve ``@user@host`` / ``https://host/@user`` on the account's home instance.

Hosts: ``instance_base("mastodon.social")`` is https; loopback hosts (``127.0.0.1:PORT``,
``localhost``) are http so tests and benchmarks can use local servers, and only they.
"""

from plnctl.fetchers.mastodon.addresses import (
    Address,
    instance_base,
    is_loopback,
    parse_address,
    qualify,
)
from plnctl.fetchers.mastodon.client import (
    Gone,
    RateLimited,
    Refused,
    api_get,
    fetch_account,
    fetch_context,
    fetch_status,
    lookup_account,
    webfinger,
)
from plnctl.fetchers.mastodon.mapping import (
    account_fields,
    opted_out,
    parse_rate_limit_reset,
    status_summary,
    status_to_post,
)

__all__ = [
    "Address",
    "Gone",
    "RateLimited",
    "Refused",
    "account_fields",
    "api_get",
    "fetch_account",
    "fetch_context",
    "fetch_status",
    "instance_base",
    "is_loopback",
    "lookup_account",
    "opted_out",
    "parse_address",
    "parse_rate_limit_reset",
    "qualify",
    "status_summary",
    "status_to_post",
    "webfinger",
]
