"""Article pages fetched for full text: which posts still need theirs, and what each fetch found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from plnctl.store.connection import Store
from plnctl.store.rows import placeholders

MAX_ATTEMPTS = 3  # a page that keeps failing (timeouts, 5xx) is given up after this many syncs
_STORED = {"unchanged": "ok"}  # a 304 confirms the text kept


@dataclass(frozen=True)
class PageJob:
    post_id: int
    url: str
    etag: str | None
    last_modified: str | None
    attempts: int
    had_text: bool


@dataclass(frozen=True)
class PageResult:
    post_id: int
    url: str
    status: str  # ok | unchanged | noindex | robots | not_html | empty | failed
    text: str | None = None
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def pending(store: Store, source_ids: Sequence[int], *, since: str, limit: int) -> list[PageJob]:
    """Newest first: live posts of these sources that arrived since ``since`` and have a link,
    whose page was never fetched, changed since (``stale``), or failed fewer than
    MAX_ATTEMPTS times."""
    if not source_ids:
        return []
    sql = f"""SELECT p.id, p.url, g.etag, g.last_modified, coalesce(g.attempts, 0),
                     p.full_text IS NOT NULL
              FROM posts p INDEXED BY posts_arrived_cover LEFT JOIN post_pages g ON g.post_id = p.id
              WHERE p.fetched_at >= ? AND p.source_id IN ({placeholders(len(source_ids))})
                AND p.deleted_at IS NULL AND p.url IS NOT NULL
                AND (g.post_id IS NULL OR g.status = 'stale'
                     OR (g.status = 'failed' AND g.attempts < {MAX_ATTEMPTS}))
              ORDER BY p.fetched_at DESC LIMIT ?"""
    return [
        PageJob(r[0], r[1], r[2], r[3], r[4], bool(r[5]))
        for r in store.conn.execute(sql, (since, *source_ids, limit))
    ]


def record(store: Store, results: Iterable[PageResult], *, at: str) -> None:
    """Store each fetch (one transaction is the caller's). ``ok`` replaces the post's full
    text; ``unchanged`` keeps it; a page that now says noindex loses the text kept before."""
    conn = store.conn
    for r in results:
        stored = _STORED.get(r.status, r.status)
        conn.execute(
            """INSERT INTO post_pages
                   (post_id, url, status, detail, attempts, etag, last_modified, fetched_at)
               VALUES (?, ?, ?, ?, 1, ?, ?, ?)
               ON CONFLICT (post_id) DO UPDATE SET
                   url = excluded.url, status = excluded.status, detail = excluded.detail,
                   attempts = CASE WHEN excluded.status = 'failed'
                                   THEN post_pages.attempts + 1 ELSE 1 END,
                   etag = coalesce(excluded.etag, post_pages.etag),
                   last_modified = coalesce(excluded.last_modified, post_pages.last_modified),
                   fetched_at = excluded.fetched_at""",
            (r.post_id, r.url, stored, r.detail, r.etag, r.last_modified, at),
        )
        if r.status == "ok":
            conn.execute("UPDATE posts SET full_text = ? WHERE id = ?", (r.text, r.post_id))
        elif r.status in ("noindex", "robots"):
            conn.execute(
                "UPDATE posts SET full_text = NULL WHERE id = ? AND full_text IS NOT NULL",
                (r.post_id,),
            )


def page_of(store: Store, post_id: int) -> dict[str, object] | None:
    """The last fetch of a post's page (status, detail, fetched_at), for ``post show``."""
    row = store.conn.execute(
        "SELECT status, detail, fetched_at FROM post_pages WHERE post_id = ?", (post_id,)
    ).fetchone()
    return None if row is None else {"status": row[0], "detail": row[1], "fetched_at": row[2]}
