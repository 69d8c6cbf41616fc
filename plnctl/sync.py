"""The sync engine: due sources -> fetch (async) -> decide (pure) -> store, one result each.

- The caller's thread owns the SQLite connection: it takes fetched outcomes off a bounded
  queue in batches and writes each batch in one transaction (posts and the source's new
  state together: a crash never leaves an ETag without its posts), then yields the results.
- A fetch thread runs an asyncio loop with one ``HttpClient``; ``sync_limits`` says how many
  sources are fetched at once (per host, overall) and how many bytes may wait. With 8+ feeds,
  parsing (CPU-bound) runs in a small process pool, out of the GIL's way.
- One bad source never stops the others; a batch that cannot be stored is retried source by
  source. ``sync_lock`` keeps two syncs of one database apart.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from plnctl import ingest, ingest_tags, sync_gc
from plnctl.decide import decide
from plnctl.fetchers import fetch_source
from plnctl.models import FetchOutcome, Person, Source, SourceKind, SourceResult
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store.connection import translate_error
from plnctl.sync_limits import SourceLimits, Ticket, hand_over
from plnctl.sync_lock import lock_path, sync_lock
from plnctl.timeutil import now, now_iso, to_iso

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.fetchers.feed import ParsedFeed
    from plnctl.fetchers.http import HttpClient
    from plnctl.store import Store
    from plnctl.tagging import Matcher

log = logging.getLogger(__name__)

PARSE_POOL_MIN_FEEDS = 8  # below this, starting worker processes costs more than it saves
BATCH_SIZE = 50  # most sources stored per transaction
QUEUE_SIZE = 64  # fetched outcomes waiting to be stored (bounds memory)
BATCH_WINDOW = 0.025  # seconds a batch waits to fill: fewer transactions and thread wake-ups
FAILING_NOTICE = 5  # consecutive failures after which a sync says so once
_STATUS = {"ok": "new", "unchanged": "unchanged", "failed": "failed", "gone": "gone"}


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
    matcher: Matcher | None = None,
) -> Iterator[SourceResult]:
    """Fetch every due source (all matching ones with ``force``); yield one result per source.

    ``on_start(total)`` is called once the due sources are known; ``on_result`` with each
    result; ``on_new_posts(post_ids)`` after each committed batch (the topic tagger) for the
    posts whose topics were not computed at parse time with ``matcher`` (see ingest_tags).
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
        writer = _Writer(store, settings)
        ingest_tags.set_matcher(matcher)  # before the parser processes fork: they inherit it
        with sync_gc.collecting_less(), _FetchRun(sources, settings, lock_fd) as run:
            for batch in run.batches():
                results, new_ids = writer.store_batch(batch)
                if new_ids and on_new_posts is not None:
                    _call_hook(on_new_posts, new_ids)
                for result in results:
                    detail = result.error or result.warning or f"{result.new_posts} new"
                    log.info("%s %s: %s", result.status, result.label, detail)
                    if on_result is not None:
                        on_result(result)
                    yield result


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
        self.queue: queue.Queue[tuple[Source, FetchOutcome] | None] = queue.Queue(QUEUE_SIZE)
        feeds = sum(1 for s in sources if s.kind is SourceKind.FEED)
        workers = settings.sync.parse_workers
        self.pool: ProcessPoolExecutor | None = None
        if feeds >= PARSE_POOL_MIN_FEEDS and workers > 0:
            self.pool = make_parse_pool(workers, lock_fd)
        self._stopping = threading.Event()
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
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def batches(self) -> Iterator[list[tuple[Source, FetchOutcome]]]:
        done: set[int] = set()
        finished = False
        while not finished:
            item = self.queue.get()
            if item is None:
                break
            batch = [item]
            deadline = time.monotonic() + BATCH_WINDOW
            while len(batch) < BATCH_SIZE:
                try:
                    item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
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

    def _drain(self) -> None:
        with suppress(queue.Empty):
            while True:
                self.queue.get_nowait()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except asyncio.CancelledError:
            pass
        except BaseException:
            if not self._stopping.is_set():
                log.exception("the sync fetch loop crashed")
        finally:
            while not self._stopping.is_set():
                try:
                    self.queue.put(None, timeout=0.1)
                    break
                except queue.Full:
                    continue

    async def _main(self) -> None:
        from plnctl.fetchers.http import HttpClient, HttpSettings

        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()  # type: ignore[assignment]
        s = self.settings.sync
        limits = SourceLimits(s.per_host, s.concurrency, s.backlog_bytes)
        async with HttpClient(HttpSettings.from_settings(s)) as client:
            await asyncio.gather(*(self._one(client, src, limits) for src in self.sources))
        limits.report()

    async def _one(self, client: HttpClient, source: Source, limits: SourceLimits) -> None:
        async with limits.slot(source) as ticket:
            parse = partial(self._parse, ticket)
            outcome = ingest.clean_outcome(
                await fetch_source(source, client, self.settings, parse=parse)
            )
            await hand_over(self.queue, (source, outcome))

    async def _parse(
        self, ticket: Ticket, body: bytes, url: str, headers: Mapping[str, str]
    ) -> ParsedFeed:
        ticket.fetched(len(body))
        pool = self.pool
        if pool is not None:
            loop = asyncio.get_running_loop()
            job = partial(_parse_job, body, url, dict(headers))
            try:
                return await loop.run_in_executor(pool, job)
            except BrokenProcessPool:
                log.warning("a feed parser process died; parsing in-process from now on")
                self.pool = None
        return _parse_job(body, url, headers)


def _parse_job(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    from plnctl.fetchers.feed import parse_feed

    return ingest_tags.tag_parsed(parse_feed(body, url=url, headers=headers))


# --- storing -----------------------------------------------------------------------------


@dataclass
class _Writer:
    store: Store
    settings: Settings
    people: dict[int, Person | None] = field(default_factory=dict)

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.settings.sync.interval_minutes)

    def store_batch(
        self, batch: Sequence[tuple[Source, FetchOutcome]]
    ) -> tuple[list[SourceResult], list[int]]:
        """Store a batch in one transaction; if that fails, source by source."""
        try:
            with self.store.transaction():
                stored = [self._store_one(source, outcome) for source, outcome in batch]
        except Exception:
            log.exception("storing a batch of %d sources failed; retrying one by one", len(batch))
            stored = [self._store_alone(source, outcome) for source, outcome in batch]
        return [r for r, _ in stored], [i for _, ids in stored for i in ids]

    def _store_alone(self, source: Source, outcome: FetchOutcome) -> tuple[SourceResult, list[int]]:
        try:
            with self.store.transaction():
                return self._store_one(source, outcome)
        except Exception as e:
            log.exception("storing %s failed", source.label)
            reason = translate_error(e, None) or e  # SQLite's wording names tables and columns
            failed = FetchOutcome("failed", outcome.http_status, error=f"could not store: {reason}")
            with suppress(Exception), self.store.transaction():
                return self._store_one(source, failed)[0], []
            return SourceResult(source.id, source.label, None, "failed", error=failed.error), []

    def _store_one(self, source: Source, outcome: FetchOutcome) -> tuple[SourceResult, list[int]]:
        moment = now()
        stamp = to_iso(moment) or ""
        decision = decide(source, outcome, moment, interval=self.interval)
        updates, warning = dict(decision.updates), outcome.warning
        moved_to = updates.get("url")
        other = people_db.find_source(self.store, moved_to, kind=source.kind) if moved_to else None
        if other is not None and other.id != source.id:
            del updates["url"]  # the new URL is already followed: keep both rows as they are
            warning = f"moved permanently to {moved_to}, already source {other.id}"
        new_ids: tuple[int, ...] = ()
        updated_ids: tuple[int, ...] = ()
        if outcome.status == "ok" and outcome.posts:
            indexed = self._indexed(source)
            upserted = posts_db.upsert_posts(
                self.store, source.id, source.person_id, outcome.posts, fetched_at=stamp,
                indexed=indexed,
            )  # fmt: skip
            new_ids, updated_ids = upserted.new_ids, upserted.updated_ids
            if outcome.topics is not None:
                ingest_tags.store_tags(self.store, upserted.ids_by_guid, outcome.topics, at=stamp)
        if outcome.purge_posts:
            posts_db.withhold_source_posts(self.store, source.id, at=stamp)
        if outcome.deleted_guids:
            posts_db.mark_deleted(self.store, source.id, outcome.deleted_guids, at=stamp)
        if outcome.status == "ok" and outcome.listed_span:
            posts_db.mark_unlisted_deleted(
                self.store, source.id, outcome.listed_span, outcome.listed_guids, at=stamp
            )
        people_db.update_source(self.store, source.id, **updates)
        status = _STATUS[decision.status]
        if status == "new" and not (new_ids or updated_ids):
            status = "unchanged"
        person = self._person(source.person_id)
        notice = _notice(source, decision.status, updates, warning if other else None)
        result = SourceResult(
            source_id=source.id,
            label=source.label,
            person=person.name if person else None,
            status=status,
            new_posts=len(new_ids),
            updated_posts=len(updated_ids),
            http_status=outcome.http_status,
            error=outcome.error if status in ("failed", "gone") else None,
            warning=warning,
            next_due_at=decision.next_due_at,
            notice=notice,
        )
        if outcome.topics is not None:
            return result, []  # tagged above
        return result, [*new_ids, *updated_ids]  # edited posts are re-tagged too

    def _person(self, person_id: int | None) -> Person | None:
        if person_id is None:
            return None
        if person_id not in self.people:
            self.people[person_id] = people_db.get_person(self.store, person_id)
        return self.people[person_id]

    def _indexed(self, source: Source) -> bool:
        return not source.noindex or people_db.wants_index(self.store, source.id)


def _notice(
    source: Source, status: str, updates: Mapping[str, object], moved_twice: str | None
) -> str | None:
    """What changed for good about a source, said once (the sync where it happened)."""
    ref = source.id
    if status == "gone":
        return (
            f"gone ({updates.get('last_error')}): no longer fetched; "
            f"`plnctl source reset {ref}` tries again, `plnctl source remove {ref}` drops it"
        )
    if moved_twice:
        return f"{moved_twice}; remove this one with `plnctl source remove {ref}`"
    if updates.get("url"):
        return f"moved permanently to {updates['url']}: now followed there"
    if updates.get("state") == "moved" and source.state != "moved":
        moved_to = updates.get("moved_to") or "another account"
        return (
            f"the account moved to {moved_to}; follow it with "
            f"`plnctl source add {source.person_id} {moved_to}`"
        )
    if status == "failed" and updates.get("error_count") == FAILING_NOTICE:
        since = f"last success {source.last_ok_at[:10]}" if source.last_ok_at else "never fetched"
        return (
            f"has failed {FAILING_NOTICE} times in a row ({since}); it is retried less and less "
            f"often: fix it with `plnctl source edit {ref} --url ...` or remove it"
        )
    return None


# --- the parser processes ---------------------------------------------------------


def make_parse_pool(workers: int, lock_fd: int | None) -> ProcessPoolExecutor:
    """Start ``workers`` parser processes now, from the calling thread (before any other
    thread of ours exists, so forking is safe)."""
    methods = multiprocessing.get_all_start_methods()
    # fork is cheap: the workers start with everything the parent already imported.
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(
        workers, context, initializer=_worker_init, initargs=(lock_fd, os.getpid())
    )
    pool.submit(_warm_up).result()
    return pool


def _warm_up() -> None:
    """Nothing: submitting it makes the pool fork its workers now, from this thread. They
    import feedparser on their first feed, so a sync of unchanged feeds never loads it."""


def _worker_init(lock_fd: int | None, parent: int) -> None:
    # The lock must die with the sync process, not linger in an orphaned worker.
    if lock_fd is not None:
        with suppress(OSError):
            os.close(lock_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)  # the sync process died (e.g. SIGKILL): do not linger

    threading.Thread(target=watch, daemon=True).start()
