"""Posts: batched upsert from fetchers, listing, read/saved state."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from plnctl.frozen import LazyData, frozen
from plnctl.models import Media, NewPost, Post, PostTag, TagOrigin
from plnctl.store import grouping
from plnctl.store.connection import Store
from plnctl.store.rows import json_tuple, one, placeholders, rows

# The columns a Post is built from: never p.*, so a list does not read each post's full text
# (posts.full_text, often the largest value in the row; get_post adds it).
_POST_COLUMNS = ", ".join(
    f"p.{c}"
    for c in """id source_id person_id guid url title author published_at updated_at content_html
    content_text fetched_at kind language categories in_reply_to boost_of_url boost_of_handle
    read_at saved_at save_note content_warning in_reply_to_handle group_id boosts replies""".split()  # noqa: SIM905
)
_POST_SELECT = """
SELECT {columns}, pe.name AS person_name, coalesce(s.handle, s.title, s.url) AS source_label,
       (SELECT group_concat(h.tag, ' ') FROM post_hashtags h WHERE h.post_id = p.id) AS tags,
       (SELECT bp.name FROM sources bs JOIN people bp ON bp.id = bs.person_id
        WHERE p.boost_of_handle IS NOT NULL AND bs.handle IS NOT NULL
        AND lower(bs.handle) = lower(p.boost_of_handle))
        AS boost_of_person,
       (SELECT coalesce(r.title, substr(r.content_text, 1, 120)) FROM posts r
        WHERE p.in_reply_to IS NOT NULL AND r.url = p.in_reply_to LIMIT 1) AS in_reply_to_title
FROM posts p
LEFT JOIN people pe ON pe.id = p.person_id
LEFT JOIN sources s ON s.id = p.source_id
"""
_POST_SQL = _POST_SELECT.format(columns=_POST_COLUMNS)
_POST_SHOWN_SQL = _POST_SELECT.format(columns=_POST_COLUMNS + ", p.full_text")  # post show


@frozen
class UpsertResult(LazyData):
    new_ids: tuple[int, ...]
    updated_ids: tuple[int, ...]
    ids_by_guid: dict[str, int] = field(default_factory=dict)  # the new and updated ones


def _post(row: sqlite3.Row, tags: tuple[PostTag, ...] = (), media: tuple[Media, ...] = ()) -> Post:
    return Post(
        id=row["id"],
        source_id=row["source_id"],
        person_id=row["person_id"],
        guid=row["guid"],
        url=row["url"],
        title=row["title"],
        author=row["author"],
        published_at=row["published_at"],
        updated_at=row["updated_at"],
        content_html=row["content_html"],
        content_text=row["content_text"],
        fetched_at=row["fetched_at"],
        kind=row["kind"],
        language=row["language"],
        categories=json_tuple(row["categories"]),
        hashtags=tuple(sorted(row["tags"].split())) if row["tags"] else (),
        in_reply_to=row["in_reply_to"],
        boost_of_url=row["boost_of_url"],
        boost_of_handle=row["boost_of_handle"],
        read_at=row["read_at"],
        saved_at=row["saved_at"],
        save_note=row["save_note"],
        person_name=row["person_name"],
        source_label=row["source_label"],
        tags=tags,
        media=media,
        content_warning=row["content_warning"],
        in_reply_to_handle=row["in_reply_to_handle"],
        boost_of_person=row["boost_of_person"],
        in_reply_to_title=row["in_reply_to_title"],
        group_id=row["group_id"],
        boosts=row["boosts"],
        replies=row["replies"],
    )


def _values(post: NewPost) -> tuple[object, ...]:
    return (
        post.url,
        post.title,
        post.author,
        post.published_at or post.updated_at,
        post.updated_at,
        post.content_html,
        post.content_text,
        post.kind,
        post.language,
        json.dumps(list(post.categories)) if post.categories else None,
        post.in_reply_to,
        post.boost_of_url,
        post.boost_of_handle,
        post.edited_at,
        post.content_warning,
        post.in_reply_to_handle,
        post.link_key,
        post.points_to_key,
        post.boosts,
        post.replies,
    )


_FIELDS = (
    "url, title, author, published_at, updated_at, content_html, content_text, kind, "
    "language, categories, in_reply_to, boost_of_url, boost_of_handle, edited_at, "
    "content_warning, in_reply_to_handle, link_key, points_to_key, boosts, replies"
)


def _changed(existing: sqlite3.Row, post: NewPost) -> bool:
    return (
        existing["title"] != post.title
        or existing["content_html"] != post.content_html
        or existing["content_text"] != post.content_text
        or existing["url"] != post.url
        or (existing["edited_at"] or None) != post.edited_at
        or existing["content_warning"] != post.content_warning
        or (existing["media_urls"] or "") != " ".join(m.url for m in post.media)
        or existing["points_to_key"] != post.points_to_key
        or (post.boosts, post.replies) != (existing["boosts"], existing["replies"])
    )


def _existing(conn: sqlite3.Connection, source_id: int, guids: list[str]) -> dict[str, sqlite3.Row]:
    """The stored posts of a source with these guids, with what ``_changed`` compares."""
    existing: dict[str, sqlite3.Row] = {}
    for start in range(0, len(guids), 500):
        chunk = guids[start : start + 500]
        for found in rows(
            conn,
            f"""SELECT id, guid, title, content_html, content_text, url, edited_at, deleted_at,
                content_warning, points_to_key, boosts, replies,
                (SELECT group_concat(m.url, ' ') FROM post_media m WHERE m.post_id = posts.id)
                AS media_urls
                FROM posts WHERE source_id = ? AND guid IN ({placeholders(len(chunk))})""",
            (source_id, *chunk),
        ):
            existing[found["guid"]] = found
    return existing


def upsert_posts(
    store: Store,
    source_id: int,
    person_id: int | None,
    posts: Sequence[NewPost],
    *,
    fetched_at: str,
    indexed: bool = True,
) -> UpsertResult:
    """Insert new posts and update changed ones, in the caller's transaction.

    A post marked deleted is never resurrected. Duplicate guids within one batch keep the first.
    """
    pending = plan_upsert(
        store, source_id, person_id, posts, fetched_at=fetched_at, indexed=indexed
    )
    insert_pending(store, [pending])
    return finish_upsert(store, pending)


@dataclass
class PendingUpsert:
    """One source's upsert between its steps: changed posts updated, new ones still to insert
    (``insert_pending`` inserts those of many sources in one statement)."""

    key: tuple[int, int | None, str, int]  # source_id, person_id, fetched_at, indexed
    fresh: list[tuple[str, NewPost]]
    updated_ids: list[int]
    ids_by_guid: dict[str, int]
    facets: _Facets
    new_ids: list[int] = field(default_factory=list)


def plan_upsert(
    store: Store,
    source_id: int,
    person_id: int | None,
    posts: Sequence[NewPost],
    *,
    fetched_at: str,
    indexed: bool = True,
) -> PendingUpsert:
    """``upsert_posts``' first step: update the changed posts, set the new ones aside."""
    conn = store.conn
    unique: dict[str, NewPost] = {}
    for post in posts:
        unique.setdefault(post.guid, post)
    existing = _existing(conn, source_id, list(unique))
    pending = PendingUpsert((source_id, person_id, fetched_at, int(indexed)), [], [], {}, _Facets())
    for guid, post in unique.items():
        row = existing.get(guid)
        if row is None:
            pending.fresh.append((guid, post))
        elif row["deleted_at"] is None and _changed(row, post):
            post_id = row["id"]
            assignments = ", ".join(f"{name.strip()} = ?" for name in _FIELDS.split(","))
            conn.execute(f"UPDATE posts SET {assignments} WHERE id = ?", (*_values(post), post_id))
            pending.updated_ids.append(post_id)
            pending.ids_by_guid[guid] = post_id
            pending.facets.add(post_id, post)
    return pending


def finish_upsert(store: Store, pending: PendingUpsert) -> UpsertResult:
    """``upsert_posts``' last step, after ``insert_pending``: facets and grouping."""
    for (guid, post), post_id in zip(pending.fresh, pending.new_ids, strict=True):
        pending.ids_by_guid[guid] = post_id
        pending.facets.add(post_id, post)
    pending.facets.write(store.conn, replace=pending.updated_ids)
    grouping.regroup(store.conn, [*pending.new_ids, *pending.updated_ids])
    return UpsertResult(tuple(pending.new_ids), tuple(pending.updated_ids), pending.ids_by_guid)


_INSERT_COLUMNS = f"source_id, person_id, fetched_at, indexed, guid, {_FIELDS}"
_INSERT_ROW = f"({placeholders(5 + len(_FIELDS.split(',')))})"
_INSERT_ROWS = 256  # rows per INSERT at most (6,400 variables; SQLite allows 32,766)


def insert_pending(store: Store, upserts: Sequence[PendingUpsert]) -> None:
    """Insert the new posts of these upserts, in their order, many rows per statement, and
    give each upsert its new ids.

    One statement for the new posts of a whole batch of sources, not one each: the FTS5
    triggers then add them to the indexes' in-memory terms together. SQLite (3.40) opens a
    statement savepoint for each statement that fires a trigger, and FTS5 writes its pending
    terms to disk at every savepoint, so a statement per post wrote a tiny index segment per
    post and table that later merges rewrote again (most of a cold sync's storing CPU).
    """
    conn = store.conn
    width = 5 + len(_FIELDS.split(","))
    most = max(1, min(_INSERT_ROWS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    most = 1 << (most.bit_length() - 1)
    rows = [(u, guid, post) for u in upserts for guid, post in u.fresh]
    start = 0
    while start < len(rows):
        # Statements of 2**k rows only: sqlite3 caches each statement it prepared, with the
        # values last bound to it, so one shape per row count would keep up to 128 of them
        # (and their posts' text) alive: here at most 9 shapes.
        size = 1 << (min(most, len(rows) - start).bit_length() - 1)
        chunk = rows[start : start + size]
        start += size
        values = [v for u, guid, post in chunk for v in (*u.key, guid, *_values(post))]
        found = {
            (source_id, guid): post_id
            for source_id, guid, post_id in conn.execute(
                f"INSERT INTO posts ({_INSERT_COLUMNS}) VALUES "
                f"{', '.join([_INSERT_ROW] * len(chunk))} RETURNING source_id, guid, id",
                values,
            ).fetchall()
        }  # RETURNING's order is unspecified: matched by (source, guid), which is unique
        for u, guid, _ in chunk:
            u.new_ids.append(found[u.key[0], guid])


_FACET_TABLES = (("post_hashtags", "tag"), ("post_links", "url"), ("post_mentions", "handle"))


@dataclass
class _Facets:
    """The hashtags, links, mentions and media of the posts of one upsert, written with one
    ``executemany`` per table (a new post has none to delete: post ids are never reused)."""

    rows: dict[str, list[tuple[object, ...]]] = field(
        default_factory=lambda: {table: [] for table, _ in (*_FACET_TABLES, ("post_media", ""))}
    )

    def add(self, post_id: int, post: NewPost) -> None:
        rows = self.rows
        rows["post_hashtags"] += [
            (post_id, t) for t in {h.lower().lstrip("#") for h in post.hashtags if h}
        ]
        rows["post_links"] += [(post_id, u) for u in set(post.links)]
        rows["post_mentions"] += [
            (post_id, m) for m in {h.lower().lstrip("@") for h in post.mentions if h}
        ]
        rows["post_media"] += [
            (post_id, i, m.url, m.type, m.medium, m.length, m.duration, m.title, m.image)
            for i, m in enumerate(post.media)
        ]

    def write(self, conn: sqlite3.Connection, *, replace: Sequence[int]) -> None:
        for start in range(0, len(replace), 500):
            chunk = replace[start : start + 500]
            for table in self.rows:
                conn.execute(
                    f"DELETE FROM {table} WHERE post_id IN ({placeholders(len(chunk))})", chunk
                )
        for table, column in _FACET_TABLES:
            if self.rows[table]:
                conn.executemany(
                    f"INSERT OR IGNORE INTO {table} (post_id, {column}) VALUES (?, ?)",
                    self.rows[table],
                )
        if self.rows["post_media"]:
            conn.executemany(
                """INSERT INTO post_media (post_id, position, url, type, medium, length,
                   duration, title, image) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                self.rows["post_media"],
            )


def media_of(store: Store, post_ids: Sequence[int]) -> dict[int, tuple[Media, ...]]:
    """The media of these posts, in their feed order, in one query per 500 posts."""
    found: dict[int, list[Media]] = {}
    ids = list(post_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in rows(
            store.conn,
            f"""SELECT * FROM post_media WHERE post_id IN ({placeholders(len(chunk))})
                ORDER BY post_id, position""",
            chunk,
        ):
            found.setdefault(r["post_id"], []).append(
                Media(
                    url=r["url"],
                    type=r["type"],
                    medium=r["medium"],
                    length=r["length"],
                    duration=r["duration"],
                    title=r["title"],
                    image=r["image"],
                )
            )
    return {k: tuple(v) for k, v in found.items()}


def with_media(store: Store, posts: Sequence[Post]) -> list[Post]:
    media = media_of(store, [p.id for p in posts])
    return [dataclasses.replace(p, media=media[p.id]) if p.id in media else p for p in posts]


def mark_deleted(store: Store, source_id: int, guids: Sequence[str], *, at: str) -> int:
    if not guids:
        return 0
    return store.conn.execute(
        f"UPDATE posts SET deleted_at = ? WHERE source_id = ? AND deleted_at IS NULL "
        f"AND guid IN ({placeholders(len(guids))})",
        (at, source_id, *guids),
    ).rowcount


def delete_unsaved_source_posts(store: Store, source_id: int) -> int:
    """Remove a source's posts except those on the reading list (a followed tag's strangers)."""
    return store.conn.execute(
        "DELETE FROM posts WHERE source_id = ? AND saved_at IS NULL", (source_id,)
    ).rowcount


def count_by_source(store: Store, source_ids: Sequence[int]) -> dict[int, int]:
    """Live posts per source."""
    if not source_ids:
        return {}
    found = store.conn.execute(
        f"SELECT source_id, count(*) FROM posts WHERE deleted_at IS NULL "
        f"AND source_id IN ({placeholders(len(source_ids))}) GROUP BY source_id",
        tuple(source_ids),
    )
    return {int(source_id): int(count) for source_id, count in found}


def withhold_source_posts(store: Store, source_id: int, *, at: str) -> int:
    """The author withdrew consent to be shown: every post of the source leaves lists and
    search and loses its text (rows stay so saved and read state keep their ids)."""
    return store.conn.execute(
        "UPDATE posts SET deleted_at = coalesce(deleted_at, ?), title = NULL, "
        "content_html = NULL, content_text = NULL WHERE source_id = ?",
        (at, source_id),
    ).rowcount


def mark_unlisted_deleted(
    store: Store, source_id: int, span: tuple[str, str], listed: Sequence[str], *, at: str
) -> int:
    """Posts of a source published within ``span`` (inclusive) whose guid the source no longer
    lists: deleted upstream. They are kept, marked deleted (out of lists and search).

    One set-based statement: only the rows that really are gone are written (an incremental
    sync of an unchanged span reads the span's index entries and writes nothing)."""
    return store.conn.execute(
        """UPDATE posts SET deleted_at = ? WHERE source_id = ? AND deleted_at IS NULL
           AND published_at >= ? AND published_at <= ?
           AND guid NOT IN (SELECT value FROM json_each(?))""",
        (at, source_id, span[0], span[1], json.dumps(list(listed))),
    ).rowcount


def post_tags(store: Store, post_id: int) -> tuple[PostTag, ...]:
    return tuple(
        PostTag(topic=r["name"], origin=TagOrigin(r["origin"]), reason=r["reason"])
        for r in rows(
            store.conn,
            """SELECT t.name, pt.origin, pt.reason FROM post_topics pt
            JOIN topics t ON t.id = pt.topic_id WHERE pt.post_id = ? ORDER BY t.name""",
            (post_id,),
        )
    )


def get_post(store: Store, post_id: int) -> Post | None:
    row = one(store.conn, _POST_SHOWN_SQL + " WHERE p.id = ?", (post_id,))
    if not row:
        return None
    post = _post(row, post_tags(store, post_id), media_of(store, [post_id]).get(post_id, ()))
    post = grouping.with_groups(store.conn, [post], None)[0]
    return dataclasses.replace(post, full_text=row["full_text"]) if row["full_text"] else post


# The order of every list: publication time, else arrival (the index posts_when holds it).
WHEN = "coalesce(p.published_at, p.fetched_at)"


@frozen
class PostFilter(LazyData):
    """Which live posts a list or a bulk change covers; every field narrows it."""

    since: str | None = None  # arrived (fetched_at) since: the one --since rule
    until: str | None = None  # arrived before
    person_id: int | None = None
    topic_id: int | None = None
    source_id: int | None = None
    unread: bool = False
    read: bool = False
    saved: bool = False
    ids: tuple[int, ...] = ()
    id_ranges: tuple[tuple[int, int], ...] = ()  # inclusive; with ids: either matches


def filter_sql(f: PostFilter) -> tuple[str, list[object]]:
    """The WHERE clause (over ``posts p``) and its parameters for ``f``."""
    where: list[str] = ["p.deleted_at IS NULL", grouping.VISIBLE]
    params: list[object] = []
    for clause, value in (
        ("p.fetched_at >= ?", f.since),
        ("p.fetched_at < ?", f.until),
        ("p.person_id = ?", f.person_id),
        ("p.source_id = ?", f.source_id),
        # EXISTS, not IN: the list order's index is read in order and each post probed by the
        # primary key (100,000 posts, a topic of 35,000: 1.7 ms a page instead of 130 ms). A
        # lead has its group's topics (the second probe runs for leads only).
        (grouping.topic_match("= ?"), f.topic_id),
    ):
        if value is not None:
            where.append(clause)
            params.extend([value] * clause.count("?"))  # the topic clause asks twice
    for clause, wanted in (
        ("p.read_at IS NULL", f.unread),
        ("p.read_at IS NOT NULL", f.read),
        ("p.saved_at IS NOT NULL", f.saved),
    ):
        if wanted:
            where.append(clause)
    if f.ids or f.id_ranges:
        either = [f"p.id IN ({placeholders(len(f.ids))})"] if f.ids else []
        either += ["p.id BETWEEN ? AND ?"] * len(f.id_ranges)
        where.append("(" + " OR ".join(either) + ")")
        params.extend(f.ids)
        params.extend(bound for pair in f.id_ranges for bound in pair)
    return " AND ".join(where), params


def list_posts(
    store: Store,
    *,
    since: str | None = None,
    until: str | None = None,
    person_id: int | None = None,
    topic_id: int | None = None,
    source_id: int | None = None,
    unread: bool = False,
    saved: bool = False,
    limit: int | None = 50,
    offset: int = 0,
    oldest_first: bool = False,
) -> list[Post]:
    """One page of live posts, newest first (the query: ``store.reading.list_sql``)."""
    from plnctl.store import reading

    f = PostFilter(
        since=since,
        until=until,
        person_id=person_id,
        topic_id=topic_id,
        source_id=source_id,
        unread=unread,
        saved=saved,
    )
    return reading.list_posts(store, f, oldest_first=oldest_first, limit=limit, offset=offset)


def set_read(
    store: Store, post_ids: Sequence[int], read_at: str | None, *, only_unread: bool = False
) -> int:
    """Set (or clear) the read time of these posts, 500 at a time; ``only_unread`` keeps the
    first read time of posts already read. Returns how many rows changed."""
    changed = 0
    ids = grouping.leads_of(store.conn, post_ids)  # a group is read as one (issue 12)
    extra = " AND read_at IS NULL" if only_unread else ""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        changed += store.conn.execute(
            f"UPDATE posts SET read_at = ? WHERE id IN ({placeholders(len(chunk))}){extra}",
            (read_at, *chunk),
        ).rowcount
    grouping.follow_leads(store.conn)
    return changed


def set_read_where(store: Store, f: PostFilter, read_at: str | None) -> int:
    """Mark the posts ``f`` covers read (``read_at``) or unread (None); returns how many
    changed (posts already in that state are left alone and not counted)."""
    if f.ids or f.id_ranges:  # a grouped post named by id or range reads its group's lead
        leads = grouping.leads_in(store.conn, f.ids, f.id_ranges)
        f = dataclasses.replace(f, ids=tuple(dict.fromkeys([*f.ids, *leads])))
    where, params = filter_sql(f)
    state = "p.read_at IS NULL" if read_at else "p.read_at IS NOT NULL"
    changed = store.conn.execute(
        f"UPDATE posts AS p SET read_at = ? WHERE {where} AND {state}", (read_at, *params)
    ).rowcount
    grouping.follow_leads(store.conn)  # the grouped posts of the leads it marked
    return changed


def set_saved(store: Store, post_id: int, saved_at: str | None, note: str | None) -> int:
    return store.conn.execute(
        "UPDATE posts SET saved_at = ?, save_note = ? WHERE id = ?", (saved_at, note, post_id)
    ).rowcount


def count_posts(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM posts").fetchone()[0])
