"""The storing half of a sync: each fetched outcome -> decide (pure) -> one transaction per
batch, posts and the source's new state together (a crash never leaves an ETag without its
posts). A batch that cannot be stored is retried source by source. Most sources' new state is
only their fetch state (``store.sources.FETCH_STATE``): it is gathered and written once per
batch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from plnctl import ingest_tags
from plnctl.decide import decide
from plnctl.models import FetchOutcome, Source, SourceResult
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store import sources as sources_db
from plnctl.store.connection import translate_error
from plnctl.timeutil import now, to_iso

if TYPE_CHECKING:
    from plnctl.config import Settings
    from plnctl.store import Store
    from plnctl.store.posts import PendingUpsert

log = logging.getLogger(__name__)

FAILING_NOTICE = 5  # consecutive failures after which a sync says so once
_STATUS = {"ok": "new", "unchanged": "unchanged", "failed": "failed", "gone": "gone"}


@dataclass
class Writer:
    store: Store
    settings: Settings
    names: dict[int, str]  # person id -> name, of every due source's person
    fetch_states: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # not written yet

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.settings.sync.interval_minutes)

    def store_batch(
        self, batch: Sequence[tuple[Source, FetchOutcome]]
    ) -> tuple[list[SourceResult], list[int]]:
        """Store a batch in one transaction; if that fails, source by source."""
        try:
            with self.store.transaction():
                stored = self._store_all(batch)
                self._write_fetch_states()
        except Exception:
            log.exception("storing a batch of %d sources failed; retrying one by one", len(batch))
            self.fetch_states.clear()  # rolled back with the batch
            stored = [self._store_alone(source, outcome) for source, outcome in batch]
        return [r for r, _ in stored], [i for _, ids in stored for i in ids]

    def _store_alone(self, source: Source, outcome: FetchOutcome) -> tuple[SourceResult, list[int]]:
        try:
            with self.store.transaction():
                stored = self._store_all([(source, outcome)])[0]
                self._write_fetch_states()
                return stored
        except Exception as e:
            self.fetch_states.clear()
            log.exception("storing %s failed", source.label)
            reason = translate_error(e, None) or e  # SQLite's wording names tables and columns
            failed = FetchOutcome("failed", outcome.http_status, error=f"could not store: {reason}")
            with suppress(Exception), self.store.transaction():
                result = self._store_all([(source, failed)])[0][0]
                self._write_fetch_states()
                return result, []
            self.fetch_states.clear()
            return SourceResult(source.id, source.label, None, "failed", error=failed.error), []

    def _store_all(
        self, batch: Sequence[tuple[Source, FetchOutcome]]
    ) -> list[tuple[SourceResult, list[int]]]:
        """Store sources in the caller's transaction. The new posts of them all are inserted in
        one statement (``posts_db.insert_pending``: the FTS5 indexes then take them at once);
        everything else happens source by source, after that, in the batch's order."""
        moment = now()
        stamp = to_iso(moment) or ""
        pending = [
            posts_db.plan_upsert(
                self.store, source.id, source.person_id, outcome.posts, fetched_at=stamp,
                indexed=self._indexed(source),
            ) if outcome.status == "ok" and outcome.posts else None
            for source, outcome in batch
        ]  # fmt: skip
        posts_db.insert_pending(self.store, [p for p in pending if p is not None])
        return [
            self._store_one(source, outcome, upsert, moment)
            for (source, outcome), upsert in zip(batch, pending, strict=True)
        ]

    def _store_one(
        self, source: Source, outcome: FetchOutcome, upsert: PendingUpsert | None, moment: datetime
    ) -> tuple[SourceResult, list[int]]:
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
        if upsert is not None:
            upserted = posts_db.finish_upsert(self.store, upsert)
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
        if sources_db.FETCH_STATE.issuperset(updates):  # most sources: written per batch
            self.fetch_states.append((source.id, updates))
        else:
            people_db.update_source(self.store, source.id, **updates)
        status = _STATUS[decision.status]
        if status == "new" and not (new_ids or updated_ids):
            status = "unchanged"
        notice = _notice(source, decision.status, updates, warning if other else None)
        result = SourceResult(
            source_id=source.id,
            label=source.label,
            person=self.names.get(source.person_id) if source.person_id else None,
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

    def _write_fetch_states(self) -> None:
        states, self.fetch_states = self.fetch_states, []
        sources_db.update_fetch_states(self.store, states)

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
