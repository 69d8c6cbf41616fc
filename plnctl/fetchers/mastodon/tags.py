"""A followed hashtag on one Mastodon instance: its public tag timeline
(``/api/v1/timelines/tag/NAME``), or ``/tags/NAME.rss`` where the instance keeps the API for
logged-in users. Posts come from many authors; an author who opted out (``noindex``,
``#nobot``) is not collected at all."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from plnctl.errors import FetchError, InvalidInput, NotFound, ParseError
from plnctl.fetchers.mastodon.addresses import Address, instance_base
from plnctl.fetchers.mastodon.client import Gone, RateLimited, Refused, api_get
from plnctl.fetchers.mastodon.mapping import id_key, opted_out, status_to_post
from plnctl.models import FetchOutcome, NewPost, Source

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.fetchers.http import HttpClient

_TAG = re.compile(r"^\w{1,100}$")


def normalize_tag(text: str) -> str:
    """``#EdChat`` / ``edchat`` -> ``edchat`` (Mastodon tags are case-insensitive)."""
    name = text.strip().removeprefix("#")
    if not _TAG.match(name) or name.isdigit():
        raise InvalidInput(f"not a hashtag: {text!r} (letters, digits and _ only, e.g. #edchat)")
    return name.lower()


def tag_url(tag: str, instance: str) -> str:
    """The source URL of a followed tag: the instance's tag page."""
    return f"{instance_base(instance)}/tags/{quote(normalize_tag(tag))}"


def parse_tag_url(url: str) -> tuple[Address, str]:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) != 2 or segments[0] != "tags" or not parts.netloc:
        raise InvalidInput(f"not a followed hashtag address: {url!r}")
    return Address("", parts.netloc.lower(), parts.scheme), unquote(segments[1])


async def _pages(
    client: HttpClient, address: Address, tag: str, cursor: str | None, depth: int
) -> list[dict[str, Any]]:
    """First sync: the newest page. Afterwards: forward from the cursor with ``min_id`` (no gap
    after a busy day), at most ``depth`` statuses."""
    path = f"/api/v1/timelines/tag/{quote(tag)}"
    statuses: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 40}
    if cursor:
        params["min_id"] = cursor
    while True:
        _, page = await api_get(client, address.base_url, path, params)
        if not isinstance(page, list):
            raise ParseError(f"{address.host} sent an unexpected tag timeline")
        batch = [s for s in page if isinstance(s, dict) and s.get("id")]
        statuses += batch
        if not cursor or len(batch) < 40 or len(statuses) >= depth:
            return statuses
        params = {"limit": 40, "min_id": max((str(s["id"]) for s in batch), key=id_key)}


def _posts(statuses: list[dict[str, Any]], address: Address) -> list[NewPost]:
    posts = []
    for status in statuses:
        account = status.get("account")
        if not isinstance(account, dict) or opted_out(account):
            continue  # consent: #nobot / noindex authors are not collected from a tag
        try:
            posts.append(status_to_post(status, address))
        except (TypeError, ValueError, AttributeError):
            continue  # one odd status never loses the others
    return posts


async def _via_rss(
    client: HttpClient, address: Address, tag: str, refused: Exception
) -> FetchOutcome:
    from plnctl.fetchers.feed import FEED_ACCEPT, parse_feed

    response = await client.get(f"{address.base_url}/tags/{quote(tag)}.rss", accept=FEED_ACCEPT)
    if response.status != 200:
        error = f"{refused}; its #{tag} RSS answered HTTP {response.status}"
        return FetchOutcome(status="failed", http_status=response.status, error=error)
    parsed = parse_feed(response.body, url=response.url, headers=response.headers)
    posts = tuple(replace(p, kind="status") for p in parsed.entries)
    return FetchOutcome(status="ok", http_status=200, posts=posts, source_updates={"via_rss": True})


async def fetch_tag(source: Source, client: HttpClient, settings: Settings) -> FetchOutcome:
    """One followed hashtag for the sync engine: never raises for network trouble."""
    try:
        address, tag = parse_tag_url(source.url)
    except InvalidInput as e:
        return FetchOutcome(status="failed", error=str(e))
    try:
        statuses = await _pages(
            client, address, tag, source.cursor, settings.mastodon.history_depth
        )
    except Refused as e:
        try:
            return await _via_rss(client, address, tag, e)
        except (FetchError, ParseError) as rss_error:
            return FetchOutcome(status="failed", http_status=e.status, error=str(rss_error))
    except RateLimited as e:
        return FetchOutcome(
            status="failed", http_status=429, retry_after=e.retry_after, error=str(e)
        )
    except (Gone, NotFound) as e:
        return FetchOutcome(status="failed", http_status=getattr(e, "status", 404), error=str(e))
    except (FetchError, ParseError) as e:
        return FetchOutcome(status="failed", http_status=getattr(e, "status", None), error=str(e))
    updates: dict[str, Any] = {"via_rss": False} if source.via_rss else {}
    newest = max((str(s["id"]) for s in statuses), key=id_key, default=None)
    if newest and (source.cursor is None or id_key(newest) > id_key(source.cursor)):
        updates["cursor"] = newest
    posts = _posts(statuses, address)
    return FetchOutcome(status="ok", http_status=200, posts=tuple(posts), source_updates=updates)
