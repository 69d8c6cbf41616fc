"""Shared helpers for turning rows into models."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def rows(store_conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    cursor = store_conn.execute(sql, params)
    cursor.row_factory = sqlite3.Row
    return cursor.fetchall()


def one(store_conn: sqlite3.Connection, sql: str, params: Any = ()) -> sqlite3.Row | None:
    cursor = store_conn.execute(sql, params)
    cursor.row_factory = sqlite3.Row
    row: sqlite3.Row | None = cursor.fetchone()
    return row


def json_tuple(text: str | None) -> tuple[Any, ...]:
    if not text:
        return ()
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else ()


def placeholders(count: int) -> str:
    return ",".join("?" * count)
