"""The professional-learning log: entries with their standards, the last `pd suggest` list, and
the activity `pd suggest` reads (issue 16)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from plnctl.models import PdEntry, Post, Question
from plnctl.store.connection import Store
from plnctl.store.posts import _POST_SQL, _post
from plnctl.store.questions import list_questions
from plnctl.store.rows import json_tuple, one, placeholders, rows
from plnctl.store.share import with_tags

_ENTRY_SQL = """
SELECT e.*, (SELECT group_concat(s.code, ' ') FROM
    (SELECT code FROM pd_entry_standards WHERE entry_id = e.id ORDER BY position) s) AS codes
FROM pd_entries e
"""
ENTRY_FIELDS = (
    "title", "date", "minutes", "type", "provider", "priority", "reflection", "impact",
    "evidence", "post_id", "question_id", "suggestion_key",
)  # fmt: skip


def _entry(row: sqlite3.Row) -> PdEntry:
    return PdEntry(
        id=row["id"], title=row["title"], date=row["date"], minutes=row["minutes"],
        type=row["type"], standards=tuple(row["codes"].split()) if row["codes"] else (),
        provider=row["provider"], priority=row["priority"], reflection=row["reflection"],
        impact=row["impact"], evidence=json_tuple(row["evidence"]), post_id=row["post_id"],
        question_id=row["question_id"], suggestion_key=row["suggestion_key"],
        created_at=row["created_at"], updated_at=row["updated_at"],
    )  # fmt: skip


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if k in ENTRY_FIELDS}
    if "evidence" in values:
        values["evidence"] = json.dumps(list(values["evidence"])) if values["evidence"] else None
    return values


def insert_entry(store: Store, fields: dict[str, Any], *, at: str) -> int:
    values = _values(fields)
    names = [*values, "created_at", "updated_at"]
    cursor = store.conn.execute(
        f"INSERT INTO pd_entries ({', '.join(names)}) VALUES ({placeholders(len(names))})",
        (*values.values(), at, at),
    )
    entry_id = int(cursor.lastrowid or 0)
    set_standards(store, entry_id, fields.get("standards", ()))
    return entry_id


def update_entry(store: Store, entry_id: int, fields: dict[str, Any], *, at: str) -> None:
    values = _values(fields)
    values["updated_at"] = at
    store.conn.execute(
        f"UPDATE pd_entries SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
        (*values.values(), entry_id),
    )
    if "standards" in fields:
        set_standards(store, entry_id, fields["standards"])


def set_standards(store: Store, entry_id: int, codes: Sequence[str]) -> None:
    store.conn.execute("DELETE FROM pd_entry_standards WHERE entry_id = ?", (entry_id,))
    store.conn.executemany(
        "INSERT OR IGNORE INTO pd_entry_standards (entry_id, code, position) VALUES (?, ?, ?)",
        [(entry_id, code, n) for n, code in enumerate(codes)],
    )


def delete_entry(store: Store, entry_id: int) -> int:
    return store.conn.execute("DELETE FROM pd_entries WHERE id = ?", (entry_id,)).rowcount


def get_entry(store: Store, entry_id: int) -> PdEntry | None:
    row = one(store.conn, _ENTRY_SQL + " WHERE e.id = ?", (entry_id,))
    return _entry(row) if row else None


def list_entries(
    store: Store,
    *,
    since: str | None = None,
    until: str | None = None,
    standard: str | None = None,
) -> list[PdEntry]:
    """Oldest first. ``since``/``until`` are days (inclusive); ``standard`` matches a focus
    area (``6.2``) or, given a whole standard (``6``), any of its focus areas."""
    where, params = ["1 = 1"], []
    if since:
        where.append("e.date >= ?")
        params.append(since)
    if until:
        where.append("e.date <= ?")
        params.append(until)
    if standard:
        where.append(
            "e.id IN (SELECT entry_id FROM pd_entry_standards WHERE code = ? OR code LIKE ?)"
        )
        params += [standard, standard + ".%"]
    sql = _ENTRY_SQL + f" WHERE {' AND '.join(where)} ORDER BY e.date, e.id"
    return [_entry(r) for r in rows(store.conn, sql, params)]


def logged_keys(store: Store) -> set[str]:
    return {
        r[0]
        for r in store.conn.execute(
            "SELECT suggestion_key FROM pd_entries WHERE suggestion_key IS NOT NULL"
        )
    }


# --- the numbered list the last `pd suggest` showed -----------------------------------------


def save_suggestions(store: Store, payloads: Sequence[dict[str, Any]], *, at: str) -> None:
    store.conn.execute("DELETE FROM pd_suggestions")
    store.conn.executemany(
        "INSERT INTO pd_suggestions (number, key, payload, made_at) VALUES (?, ?, ?, ?)",
        [(n, p["key"], json.dumps(p), at) for n, p in enumerate(payloads, start=1)],
    )


def saved_suggestions(store: Store) -> tuple[str | None, dict[int, dict[str, Any]]]:
    """(when the list was made, number -> suggestion) of the last `pd suggest`."""
    found = rows(store.conn, "SELECT number, payload, made_at FROM pd_suggestions ORDER BY number")
    made = found[0]["made_at"] if found else None
    return made, {r["number"]: json.loads(r["payload"]) for r in found}


# --- what the user did (for pd suggest) -----------------------------------------------------


def active_posts(store: Store, *, after: str, until: str) -> list[Post]:
    """Posts the user engaged with in the window: read and (saved or noted), saved, noted, or
    shared; oldest first, with their topics."""
    window = "BETWEEN :after AND :until"
    sql = (
        _POST_SQL
        + f""" WHERE p.deleted_at IS NULL AND (
        (p.read_at {window} AND (p.saved_at IS NOT NULL
            OR EXISTS (SELECT 1 FROM notes n WHERE n.post_id = p.id)))
        OR p.saved_at {window}
        OR EXISTS (SELECT 1 FROM notes n WHERE n.post_id = p.id AND n.created_at {window})
        OR EXISTS (SELECT 1 FROM shares s WHERE s.post_id = p.id AND s.shared_at {window}))
        ORDER BY coalesce(p.read_at, p.saved_at, p.fetched_at), p.id"""
    )
    return with_tags(
        store, [_post(r) for r in rows(store.conn, sql, {"after": after, "until": until})]
    )


def active_questions(store: Store, *, after: str, until: str) -> list[Question]:
    """Questions asked in the window or answered in it (newest first, without answers)."""
    ids = [
        r[0]
        for r in store.conn.execute(
            """SELECT id FROM questions WHERE deleted_at IS NULL AND asked_at BETWEEN ? AND ?
               UNION SELECT question_id FROM answers WHERE created_at BETWEEN ? AND ?""",
            (after, until, after, until),
        )
    ]
    return list_questions(store, ids=ids)
