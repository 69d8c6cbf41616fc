"""Mastodon's public REST API over the shared async ``HttpClient`` (no Mastodon.py here: building
its typed objects costs ~160 ms of CPU per 40-status page, see benchmarks/bench_mastodon.py).

Rate limits are honoured per instance and per client: a 429, or ``X-RateLimit-Remaining: 0``,
blocks further requests to that host until the reset, so the remaining accounts on the same
instance fail fast with ``retry_after`` instead of hammering it; other instances are unaffected.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import urlencode, urlsplit

from plnctl import ingest
from plnctl.config import Settings
from plnctl.errors import FetchError, InvalidInput, NotFound, ParseError
from plnctl.fetchers.http import (
    HttpClient,
    HttpResponse,
    block_host,
    blocked_for,
    parse_retry_after,
)
from plnctl.fetchers.mastodon.addresses import Address, instance_base, parse_address
from plnctl.fetchers.mastodon.mapping import (
    account_fields,
    first_line_title,
    id_key,
    iso,
    parse_rate_limit_reset,
    status_guid,
    status_summary,
    status_to_post,
    utcnow,
)
from plnctl.models import FetchOutcome, Source

log = logging.getLogger(__name__)

JSON_ACCEPT = "application/json"
DEFAULT_WAIT = 300.0  # a 429 without any reset hint: Mastodon's window is 5 minutes


class RateLimited(FetchError):
    pass


class Refused(FetchError):
    """401/403: the instance does not serve this to anonymous clients."""


class Gone(FetchError):
    """404/410: the account or status does not exist (any more)."""


def _wait_hint(response: HttpResponse) -> float | None:
    now = utcnow()
    headers = response.headers
    return parse_retry_after(headers.get("retry-after"), now) or parse_rate_limit_reset(
        headers.get("x-ratelimit-reset"), now
    )


async def api_get(
    client: HttpClient, base_url: str, path: str, params: dict[str, Any] | None = None
) -> tuple[HttpResponse, Any]:
    """GET a Mastodon API path and decode its JSON; statuses map to the errors above."""
    host = urlsplit(base_url).netloc
    wait = blocked_for(client, host)
    if wait > 0:
        raise RateLimited(
            f"{host} rate limit reached; retry in {wait:.0f} s", status=429, retry_after=wait
        )
    query = f"?{urlencode(params)}" if params else ""
    response = await client.get(f"{base_url}{path}{query}", accept=JSON_ACCEPT)
    status = response.status
    if status == 429:
        wait = _wait_hint(response) or DEFAULT_WAIT
        block_host(client, host, wait)
        raise RateLimited(
            f"{host} rate limit (HTTP 429); retry in {wait:.0f} s", status=429, retry_after=wait
        )
    if response.headers.get("x-ratelimit-remaining", "").strip() == "0":
        block_host(client, host, _wait_hint(response) or DEFAULT_WAIT)
    if status in (401, 403):
        raise Refused(f"{host} refuses anonymous API access (HTTP {status})", status=status)
    if status in (404, 410):
        raise Gone(f"{host} answered HTTP {status} for {path}", status=status)
    if status != 200:
        raise FetchError(f"{host} answered HTTP {status}", status=status)
    try:
        return response, json.loads(response.body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ParseError(f"{host} sent invalid JSON for {path}: {e}") from None


async def lookup_account(client: HttpClient, address: Address) -> dict[str, Any]:
    """The Account on its home instance; NotFound when it has no such user."""
    try:
        _, account = await api_get(
            client, address.base_url, "/api/v1/accounts/lookup", {"acct": address.username}
        )
    except Gone:
        raise NotFound(f"no Mastodon account {address.handle}") from None
    if not isinstance(account, dict) or "id" not in account:
        raise ParseError(f"{address.host} sent an unexpected account lookup answer")
    return account


async def webfinger(client: HttpClient, address: Address) -> Address | None:
    """Where an account really lives, from WebFinger on its address's domain: a handle like
    ``@ada@ada.example`` may be hosted on ``social.example``. None when the domain does not say."""
    from plnctl.fetchers.mastodon.addresses import default_scheme

    query = urlencode({"resource": f"acct:{address.acct}"})
    url = f"{address.base_url}/.well-known/webfinger?{query}"
    try:
        response = await client.get(url, accept="application/jrd+json, application/json")
        document = json.loads(response.body) if response.status == 200 else None
    except (FetchError, ValueError):
        return None
    links = document.get("links") if isinstance(document, dict) else None
    for link in links if isinstance(links, list) else ():
        href = link.get("href") if isinstance(link, dict) else None
        if link.get("rel") != "self" or not isinstance(href, str):
            continue
        parts = urlsplit(href)
        user = parts.path.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
        if parts.netloc and user and parts.netloc.lower() != address.host:
            home = parts.netloc.lower()
            return Address(user, home, default_scheme(home))
    return None


async def _status_pages(
    client: HttpClient, address: Address, account_id: str, cursor: str | None, depth: int, size: int
) -> tuple[list[dict[str, Any]], str | None]:
    """The newest page (so recent edits show up), then older pages until the cursor is reached
    (incremental) or ``depth`` statuses were read (first fetch). Returns statuses and a warning."""
    path = f"/api/v1/accounts/{account_id}/statuses"
    statuses: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": size}
    limit = depth if cursor is None else max(depth, size) * 5
    while True:
        try:
            _, page = await api_get(client, address.base_url, path, params)
        except RateLimited as e:
            if not statuses:
                raise
            return statuses, f"stopped paging: {e}"
        if not isinstance(page, list):
            raise ParseError(f"{address.host} sent an unexpected statuses answer")
        statuses.extend(s for s in page if isinstance(s, dict) and s.get("id"))
        if len(page) < size or not statuses or len(statuses) >= limit:
            return statuses, None
        oldest = min((str(s["id"]) for s in statuses), key=id_key)
        if cursor is not None and id_key(oldest) <= id_key(cursor):
            return statuses, None
        params = {"limit": size, "max_id": oldest}


def _profile_updates(statuses: list[dict[str, Any]], source: Source, address: Address) -> dict:
    """Display name, avatar, opt-outs and moves ride along on every status: keep them fresh."""
    for status in statuses:
        account = status.get("account")
        if isinstance(account, dict) and str(account.get("id")) == source.remote_id:
            fields = account_fields(account, address)
            fields.pop("handle")
            fields.pop("remote_id")
            if source.title and source.title != source.handle:
                fields.pop("title")
            if fields["moved_to"]:
                fields["state"] = "moved"
            return fields
    return {}


async def _via_rss(client: HttpClient, address: Address, refused: FetchError) -> FetchOutcome:
    from plnctl.fetchers.feed import FEED_ACCEPT, parse_feed

    response = await client.get(address.rss_url, accept=FEED_ACCEPT)
    if response.status != 200:
        return FetchOutcome(
            status="failed",
            http_status=response.status,
            error=f"{refused}; its public RSS answered HTTP {response.status}",
        )
    parsed = parse_feed(response.body, url=response.url, headers=response.headers)
    posts = tuple(
        replace(p, kind="status", title=p.title or first_line_title(p.content_text or ""))
        for p in parsed.entries
    )
    return FetchOutcome(status="ok", http_status=200, posts=posts, source_updates={"via_rss": True})


def _worth_mapping(status: dict[str, Any], cursor: str | None) -> bool:
    """New since the cursor, or edited: older unedited statuses are stored already, and mapping
    (sanitizing) them again would be most of an incremental sync's CPU."""
    if cursor is None or id_key(str(status["id"])) > id_key(cursor):
        return True
    boosted = status.get("reblog")
    original: dict[str, Any] = boosted if isinstance(boosted, dict) else status
    return bool(original.get("edited_at"))


async def fetch_account(source: Source, client: HttpClient, settings: Settings) -> FetchOutcome:
    """One Mastodon source for the sync engine: never raises for network trouble."""
    try:
        address = parse_address(source.handle or source.url)
    except InvalidInput as e:
        return FetchOutcome(status="failed", error=str(e))
    try:
        return await _fetch(source, client, settings, address)
    except Refused as e:
        try:
            return await _via_rss(client, address, e)
        except (FetchError, ParseError) as rss_error:
            return FetchOutcome(status="failed", http_status=e.status, error=str(rss_error))
    except RateLimited as e:
        return FetchOutcome(
            status="failed", http_status=429, retry_after=e.retry_after, error=str(e)
        )
    except (Gone, NotFound) as e:
        status = getattr(e, "status", None) or 404
        return FetchOutcome(status="gone", http_status=status, error=f"{address.handle}: {e}")
    except (FetchError, ParseError) as e:
        return FetchOutcome(status="failed", http_status=getattr(e, "status", None), error=str(e))


async def _fetch(
    source: Source, client: HttpClient, settings: Settings, address: Address
) -> FetchOutcome:
    updates: dict[str, Any] = {}
    remote_id = source.remote_id
    if not remote_id:
        account = await lookup_account(client, address)
        updates = account_fields(account, address)
        remote_id = updates["remote_id"]
        if updates["moved_to"]:
            return FetchOutcome(status="ok", source_updates={**updates, "state": "moved"})
    depth, size = settings.mastodon.history_depth, min(settings.mastodon.page_size, 40)
    statuses, warning = await _status_pages(client, address, remote_id, source.cursor, depth, size)
    batch = ingest.Batch()  # a status of the wrong shape is skipped and named, not fatal
    for status in statuses:
        if _worth_mapping(status, source.cursor):
            batch.add(status, partial(status_to_post, status, address))
    newest = max((str(s["id"]) for s in statuses), key=id_key, default=None)
    if newest and (source.cursor is None or id_key(newest) > id_key(source.cursor)):
        updates["cursor"] = newest
    updates.update(_profile_updates(statuses, replace(source, remote_id=remote_id), address))
    if source.via_rss:
        updates["via_rss"] = False
    log.debug("%s: %d statuses", address.handle, len(statuses))
    return FetchOutcome(
        status="ok", http_status=200, posts=batch.entries, warning=batch.warning(warning),
        source_updates=updates,
        **_listing(statuses),
    )  # fmt: skip


def _listing(statuses: list[dict[str, Any]]) -> dict[str, Any]:
    """The pages are one unbroken slice of the account's timeline (no filters, paged by id), so
    the store can tell which of its posts in that time span the instance no longer lists."""
    raw = [str(s.get("created_at") or "") for s in statuses]
    if len(statuses) < 2 or not all(raw):
        return {}
    # One instance writes every created_at in the same ISO 8601 form, so the text sorts like
    # the time: parse only the two ends.
    oldest, newest = iso(min(raw)), iso(max(raw))
    if not oldest or not newest:
        return {}
    return {
        "listed_span": (oldest, newest),
        "listed_guids": tuple(ingest.clean_guid(status_guid(s)) or "" for s in statuses),
    }


def _status_ref(ref: str | tuple[str, str]) -> tuple[str, str]:
    """``https://host/@user/123`` or ``(host, "123")`` -> (base URL, status id)."""
    if isinstance(ref, tuple):
        return instance_base(ref[0]), str(ref[1]).strip()
    parts = urlsplit(ref.strip())
    status_id = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not parts.netloc or not status_id.isdigit():
        raise InvalidInput(f"not a Mastodon status URL: {ref!r} (expected https://host/@user/ID)")
    return instance_base(f"{parts.scheme}://{parts.netloc}"), status_id


async def fetch_status(client: HttpClient, ref: str | tuple[str, str]) -> dict[str, Any]:
    """One status as a plain dict (see ``mapping.status_summary``); NotFound if deleted."""
    base, status_id = _status_ref(ref)
    try:
        _, status = await api_get(client, base, f"/api/v1/statuses/{status_id}")
    except Gone:
        raise NotFound(f"no Mastodon status {status_id} on {urlsplit(base).netloc}") from None
    return status_summary(status, urlsplit(base).netloc)


async def fetch_context(client: HttpClient, host: str, status_id: str) -> list[dict[str, Any]]:
    """The replies below a status (descendants), as plain dicts in the order the server gives.
    Mastodon's context endpoint is not paginated; one request returns the whole visible tree."""
    base = instance_base(host)
    try:
        _, context = await api_get(client, base, f"/api/v1/statuses/{status_id}/context")
    except Gone:
        raise NotFound(f"no Mastodon status {status_id} on {urlsplit(base).netloc}") from None
    netloc = urlsplit(base).netloc
    descendants = context.get("descendants") if isinstance(context, dict) else None
    replies = []
    for status in descendants if isinstance(descendants, list) else ():
        try:
            replies.append(status_summary(status, netloc))
        except Exception:  # a reply of the wrong shape: skip it, keep the thread
            log.warning("skipping a malformed reply in %s's thread %s", netloc, status_id)
    return replies
