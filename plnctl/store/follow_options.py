"""Mastodon follow settings from following_accounts.csv, kept per source as text."""

from __future__ import annotations

from plnctl.store.connection import Store

COLUMNS = ("show_boosts", "notify", "languages")


def set_options(store: Store, source_id: int, options: dict[str, str]) -> None:
    """Remember the settings the CSV gave (only those it gave; others keep their value)."""
    given = {k: v for k, v in options.items() if k in COLUMNS}
    if not given:
        return
    store.conn.execute("INSERT OR IGNORE INTO follow_options (source_id) VALUES (?)", (source_id,))
    assignments = ", ".join(f"{column} = ?" for column in given)
    store.conn.execute(
        f"UPDATE follow_options SET {assignments} WHERE source_id = ?",
        (*given.values(), source_id),
    )


def all_options(store: Store) -> dict[int, dict[str, str | None]]:
    rows = store.conn.execute(f"SELECT source_id, {', '.join(COLUMNS)} FROM follow_options")
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}
