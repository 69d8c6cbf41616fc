"""A Bluesky account as a sync source: ``app.bsky.feed.getAuthorFeed`` paged by cursor."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from plnctl.errors import FetchError, InvalidInput, NotFound, ParseError
from plnctl.fetchers.bluesky.addresses import is_did, normalize_actor
from plnctl.fetchers.bluesky.client import Blocked, Missing, RateLimited, resolve_handle, xrpc_get
from plnctl.fetchers.bluesky.mapping import (
    display_name,
    feed_item_to_post,
    item_keys,
    withheld,
)
from plnctl.models import FetchOutcome, NewPost, Source

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.fetchers.http import HttpClient

log = logging.getLogger(__name__)
FEED_FILTER = (
    "posts_and_author_threads"  # own posts, reposts and self-threads; no replies to others
)


Key = tuple[str, str | None]  # an item's guid and feed time (mapping.item_keys)


async def _pages(
    client: HttpClient, appview: str, did: str, cursor: str | None, depth: int, size: int
) -> tuple[list[dict[str, Any]], list[Key], str | None]:
    """The newest page, then older pages until the stored cursor (the newest item time seen)
    is reached (incremental) or ``depth`` items were read (first sync). Returns the items,
    their guids and feed times (read once: paging, mapping and the listing all need them)
    and a warning when paging stopped early."""
    items: list[dict[str, Any]] = []
    keys: list[Key] = []
    params: dict[str, Any] = {"actor": did, "filter": FEED_FILTER, "limit": size}
    limit = depth if cursor is None else max(depth, size) * 5
    while True:
        try:
            page = await xrpc_get(client, appview, "app.bsky.feed.getAuthorFeed", params)
        except RateLimited as e:
            if not items:
                raise
            return items, keys, f"stopped paging: {e}"
        batch = page.get("feed")
        if not isinstance(batch, list):
            raise ParseError("the AppView sent an unexpected author feed page")
        kept = [i for i in batch if isinstance(i, dict) and isinstance(i.get("post"), dict)]
        found = item_keys(kept)
        items += kept
        keys += found
        next_cursor = page.get("cursor")
        if not batch or not isinstance(next_cursor, str) or len(items) >= limit:
            return items, keys, None
        known = [t for _, t in found if t]
        if cursor is not None and known and min(known) <= cursor:
            return items, keys, None
        params = {**params, "cursor": next_cursor}


def _own_profile(items: list[dict[str, Any]], did: str) -> dict[str, Any] | None:
    for item in items:
        author = item["post"].get("author")
        if isinstance(author, dict) and author.get("did") == did:
            return author
    return None


def _profile_updates(source: Source, profile: dict[str, Any] | None) -> dict[str, Any]:
    """A handle change is followed (the DID is the identity); names and avatars stay fresh."""
    if profile is None:
        return {}
    updates: dict[str, Any] = {}
    handle = profile.get("handle")
    if isinstance(handle, str) and handle and "@" + handle != source.handle:
        updates["handle"] = "@" + handle
        if source.title in (None, source.handle):
            updates["title"] = display_name(profile) or "@" + handle
    name = display_name(profile)
    if name and name != source.display_name:
        updates["display_name"] = name
    return updates


def _listing(keys: list[Key]) -> dict[str, Any]:
    """The pages are one unbroken slice of the author feed, newest first: a stored post of this
    source inside that time span that is no longer listed was deleted upstream."""
    known = [t for _, t in keys if t]
    if len(keys) < 2 or len(known) != len(keys):
        return {}
    return {"listed_span": (min(known), max(known)), "listed_guids": tuple(g for g, _ in keys)}


async def fetch_author(source: Source, client: HttpClient, settings: Settings) -> FetchOutcome:
    """One Bluesky source for the sync engine: never raises for network trouble."""
    appview = settings.bluesky.appview
    try:
        did = source.remote_id or normalize_actor(source.handle or source.url)
        if not is_did(did):
            did = await resolve_handle(client, appview, did)
        return await _fetch(source, client, settings, did)
    except InvalidInput as e:
        return FetchOutcome(status="failed", error=str(e))
    except RateLimited as e:
        return FetchOutcome(
            status="failed", http_status=429, retry_after=e.retry_after, error=str(e)
        )
    except (Missing, NotFound) as e:
        return FetchOutcome(status="gone", http_status=400, error=f"{source.label}: {e}")
    except Blocked as e:
        return FetchOutcome(status="failed", http_status=e.status, error=f"{source.label}: {e}")
    except (FetchError, ParseError) as e:
        return FetchOutcome(status="failed", http_status=getattr(e, "status", None), error=str(e))


async def _fetch(source: Source, client: HttpClient, settings: Settings, did: str) -> FetchOutcome:
    depth, size = settings.bluesky.history_depth, min(settings.bluesky.page_size, 100)
    items, keys, warning = await _pages(
        client,
        appview=settings.bluesky.appview,
        did=did,
        cursor=source.cursor,
        depth=depth,
        size=size,
    )
    profile = _own_profile(items, did)
    updates: dict[str, Any] = {"remote_id": did} if source.remote_id != did else {}
    updates.update(_profile_updates(source, profile))
    if profile is not None and withheld(profile):
        # The author asks logged-out clients not to show their posts: keep none of them.
        updates.update(withheld=True, cursor=None)
        return FetchOutcome(status="ok", http_status=200, source_updates=updates, purge_posts=True)
    if profile is not None and source.withheld:
        updates.update(withheld=False)
    posts: list[NewPost] = []
    for item, (_, stamp) in zip(items, keys, strict=True):
        if source.cursor is not None and stamp is not None and stamp <= source.cursor:
            continue  # stored already (Bluesky posts are not edited)
        try:
            post = feed_item_to_post(item)
        except Exception as e:  # one odd post never loses the others
            log.warning(
                "%s: skipped a post that could not be read (%s: %s)",
                source.label,
                type(e).__name__,
                e,
            )
            continue
        if post is not None:
            posts.append(post)
    newest = max((t for _, t in keys if t), default=None)
    if newest and (source.cursor is None or newest > source.cursor):
        updates["cursor"] = newest
    return FetchOutcome(
        status="ok",
        http_status=200,
        posts=tuple(posts),
        warning=warning,
        source_updates=updates,
        **_listing(keys),
    )
