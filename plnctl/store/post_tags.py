"""Rule tags compared and written in bulk, for one topic's live update and for ``topic
rebuild``: the tags of a chunk of posts are read once, the new ones computed by the caller, and
only the tags that differ are written (a post whose reason is unchanged costs no write).

The search index also marks where the rules' words occur (``highlight``), so the matcher
looks at those places only instead of stemming every word of every post again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from plnctl.store import exact_index
from plnctl.store.connection import Store
from plnctl.store.rows import placeholders
from plnctl.store.topics import _FACTS_SQL, UNINDEXED_SQL, FactsRow

# A highlighted span starts with OPEN and ends with CLOSE (control characters no post text
# keeps: a post that holds one is matched from its own text instead).
OPEN, CLOSE = "\x01", "\x02"
CHUNK = 500  # posts per query (host parameters stay far below SQLite's limit)

TagKey = tuple[int, int]  # post id, topic id
OldTag = tuple[str, str]  # origin, reason


BULK_MMAP = 1 << 30  # address space only; pages are the file's, shared with the OS cache


def open_reader(path: str) -> Store:
    """A read-only connection of its own (a worker process's), seeing what is committed."""
    from urllib.parse import quote

    conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    conn.execute(f"PRAGMA mmap_size = {BULK_MMAP}")
    return Store(conn, None)


@contextmanager
def bulk_reads(store: Store) -> Iterator[None]:
    """Read the file through a memory map while a big update walks it: SQLite's own page
    cache (2 MB) made a topic update at 1M posts issue 1.2 million pread() calls, half its
    time in the kernel. Off again afterwards, so a sync's memory stays what it was."""
    store.conn.execute(f"PRAGMA mmap_size = {BULK_MMAP}")
    try:
        yield
    finally:
        store.conn.execute("PRAGMA mmap_size = 0")


def live_post_chunks(
    store: Store, post_ids: Sequence[int] | None, *, size: int = CHUNK
) -> Iterator[list[FactsRow]]:
    """The live posts' facts (see ``topics.iter_post_facts``) in id order, ``size`` at a
    time: the given ids (sorted), or every live post."""
    if post_ids is None:
        cursor = store.conn.execute(_FACTS_SQL + " ORDER BY p.id")
        while chunk := cursor.fetchmany(size):
            yield chunk
        return
    ids = sorted(post_ids)
    for start in range(0, len(ids), size):
        part = ids[start : start + size]
        yield store.conn.execute(
            _FACTS_SQL + f" AND p.id IN ({placeholders(len(part))}) ORDER BY p.id", part
        ).fetchall()


def live_post_ids(store: Store) -> list[int]:
    """Every live post's id, in order."""
    sql = "SELECT id FROM posts WHERE deleted_at IS NULL ORDER BY id"
    return [r[0] for r in store.conn.execute(sql)]


def unindexed_post_ids(store: Store) -> set[int]:
    """Live posts kept out of the search index (opted out): the index cannot mark them."""
    return {r[0] for r in store.conn.execute(UNINDEXED_SQL)}


def marked_fields(
    store: Store, match: str, post_ids: Sequence[int], *, exact: bool = False
) -> dict[int, tuple[str | None, str | None]]:
    """Post id -> (title, text) with each place the FTS5 query ``match`` finds wrapped in
    OPEN/CLOSE, for those of ``post_ids`` (sorted) that it finds; ``exact``: in the unstemmed
    index. A range bounds the index scan; ``+rowid`` filters before the highlight is computed
    (a rowid IN list given to FTS5 itself runs the whole query once per id)."""
    if not post_ids:
        return {}
    table = exact_index.table(store) if exact else "posts_fts"
    sql = f"""SELECT rowid, highlight({table}, 0, char(1), char(2)),
                     highlight({table}, 1, char(1), char(2))
              FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ?
              AND +rowid IN ({placeholders(len(post_ids))})"""
    authored = f"{{title content_text}} : ({match})"  # not a page's full text (see topics)
    params = (authored, post_ids[0], post_ids[-1], *post_ids)
    return {r[0]: (r[1], r[2]) for r in store.conn.execute(sql, params)}


def tags_of_posts(
    store: Store, post_ids: Sequence[int], topic_ids: Sequence[int] | None
) -> dict[TagKey, OldTag]:
    """(post, topic) -> (origin, reason) of every tag (any origin) on these posts, of these
    topics (or of all)."""
    sql = (
        "SELECT post_id, topic_id, origin, reason FROM post_topics "
        f"WHERE post_id IN ({placeholders(len(post_ids))})"
    )
    params: list[int] = list(post_ids)
    if topic_ids is not None:
        sql += f" AND topic_id IN ({placeholders(len(topic_ids))})"
        params.extend(topic_ids)
    return {(r[0], r[1]): (r[2], r[3]) for r in store.conn.execute(sql, params)}


def write_rule_tags(
    store: Store,
    *,
    insert: Iterable[tuple[int, int, str]],
    update: Iterable[tuple[int, int, str]],
    delete: Iterable[TagKey],
    at: str,
) -> None:
    """Add, re-word and delete rule tags, given as (post, topic[, reason])."""
    conn = store.conn
    conn.executemany(
        "DELETE FROM post_topics WHERE post_id = ? AND topic_id = ? AND origin = 'rule'", delete
    )
    conn.executemany(
        "UPDATE post_topics SET reason = ? WHERE post_id = ? AND topic_id = ? AND origin = 'rule'",
        ((reason, post_id, topic_id) for post_id, topic_id, reason in update),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO post_topics (post_id, topic_id, origin, reason, created_at) "
        "VALUES (?, ?, 'rule', ?, ?)",
        ((post_id, topic_id, reason, at) for post_id, topic_id, reason in insert),
    )


def drop_rule_tags_of_deleted_posts(store: Store, topic_ids: Sequence[int] | None) -> int:
    """Rule tags left on deleted posts (a rebuild looks at live posts only)."""
    sql = (
        "DELETE FROM post_topics WHERE origin = 'rule' AND post_id IN "
        "(SELECT id FROM posts WHERE deleted_at IS NOT NULL)"  # posts_deleted
    )
    params: list[int] = []
    if topic_ids is not None:
        sql += f" AND topic_id IN ({placeholders(len(topic_ids))})"
        params.extend(topic_ids)
    return store.conn.execute(sql, params).rowcount


def count_rule_tags(store: Store, topic_ids: Sequence[int] | None) -> int:
    sql, params = "SELECT count(*) FROM post_topics WHERE origin = 'rule'", list(topic_ids or ())
    if topic_ids is not None:
        sql += f" AND topic_id IN ({placeholders(len(topic_ids))})"
    return int(store.conn.execute(sql, params).fetchone()[0])
