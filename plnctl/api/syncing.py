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
    from plnctl.sync import sync_iter as run_sync

    person_id = pln.people.resolve(person).id if person is not None else None
    if source is not None:
        pln.sources.get(source)
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
