"""Bluesky through the public AppView (XRPC over the shared async ``HttpClient``; no SDK).

Public functions other modules rely on:

``async fetch_author(source, client, settings) -> FetchOutcome``
    The sync engine's entry for ``SourceKind.BLUESKY``: ``getAuthorFeed`` (filter
    ``posts_and_author_threads``), newest page first, paging back to ``source.cursor`` (the
    newest item time seen) or ``[bluesky] history_depth`` items on the first sync.
    ``source_updates``: ``remote_id`` (the DID), ``handle`` when it changed, ``cursor``,
    ``withheld`` (the author's ``!no-unauthenticated`` self-label: no posts are kept).

``normalize_actor(text)``, ``looks_like_bluesky(text)``, ``parse_web_record(...)``
    Handles, DIDs and bsky.app URLs (pure).

``async get_profile / get_profiles / resolve_handle / paged / xrpc_get``
    The read-only queries behind ``person add --bluesky``, imports and questions.
"""

from plnctl.fetchers.bluesky.addresses import (
    AtUri,
    is_did,
    looks_like_bluesky,
    normalize_actor,
    parse_at_uri,
    parse_web_record,
    post_url,
    profile_url,
)
from plnctl.fetchers.bluesky.author import fetch_author
from plnctl.fetchers.bluesky.client import (
    Blocked,
    Missing,
    RateLimited,
    get_profile,
    get_profiles,
    paged,
    resolve_handle,
    xrpc_get,
)
from plnctl.fetchers.bluesky.mapping import (
    feed_item_to_post,
    post_view_summary,
    profile_fields,
    thread_replies,
    withheld,
)

__all__ = [
    "AtUri",
    "Blocked",
    "Missing",
    "RateLimited",
    "feed_item_to_post",
    "fetch_author",
    "get_profile",
    "get_profiles",
    "is_did",
    "looks_like_bluesky",
    "normalize_actor",
    "paged",
    "parse_at_uri",
    "parse_web_record",
    "post_url",
    "post_view_summary",
    "profile_fields",
    "profile_url",
    "resolve_handle",
    "thread_replies",
    "withheld",
    "xrpc_get",
]
