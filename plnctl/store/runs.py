"""The sync history: one row per completed sync."""

from __future__ import annotations

from plnctl.models import SyncSummary
from plnctl.store.connection import Store
from plnctl.store.rows import one


def record_sync_run(store: Store, summary: SyncSummary) -> None:
    with store.transaction():
        store.conn.execute(
            """INSERT INTO sync_runs (started_at, finished_at, sources, new_posts, updated_posts,
                                      failed) VALUES (?, ?, ?, ?, ?, ?)""",
            (
                summary.started_at,
                summary.finished_at,
                summary.sources,
                summary.new_posts,
                summary.updated_posts,
                summary.failed,
            ),
        )


def last_sync_run(store: Store) -> dict[str, object] | None:
    row = one(store.conn, "SELECT * FROM sync_runs ORDER BY id DESC LIMIT 1")
    return dict(row) if row else None
