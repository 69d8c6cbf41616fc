"""Shell completion from the database: person names, topic names, question ids.

Never creates a database and never fails: a shell's TAB gets an empty list instead."""

from __future__ import annotations

from pathlib import Path

KINDS = ("person", "topic", "question")


def complete(kind: str, prefix: str, *, db: str | Path | None = None) -> list[tuple[str, str]]:
    """(value, help) pairs for what starts with ``prefix``; [] when there is no database."""
    from plnctl.config import load_settings
    from plnctl.store import completion as queries
    from plnctl.store import open_store

    settings = load_settings(db)
    if kind not in KINDS or not settings.db_path.is_file():
        return []
    store = open_store(settings.db_path, create=False)
    try:
        if kind == "person":
            return [(name, "") for name in queries.person_names(store, prefix)]
        if kind == "topic":
            return [(name, "") for name in queries.topic_names(store, prefix)]
        return [(i, " ".join(text.split())[:60]) for i, text in queries.question_ids(store, prefix)]
    finally:
        store.close()
