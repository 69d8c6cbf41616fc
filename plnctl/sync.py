"""The sync engine: due sources -> fetch (async) -> decide (pure) -> store, one result each.

- The caller's thread owns the SQLite connection: it takes fetched outcomes off a bounded
  queue in batches and writes each batch in one transaction (``sync_writer``: posts and the
  source's new state together, a crash never leaves an ETag without its posts), then yields
  the results.
- A fetch thread runs an asyncio loop with one ``HttpClient``; ``sync_limits`` says how many
  sources are fetched at once (per host, overall) and how many bytes may wait. With 8+ feeds,
  parsing (CPU-bound) runs in a small process pool, out of the GIL's way, started when the
  first body to parse arrives (a sync where every feed answers 304 starts none).
- One bad source never stops the others; a batch that cannot be stored is retried source by
  source. ``sync_lock`` keeps two syncs of one database apart.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING

from plnctl import ingest, ingest_tags, sync_gc
from plnctl.fetchers import fetch_source
from plnctl.models import FetchOutcome, Source, SourceKind, SourceResult
from plnctl.parse_pool import ParsePool, PoolBroken
from plnctl.store import people as people_db
from plnctl.store import sources as sources_db
from plnctl.sync_limits import SourceLimits, Ticket, hand_over
from plnctl.sync_lock import lock_path, sync_lock
from plnctl.sync_writer import Writer
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.fetchers.feed import ParsedFeed
    from plnctl.fetchers.http import HttpClient
    from plnctl.store import Store
    from plnctl.tagging import Matcher

log = logging.getLogger(__name__)

PARSE_POOL_MIN_FEEDS = 8  # below this, starting worker processes costs more than it saves
BATCH_SIZE = 50  # most sources stored per transaction
# Outcomes with posts waiting to be stored (bounds memory). The rest (a 304, a failure) are a
# few hundred bytes and one per source: they queue without a bound, or a fast run of 304s
# would wait on the writer's turns (1,000 unchanged feeds: ~0.47 -> ~0.30 s).
QUEUE_SIZE = 64
# Seconds a batch waits to fill: fewer transactions and thread wake-ups, and fewer, larger
# FTS5 segments (a cold sync of 1,000 feeds: ~12 sources per batch at 25 ms, ~28 at 100 ms;
# -0.4 ms of CPU/feed).
BATCH_WINDOW = 0.1
BATCH_NAP = 0.01  # how often a filling batch looks at the queue


def sync_iter(
    store: Store,
    settings: Settings,
    *,
    person_id: int | None = None,
    source_id: int | None = None,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[SourceResult], None] | None = None,
    on_new_posts: Callable[[list[int]], object] | None = None,
    matcher: Matcher | Callable[[], Matcher] | None = None,
) -> Iterator[SourceResult]:
    """Fetch every due source (all matching ones with ``force``); yield one result per source.

    ``on_start(total)`` is called once the due sources are known; ``on_result`` with each
    result; ``on_new_posts(post_ids)`` after each committed batch (the topic tagger) for the
    posts whose topics were not computed at parse time with ``matcher`` (see ingest_tags; a
    function that builds it is called only when a source is due).
    Raises ``Busy`` when another sync of this database holds the lock for longer than
    ``settings.sync.lock_wait`` seconds.
    """
    with sync_lock(lock_path(store), wait=settings.sync.lock_wait) as lock_fd:
        sources = people_db.due_sources(
            store, now=now_iso(), person_id=person_id, source_id=source_id, force=force
        )
        if on_start is not None:
            on_start(len(sources))
        if not sources:
            return
        writer = Writer(store, settings, sources_db.person_names(store, _person_ids(sources)))
        # before the parser processes fork: they inherit it
        ingest_tags.set_matcher(matcher() if callable(matcher) else matcher)
        with sync_gc.collecting_less(), _FetchRun(sources, settings, lock_fd) as run:
            for batch in run.batches():
                results, new_ids = writer.store_batch(batch)
                if new_ids and on_new_posts is not None:
                    _call_hook(on_new_posts, new_ids)
                info = log.isEnabledFor(logging.INFO)  # one line per source, only if shown
                for result in results:
                    if info:
                        detail = result.error or result.warning or f"{result.new_posts} new"
                        log.info("%s %s: %s", result.status, result.label, detail)
                    if on_result is not None:
                        on_result(result)
                    yield result


def _person_ids(sources: Sequence[Source]) -> set[int]:
    return {s.person_id for s in sources if s.person_id is not None}


def _call_hook(hook: Callable[[list[int]], object], post_ids: list[int]) -> None:
    try:
        hook(post_ids)
    except Exception:
        # The posts are committed; a tagging bug must not lose them or stop the sync.
        log.exception("tagging %d new posts failed", len(post_ids))


# --- fetching ----------------------------------------------------------------------------


class _FetchRun:
    """Fetches ``sources`` on a background asyncio thread; ``batches()`` hands them over."""

    def __init__(self, sources: Sequence[Source], settings: Settings, lock_fd: int | None):
        self.sources = sources
        self.settings = settings
        self.queue: queue.Queue[tuple[Source, FetchOutcome] | None] = queue.Queue()
        self._posts_room = threading.Semaphore(QUEUE_SIZE)  # for outcomes with posts
        feeds = sum(1 for s in sources if s.kind is SourceKind.FEED)
        workers = settings.sync.parse_workers
        self.pool: ParsePool | None = None  # None once broken: parse here
        # Started on the first feed body that needs parsing: a re-sync where every feed
        # answers 304 forks no process and imports no parser.
        self._pool_args = (workers, lock_fd) if feeds >= PARSE_POOL_MIN_FEEDS and workers else None
        self._started_pool: ParsePool | None = None  # shut down at the end, broken or not
        self._stopping = threading.Event()
        self._all_fetched = threading.Event()  # nothing more will be queued but the end
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="plnctl-sync-fetch", daemon=True)

    def __enter__(self) -> _FetchRun:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        loop, task = self._loop, self._task
        if self._thread.is_alive() and loop is not None and task is not None:
            with suppress(RuntimeError):  # the loop already closed
                loop.call_soon_threadsafe(task.cancel)
        while self._thread.is_alive():
            self._drain()
            self._thread.join(0.05)
        if self._started_pool is not None:
            self._started_pool.shutdown()

    def batches(self) -> Iterator[list[tuple[Source, FetchOutcome]]]:
        done: set[int] = set()
        finished = False
        while not finished:
            item = self._take(self.queue.get())
            if item is None:
                break
            batch = [item]
            self._let_fill()
            while len(batch) < BATCH_SIZE:
                try:
                    item = self._take(self.queue.get_nowait())
                except queue.Empty:
                    break
                if item is None:
                    finished = True
                    break
                batch.append(item)
            done.update(source.id for source, _ in batch)
            yield batch
        lost = [s for s in self.sources if s.id not in done]  # only after an internal error
        if lost:
            error = "internal error: the fetcher stopped before this source"
            yield [(s, FetchOutcome("failed", error=error)) for s in lost]

    def _take(self, item: tuple[Source, FetchOutcome] | None) -> tuple[Source, FetchOutcome] | None:
        if item is not None and item[1].posts:
            self._posts_room.release()
        return item

    def _let_fill(self) -> None:
        """Let a batch fill while asleep, up to BATCH_WINDOW: waiting on the queue instead
        woke this thread (and took the GIL from the fetch loop) for every outcome. A few
        naps, not one sleep: a full queue (fast 304s) stops the fetch loop until it drains,
        and after the last source there is nothing to wait for."""
        deadline = time.monotonic() + BATCH_WINDOW
        while (
            self.queue.qsize() < BATCH_SIZE - 1
            and not self._all_fetched.is_set()
            and time.monotonic() < deadline
        ):
            time.sleep(BATCH_NAP)

    def _drain(self) -> None:
        with suppress(queue.Empty):
            while True:
                self._take(self.queue.get_nowait())

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except asyncio.CancelledError:
            pass
        except BaseException:
            if not self._stopping.is_set():
                log.exception("the sync fetch loop crashed")
        finally:
            self._all_fetched.set()
            if not self._stopping.is_set():
                self.queue.put_nowait(None)  # unbounded: never full (see QUEUE_SIZE)

    async def _main(self) -> None:
        from plnctl.fetchers.http import HttpClient, HttpSettings

        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()  # type: ignore[assignment]
        s = self.settings.sync
        limits = SourceLimits(s.per_host, s.concurrency, s.backlog_bytes)
        async with HttpClient(HttpSettings.from_settings(s)) as client:
            await asyncio.gather(*(self._one(client, src, limits) for src in self.sources))
            self._all_fetched.set()  # every outcome is queued: a filling batch need not wait
        limits.report()

    async def _one(self, client: HttpClient, source: Source, limits: SourceLimits) -> None:
        async with limits.slot(source) as ticket:
            parse = partial(self._parse, ticket)
            outcome = ingest.clean_outcome(
                await fetch_source(source, client, self.settings, parse=parse)
            )
            await hand_over(
                self.queue, (source, outcome), self._posts_room if outcome.posts else None
            )

    async def _parse(
        self, ticket: Ticket, body: bytes, url: str, headers: Mapping[str, str]
    ) -> ParsedFeed:
        ticket.fetched(len(body))
        if self._pool_args is not None:
            args, self._pool_args = self._pool_args, None
            try:
                self.pool = self._started_pool = make_parse_pool(*args)
            except OSError as e:  # no processes to be had: parse here
                log.warning("could not start the feed parser processes (%s); parsing here", e)
        pool = self.pool
        if pool is not None:
            try:
                return await pool.parse(body, url, headers)
            except PoolBroken as e:
                if self.pool is pool:
                    log.warning("%s; parsing in-process from now on", e)
                    self.pool = None
        return _parse_job(body, url, headers)


# Parsed once before the parser processes fork (``make_parse_pool``): the parser's imports
# and first-use set-up (lxml, feedparser's helpers, nh3's cleaner, url-normalize: ~45 ms of
# CPU) are then paid once and shared, not by each worker on its first feed. An all-304 sync
# starts no pool and never loads them.
_WARM_FEED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>w</title>'
    b"<item><guid>w</guid><title>w</title><link>http://127.0.0.1/w</link>"
    b"<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;w "
    b'&lt;a href="/w"&gt;w&lt;/a&gt; #w&lt;/p&gt;</description></item></channel></rss>'
)
_WARM_HEADERS = {"content-type": "application/rss+xml; charset=utf-8"}


def _parse_job(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    from plnctl.fetchers.feed import parse_feed

    return ingest_tags.tag_parsed(parse_feed(body, url=url, headers=headers))


# --- the parser processes ---------------------------------------------------------


def make_parse_pool(workers: int, lock_fd: int | None) -> ParsePool:
    """Start ``workers`` parser processes now, forked from the calling thread (the fetch
    thread, on the first body to parse). That is safe here: a worker only parses, and takes
    no lock another thread of ours may hold (imports, logging and malloc are fork-safe; the
    writer's SQLite connection is never used in a worker), and it closes the sockets it
    inherited (``parse_pool``). Without fork (Windows) there is no pool: OSError."""
    if "fork" not in multiprocessing.get_all_start_methods():
        raise OSError("this system cannot fork")
    # The workers start with everything this process imported and set up for the warm-up.
    _parse_job(_WARM_FEED, "http://127.0.0.1/warm.xml", _WARM_HEADERS)
    return ParsePool(workers, _parse_job, lock_fd)
