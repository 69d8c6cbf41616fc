"""Sync, as the facade offers it: resolve filters, tag new posts, summarize."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from plnctl.models import SourceResult, SyncSummary
from plnctl.timeutil import now_iso

if TYPE_CHECKING:
    from plnctl.api import Pln


def sync_iter(
    pln: Pln,
    *,
    person: str | int | None = None,
    source: int | None = None,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
) -> Iterator[SourceResult]:
    person_id = pln.people.resolve(person).id if person is not None else None
    if source is not None:
        pln.sources.get(source)
    if not _anything_due(pln, person_id=person_id, source_id=source, force=force):
        if on_start is not None:
            on_start(0)
        return iter(())
    from plnctl.sync import sync_iter as run_sync

    return _recorded(
        pln,
        run_sync(
            pln.store,
            pln.settings,
            person_id=person_id,
            source_id=source,
            force=force,
            on_start=on_start,
            on_new_posts=pln.topics.tag_new_posts,
            matcher=pln.topics.matcher,  # built only when a source is due
        ),
    )


def _anything_due(pln: Pln, *, person_id: int | None, source_id: int | None, force: bool) -> bool:
    """Whether the engine will find a source to fetch: asked as it asks, under the sync lock
    (so a sync beside a running one waits, or is refused, as before), without importing the
    engine (asyncio, the fetchers, the parse pool: ~25 ms) when nothing is due."""
    from plnctl.store.people import due_sources
    from plnctl.sync_lock import lock_path, sync_lock

    with sync_lock(lock_path(pln.store), wait=pln.settings.sync.lock_wait):
        moment = now_iso()
        found = due_sources(
            pln.store, now=moment, person_id=person_id, source_id=source_id, force=force
        )
    return bool(found)


def _recorded(pln: Pln, results: Iterator[SourceResult]) -> Iterator[SourceResult]:
    """Pass results through; once the sync ran to the end, write it to the sync history."""
    from plnctl.store.runs import record_sync_run

    started = now_iso()
    seen: list[SourceResult] = []
    for result in results:
        seen.append(result)
        yield result
    if seen:
        record_sync_run(pln.store, summarize(seen, started_at=started))


def summarize(results: Iterable[SourceResult], *, started_at: str) -> SyncSummary:
    return SyncSummary.from_results(results, started_at=started_at, finished_at=now_iso())


def sync_all(pln: Pln, **kwargs: object) -> SyncSummary:
    started = now_iso()
    return summarize(sync_iter(pln, **kwargs), started_at=started)  # type: ignore[arg-type]
