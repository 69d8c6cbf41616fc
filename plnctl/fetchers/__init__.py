"""Network in, plain data out: one module per source kind, and ``fetch_source`` to dispatch.

Importing this package is cheap; httpx, feedparser and the Mastodon code are imported only
when a fetch happens, so ``plnctl --help`` never pays for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from plnctl.errors import PlnError, innermost
from plnctl.models import FetchOutcome, Source, SourceKind

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.fetchers.feed import ParseFn
    from plnctl.fetchers.http import HttpClient

log = logging.getLogger(__name__)

Fetcher = Callable[["Source", "HttpClient", "Settings"], Awaitable[FetchOutcome]]


def _mastodon_fetcher() -> Fetcher | None:
    try:
        from plnctl.fetchers.mastodon import fetch_account
    except ImportError:
        return None
    return fetch_account


def _tag_fetcher() -> Fetcher | None:
    from plnctl.fetchers.mastodon.tags import fetch_tag

    return fetch_tag


def _bluesky_fetcher() -> Fetcher | None:
    from plnctl.fetchers.bluesky import fetch_author

    return fetch_author


# Fetchers for kinds other than feeds, looked up on first use.
FETCHERS: dict[SourceKind, Callable[[], Fetcher | None]] = {
    SourceKind.MASTODON: _mastodon_fetcher,
    SourceKind.BLUESKY: _bluesky_fetcher,
    SourceKind.TAG: _tag_fetcher,
}


async def fetch_source(
    source: Source, client: HttpClient, settings: Settings, *, parse: ParseFn | None = None
) -> FetchOutcome:
    """Fetch one source of any kind. Never raises (except cancellation): every problem,
    including a bug in a fetcher, becomes a ``failed`` outcome with a one-line error."""
    from plnctl.fetchers.feed import fetch_feed

    budget = settings.sync.deadline * 4  # several requests (Mastodon pages), one deadline each
    try:
        async with asyncio.timeout(budget):
            if source.kind is SourceKind.FEED:
                if parse is None:
                    return await fetch_feed(source, client)
                return await fetch_feed(source, client, parse=parse)
            fetcher = FETCHERS.get(source.kind, lambda: None)()
            if fetcher is None:
                error = f"{source.kind} sources cannot be fetched by this version of plnctl"
                return FetchOutcome("failed", error=error)
            return await fetcher(source, client, settings)
    except TimeoutError:
        return FetchOutcome("failed", error=f"timed out: gave up after {budget:g} s")
    except PlnError as e:
        status, retry = getattr(e, "status", None), getattr(e, "retry_after", None)
        return FetchOutcome("failed", status, error=str(e), retry_after=retry)
    except Exception as e:
        log.exception("fetching %s failed unexpectedly", source.label)
        inner = innermost(e)  # anyio's task-group wrapper says nothing; its one error does
        return FetchOutcome("failed", error=f"internal error: {type(inner).__name__}: {inner}")
