"""What shell completion offers: names and ids starting with what was typed (indexed
prefix queries, a few milliseconds on a 10,000-person database)."""

from __future__ import annotations

from plnctl.store.connection import Store

LIMIT = 50


def _prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def person_names(store: Store, prefix: str) -> list[str]:
    sql = (
        "SELECT DISTINCT name FROM people WHERE name LIKE ? ESCAPE '\\' "
        "ORDER BY name COLLATE NOCASE LIMIT ?"
    )
    return [row[0] for row in store.conn.execute(sql, (_prefix(prefix), LIMIT))]


def topic_names(store: Store, prefix: str) -> list[str]:
    sql = "SELECT name FROM topics WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?"
    return [row[0] for row in store.conn.execute(sql, (_prefix(prefix), LIMIT))]


def question_ids(store: Store, prefix: str) -> list[tuple[str, str]]:
    """(id, the question's text) for questions not deleted, newest first."""
    sql = (
        "SELECT id, text FROM questions WHERE CAST(id AS TEXT) LIKE ? ESCAPE '\\' "
        "AND deleted_at IS NULL ORDER BY id DESC LIMIT ?"
    )
    return [(str(i), text) for i, text in store.conn.execute(sql, (_prefix(prefix), LIMIT))]
