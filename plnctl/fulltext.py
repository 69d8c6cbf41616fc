"""Full text, politely: after a sync, fetch the article page of each new post of the sources
that ask for it and keep its main text (for search and the reader; digests keep the author's
own summary).

Politeness is the feed sync's: the same ``HttpClient`` (per-host and global limits, size cap,
redirect and address checks) with conditional GET for a page fetched before, robots.txt read
once per host (RFC 9309: a 4xx allows everything, a 5xx or no answer nothing), and the page's
``noindex`` honoured. Off by default; never for Mastodon or Bluesky, whose posts are whole.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from plnctl.models import FullTextReport, Source, SourceKind
from plnctl.store import pages as pages_db
from plnctl.store import people as people_db
from plnctl.timeutil import now, now_iso, to_iso

if TYPE_CHECKING:
    import asyncio
    from urllib.robotparser import RobotFileParser

    from plnctl.config import Settings
    from plnctl.fetchers.http import HttpClient
    from plnctl.store import Store
    from plnctl.store.pages import PageJob, PageResult

log = logging.getLogger(__name__)

# [sync] full_text names source kinds: every feed, or feeds of a platform known for excerpts
# (matched by the feed's host; a custom domain is turned on with `source edit --full-text`).
PLATFORM_HOSTS = {
    "substack": ("substack.com",),
    "medium": ("medium.com",),
    "blogger": ("blogspot.com", "blogger.com"),
    "wordpress": ("wordpress.com",),
}
BACKFILL = timedelta(days=7)  # turning it on also fetches the posts of the last week
PAGES_PER_SYNC = 200  # the newest first; the rest wait for the next sync
PAGE_MAX_BYTES = 3_000_000
MAX_TEXT = 200_000
_ERRORS_SHOWN = 5


def wants_full_text(source: Source, kinds: tuple[str, ...]) -> bool:
    """The source's own choice (``source edit --full-text``), else ``[sync] full_text``."""
    if source.kind is not SourceKind.FEED:
        return False
    if source.full_text is not None:
        return source.full_text
    if "feed" in kinds:
        return True
    if not kinds:  # the default: asked once per source after every sync, so no URL parsing
        return False
    host = (urlsplit(source.url).hostname or "").lower()
    return any(
        host == suffix or host.endswith("." + suffix)
        for kind in kinds
        for suffix in PLATFORM_HOSTS.get(kind, ())
    )


def fetch_pages(store: Store, settings: Settings, *, limit: int = PAGES_PER_SYNC) -> FullTextReport:
    """Fetch the pages still needed, store what they say, and report counts."""
    kinds = settings.sync.full_text
    # With no [sync] full_text (the default) only sources that asked for it can want it: the
    # one query after every sync then reads those, not every source.
    candidates = people_db.list_sources(store) if kinds else people_db.full_text_sources(store)
    sources = [s for s in candidates if wants_full_text(s, kinds)]
    jobs = pages_db.pending(
        store, [s.id for s in sources], since=to_iso(now() - BACKFILL) or now_iso(), limit=limit
    )
    if not jobs:
        return FullTextReport()
    import asyncio  # here, as the fetching below: a sync with no page to fetch needs neither

    results = asyncio.run(_fetch_all(jobs, settings))
    with store.transaction():
        pages_db.record(store, results, at=now_iso())
    return _report(results)


async def _fetch_all(jobs: list[PageJob], settings: Settings) -> list[PageResult]:
    import asyncio

    from plnctl.fetchers.http import HttpClient, HttpSettings

    http = HttpSettings.from_settings(settings.sync)
    http = replace(http, max_bytes=min(http.max_bytes, PAGE_MAX_BYTES))
    async with HttpClient(http) as client:
        robots = _Robots(client)
        return list(await asyncio.gather(*(_one(client, robots, job) for job in jobs)))


async def _one(client: HttpClient, robots: _Robots, job: PageJob) -> PageResult:
    import asyncio

    from plnctl import ingest
    from plnctl.errors import FetchError
    from plnctl.fetchers import article

    def result(status: str, detail: str | None = None, **more: str | None) -> PageResult:
        return pages_db.PageResult(job.post_id, job.url, status, detail=detail, **more)

    try:
        if not await robots.allows(job.url):
            return result("robots", "robots.txt asks plnctl not to fetch it")
        response = await client.get(
            job.url,
            etag=job.etag if job.had_text else None,
            last_modified=job.last_modified if job.had_text else None,
            accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        )
    except FetchError as e:
        return result("failed", str(e))
    if response.status == 304:
        return result("unchanged")
    if response.status != 200:
        return result("failed", f"the page answered HTTP {response.status}")
    found = await asyncio.to_thread(article.extract, response)
    text = ingest.clean_text(found.text, limit=MAX_TEXT)
    if found.status == "ok" and text is None:
        return result("empty", "no article text found on the page")
    return result(
        found.status,
        found.detail,
        text=text,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


class _Robots:
    """robots.txt of each host, fetched once per run through the same polite client."""

    def __init__(self, client: HttpClient):
        self.client = client
        self.rules: dict[str, asyncio.Task[RobotFileParser]] = {}

    async def allows(self, url: str) -> bool:
        import asyncio

        from plnctl.fetchers.article import robots_allow

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.rules:
            self.rules[origin] = asyncio.ensure_future(self._load(origin))
        return robots_allow(await self.rules[origin], url)

    async def _load(self, origin: str) -> RobotFileParser:
        from plnctl.errors import FetchError
        from plnctl.fetchers.article import robots_rules

        try:
            response = await self.client.get(origin + "/robots.txt", accept="text/plain")
        except FetchError:
            return robots_rules(503, b"")  # unreachable: assume nothing is allowed, this run
        return robots_rules(response.status, response.body[:500_000])


def _report(results: list[PageResult]) -> FullTextReport:
    counts = Counter(r.status for r in results)
    failures = [f"{r.url}: {r.detail}" for r in results if r.status == "failed"]
    for line in failures:
        log.info("full text: %s", line)
    skipped = {k: v for k, v in counts.items() if k not in ("ok", "unchanged", "failed")}
    return FullTextReport(
        fetched=counts["ok"] + counts["unchanged"],
        skipped=dict(sorted(skipped.items())),
        failed=counts["failed"],
        errors=tuple(failures[:_ERRORS_SHOWN]),
    )
