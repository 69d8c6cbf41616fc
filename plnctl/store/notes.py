"""Private notes on posts and questions, and shares back to a network (issue 16)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from plnctl.models import Note, Share
from plnctl.store.connection import Store
from plnctl.store.rows import placeholders, rows

_TARGETS = ("post_id", "question_id")


def _column(target: str) -> str:
    if target not in _TARGETS:
        raise ValueError(target)
    return target


def _note(row: sqlite3.Row, number: int) -> Note:
    return Note(
        id=row["id"], number=number, text=row["text"], created_at=row["created_at"],
        updated_at=row["updated_at"], post_id=row["post_id"], question_id=row["question_id"],
    )  # fmt: skip


def list_notes(store: Store, target: str, ids: Sequence[int]) -> dict[int, tuple[Note, ...]]:
    """Notes of these posts (``target="post_id"``) or questions, oldest first, numbered 1..n."""
    column = _column(target)
    unique = sorted(set(ids))
    found: dict[int, list[Note]] = {}
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for row in rows(
            store.conn,
            f"SELECT * FROM notes WHERE {column} IN ({placeholders(len(chunk))}) "
            f"ORDER BY {column}, created_at, id",
            chunk,
        ):
            bucket = found.setdefault(row[column], [])
            bucket.append(_note(row, len(bucket) + 1))
    return {key: tuple(value) for key, value in found.items()}


def add_note(store: Store, target: str, target_id: int, text: str, *, at: str) -> int:
    cursor = store.conn.execute(
        f"INSERT INTO notes ({_column(target)}, text, created_at, updated_at) VALUES (?, ?, ?, ?)",
        (target_id, text, at, at),
    )
    return int(cursor.lastrowid or 0)


def update_note(store: Store, note_id: int, text: str, *, at: str) -> None:
    store.conn.execute(
        "UPDATE notes SET text = ?, updated_at = ? WHERE id = ?", (text, at, note_id)
    )


def delete_note(store: Store, note_id: int) -> None:
    store.conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))


def notes_between(store: Store, target: str, *, after: str, until: str) -> list[int]:
    """Ids of the posts (or questions) that got a note in [after, until]."""
    column = _column(target)
    return [
        r[0]
        for r in store.conn.execute(
            f"SELECT DISTINCT {column} FROM notes WHERE {column} IS NOT NULL "
            "AND created_at >= ? AND created_at <= ?",
            (after, until),
        )
    ]


# --- shares ---------------------------------------------------------------------------------


def _share(row: sqlite3.Row) -> Share:
    return Share(
        id=row["id"], network=row["network"], text=row["text"], shared_at=row["shared_at"],
        url=row["url"], remote_id=row["remote_id"], post_id=row["post_id"],
        question_id=row["question_id"],
    )  # fmt: skip


def add_share(store: Store, *, network: str, text: str, at: str, **fields: object) -> int:
    names = [name for name in ("post_id", "question_id", "url", "remote_id") if name in fields]
    cursor = store.conn.execute(
        f"INSERT INTO shares (network, text, shared_at{''.join(', ' + n for n in names)}) "
        f"VALUES (?, ?, ?{', ?' * len(names)})",
        (network, text, at, *(fields[n] for n in names)),
    )
    return int(cursor.lastrowid or 0)


def post_shares(store: Store, post_ids: Sequence[int]) -> dict[int, tuple[Share, ...]]:
    unique = sorted(set(post_ids))
    if not unique:
        return {}
    found: dict[int, list[Share]] = {}
    for row in rows(
        store.conn,
        f"SELECT * FROM shares WHERE post_id IN ({placeholders(len(unique))}) "
        "ORDER BY shared_at, id",
        unique,
    ):
        found.setdefault(row["post_id"], []).append(_share(row))
    return {key: tuple(value) for key, value in found.items()}


def shares_between(store: Store, *, after: str, until: str) -> list[Share]:
    return [
        _share(r)
        for r in rows(
            store.conn,
            "SELECT * FROM shares WHERE shared_at >= ? AND shared_at <= ? ORDER BY shared_at, id",
            (after, until),
        )
    ]


def credit(store: Store, post_id: int) -> tuple[str | None, str | None]:
    """(a Mastodon handle of the post's author, the name of the blog it came from): the
    handle of the post's own source when it is a status, else of the author's Mastodon source
    (an active one first); the blog's title for a feed post."""
    row = store.conn.execute(
        """SELECT s.kind, s.handle, s.title, p.person_id,
                  (SELECT m.handle FROM sources m WHERE m.person_id = p.person_id
                     AND m.kind = 'mastodon' AND m.handle IS NOT NULL
                   ORDER BY m.state = 'active' DESC, m.id LIMIT 1) AS person_handle
           FROM posts p LEFT JOIN sources s ON s.id = p.source_id WHERE p.id = ?""",
        (post_id,),
    ).fetchone()
    if row is None:
        return None, None
    kind, handle, title, _, person_handle = row
    if kind == "mastodon":
        return handle or person_handle, None
    return person_handle, title
