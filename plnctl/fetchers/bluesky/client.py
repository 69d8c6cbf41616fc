"""The public Bluesky AppView over XRPC (plain HTTPS GETs, no auth) on the shared ``HttpClient``.

No atproto SDK: it costs seconds of import and pulls pydantic, and the handful of read-only
queries we need are plain JSON (benchmarks/bench_bluesky.py measures the mapping cost).

Rate limits: a 429, or ``RateLimit-Remaining: 0``, blocks further requests to the AppView
until ``RateLimit-Reset`` (epoch seconds) or Retry-After, so the remaining accounts fail fast
with ``retry_after`` instead of hammering it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from plnctl.errors import FetchError, NotFound, ParseError
from plnctl.fetchers.http import HttpClient, block_host, blocked_for, parse_retry_after

DEFAULT_WAIT = 300.0  # a 429 without a usable reset: the AppView's window is 5 minutes
# XRPC error names that mean "this account or record is not there (any more)".
_MISSING = {"NotFound", "ActorNotFound", "AccountDeactivated", "AccountTakedown", "RecordNotFound"}


class RateLimited(FetchError):
    pass


class Missing(NotFound):
    """The AppView says the actor or record does not exist, or is deactivated/taken down."""


class Blocked(FetchError):
    """The actor blocks logged-out viewers or was blocked (BlockedActor, BlockedByActor)."""


def _reset_wait(headers: Any) -> float | None:
    now = datetime.now(UTC)
    hint = parse_retry_after(headers.get("retry-after"), now)
    if hint is not None:
        return hint
    reset = (headers.get("ratelimit-reset") or "").strip()
    if reset.isdigit():
        return max(0.0, float(reset) - now.timestamp())
    return None


async def xrpc_get(
    client: HttpClient, appview: str, nsid: str, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    """GET ``/xrpc/NSID`` on the AppView and decode the JSON object it returns."""
    host = urlsplit(appview).netloc
    wait = blocked_for(client, host)
    if wait > 0:
        raise RateLimited(
            f"{host} rate limit reached; retry in {wait:.0f} s", status=429, retry_after=wait
        )
    query = f"?{urlencode(params, doseq=True)}" if params else ""
    response = await client.get(
        f"{appview.rstrip('/')}/xrpc/{nsid}{query}", accept="application/json"
    )
    if response.status == 429:
        wait = _reset_wait(response.headers) or DEFAULT_WAIT
        block_host(client, host, wait)
        raise RateLimited(
            f"{host} rate limit (HTTP 429); retry in {wait:.0f} s", status=429, retry_after=wait
        )
    if response.headers.get("ratelimit-remaining", "").strip() == "0":
        block_host(client, host, _reset_wait(response.headers) or DEFAULT_WAIT)
    try:
        document = json.loads(response.body) if response.body else {}
    except (ValueError, UnicodeDecodeError):
        document = None
    if response.status != 200:
        raise _error(host, nsid, response.status, document)
    if not isinstance(document, dict):
        raise ParseError(f"{host} sent an unexpected answer to {nsid}")
    return document


def _error(host: str, nsid: str, status: int, document: Any) -> FetchError | Missing:
    name = str(document.get("error") or "") if isinstance(document, dict) else ""
    message = str(document.get("message") or "") if isinstance(document, dict) else ""
    detail = ": ".join(part for part in (name, message[:200]) if part) or f"HTTP {status}"
    if name in _MISSING or (status == 400 and "not found" in message.lower()):
        return Missing(f"{host}: {detail}")
    if name in ("BlockedActor", "BlockedByActor"):
        return Blocked(f"{host}: {detail}", status=status)
    return FetchError(f"{host} answered {nsid} with {detail}", status=status)


async def resolve_handle(client: HttpClient, appview: str, handle: str) -> str:
    document = await xrpc_get(
        client, appview, "com.atproto.identity.resolveHandle", {"handle": handle}
    )
    did = document.get("did")
    if not isinstance(did, str) or not did.startswith("did:"):
        raise ParseError(f"{urlsplit(appview).netloc} did not resolve {handle}")
    return did


async def get_profile(client: HttpClient, appview: str, actor: str) -> dict[str, Any]:
    try:
        return await xrpc_get(client, appview, "app.bsky.actor.getProfile", {"actor": actor})
    except Missing:
        raise NotFound(f"no Bluesky account {actor}") from None


async def get_profiles(client: HttpClient, appview: str, actors: list[str]) -> list[dict[str, Any]]:
    """Profiles of many actors, 25 to a request (the lexicon's maximum)."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(actors), 25):
        chunk = actors[start : start + 25]
        document = await xrpc_get(client, appview, "app.bsky.actor.getProfiles", {"actors": chunk})
        found += [p for p in document.get("profiles") or () if isinstance(p, dict)]
    return found


async def paged(
    client: HttpClient, appview: str, nsid: str, params: dict[str, Any], key: str, *, most: int
) -> list[Any]:
    """Follow ``cursor`` through a list query until ``most`` items or the end."""
    items: list[Any] = []
    cursor: str | None = None
    while len(items) < most:
        page = await xrpc_get(
            client, appview, nsid, {**params, **({"cursor": cursor} if cursor else {})}
        )
        batch = page.get(key)
        if not isinstance(batch, list):
            raise ParseError(f"{urlsplit(appview).netloc} sent an unexpected {nsid} page")
        items += batch
        next_cursor = page.get("cursor")
        if not batch or not isinstance(next_cursor, str) or next_cursor == cursor:
            break
        cursor = next_cursor
    return items[:most]
