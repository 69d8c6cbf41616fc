"""The unstemmed search index (``posts_fts_exact``), brought up to date when it is read.

Few searches ask for words as written (``search --exact``, exact topics), and keeping a second
FTS5 index on every insert cost a third of what a cold sync spends storing its posts (issue 14:
~0.27 s of 0.79 s for 4,000 posts). So a new post enters the stemmed index only. The posts up
to ``posts_fts_exact_state.upto`` are in this one, and the triggers keep them right when they
are edited, deleted or opted out (migration 0027); ``table(store)`` adds the posts after
``upto`` before anything reads it, in chunks of ids, one transaction each (an interrupted
catch-up keeps what it did).
"""

from __future__ import annotations

from plnctl.store.connection import Progress, Store

TABLE = "posts_fts_exact"
CHUNK = 20_000  # post ids per transaction
_COLUMNS = "title, content_text, full_text"
_LIVE = "indexed = 1 AND deleted_at IS NULL"  # what the triggers index


def table(store: Store, progress: Progress | None = None) -> str:
    """The index's name, once every stored post that belongs in it is in it.
    ``progress(label, done, total)`` hears from a catch-up of more than one chunk."""
    upto, top = _marks(store)
    if top <= upto:
        return TABLE
    conn = store.conn
    total = top - upto
    while upto < top:
        with store.transaction():
            upto, top = _marks(store)  # again, holding the write lock: another process may have
            end = min(top, upto + CHUNK)
            conn.execute(
                f"INSERT INTO {TABLE} (rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM posts "
                f"WHERE id > ? AND id <= ? AND {_LIVE}",
                (upto, end),
            )
            conn.execute("UPDATE posts_fts_exact_state SET upto = ?", (end,))
        upto = end
        if progress is not None and total > CHUNK:
            progress("Indexing posts for exact search", min(total, total - (top - end)), total)
    return TABLE


def behind(store: Store) -> int:
    """How many post ids the index has yet to look at (0: up to date)."""
    upto, top = _marks(store)
    return max(0, top - upto)


def _marks(store: Store) -> tuple[int, int]:
    row = store.conn.execute(
        "SELECT (SELECT upto FROM posts_fts_exact_state), (SELECT coalesce(max(id), 0) FROM posts)"
    ).fetchone()
    return row[0], row[1]
