"""What a sync writes and reads of its sources in bulk: one statement for many rows.

A re-sync of unchanged feeds changes only each source's fetch state (when it was fetched, its
status, when it is due next, its validators): those updates are gathered per batch and written
with one ``executemany`` per shape of update, instead of one formatted UPDATE per source.
Everything else (a moved URL, an opt-out, a new title) goes through ``people.update_source``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from plnctl.store.connection import Store
from plnctl.store.rows import placeholders

# What ``decide`` writes after every fetch; plain values (str, int, None), no side effects.
FETCH_STATE = frozenset(
    {
        "last_fetched_at", "last_status", "last_ok_at", "last_error", "error_count",
        "next_due_at", "etag", "last_modified",
    }
)  # fmt: skip
_CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound variables


def update_fetch_states(store: Store, updates: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """Write ``(source_id, {column: value})`` pairs whose columns are all in FETCH_STATE."""
    shapes: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for source_id, fields in updates:
        if not FETCH_STATE.issuperset(fields):
            raise ValueError(f"not fetch state: {sorted(set(fields) - FETCH_STATE)}")
        shapes.setdefault(tuple(fields), []).append((*fields.values(), source_id))
    for columns, params in shapes.items():
        assignments = ", ".join(f"{c} = ?" for c in columns)
        store.conn.executemany(f"UPDATE sources SET {assignments} WHERE id = ?", params)


def person_names(store: Store, person_ids: Iterable[int]) -> dict[int, str]:
    """person id -> name, for the people who exist among ``person_ids``."""
    ids = sorted(set(person_ids))
    names: dict[int, str] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        sql = f"SELECT id, name FROM people WHERE id IN ({placeholders(len(chunk))})"
        names.update(store.conn.execute(sql, chunk).fetchall())
    return names
