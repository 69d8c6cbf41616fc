"""The list queries (`post list`, the reader): a page of a list after a keyset cursor or an
offset, and the sidebar's unread counts.

Every query here reads an index for its filter and its order (migrations 0015, 0018): a page
is ~50 index entries however big the table, and the counts read the partial index of unread
posts. tests/test_query_plans.py holds them to it for every filter combination.
"""

from __future__ import annotations

from plnctl.models import Post
from plnctl.store import grouping
from plnctl.store.connection import Store
from plnctl.store.posts import _POST_SQL, WHEN, PostFilter, _post, filter_sql, with_media
from plnctl.store.rows import rows


def _from(f: PostFilter) -> str:
    """``posts p`` with the index that holds exactly the posts ``f`` wants, where the planner
    would otherwise walk the order index past every other post (its statistics, from the last
    ANALYZE, do not know how many posts are read now): the reading list, or unread posts."""
    if f.saved:
        return "posts p INDEXED BY posts_saved"
    if f.unread and f.person_id is None and not (f.ids or f.id_ranges):
        return "posts p INDEXED BY posts_unread_when"
    return "posts p"


def order_index(f: PostFilter) -> str | None:
    """The index that holds ``f``'s posts in list order (migrations 0015, 0018), so a page
    reads as many index entries as it shows; None for posts named by id (a small set,
    found by the primary key and sorted). Named in INDEXED BY: the plan must not depend on
    sqlite_stat1, which knows neither how many posts are read now nor how big a window is."""
    if f.ids or f.id_ranges:
        return None
    if f.saved:
        return "posts_saved_when"
    if f.person_id is not None:
        return "posts_unread_person" if f.unread else "posts_person_when"
    if f.source_id is not None:
        return "posts_source_when"
    return "posts_unread_when" if f.unread else "posts_when"


# The earliest list-order moment of the posts that arrived in a --since window: no post of
# the window sorts before it, so the order index is read from there (oldest first) or down
# to there at most (newest first) instead of to its end. From one covering index range.
WINDOW_START = (
    f"{WHEN} >= (SELECT min(coalesce(pw.published_at, pw.fetched_at)) FROM posts pw "
    "INDEXED BY posts_arrived_cover WHERE pw.deleted_at IS NULL AND pw.fetched_at >= ?)"
)


# A topic with fewer tags than this is listed from its tags (each post by its key, then
# sorted): walking the order index for it would read every post to find a handful (1.3 s at
# 1,000,000 posts for a topic that tags none). Bigger topics match often enough that the
# walk stops after a few entries per post shown (a topic on 3 % of posts: ~700 for 20).
SMALL_TOPIC = 2000


def small_topic(store: Store, f: PostFilter) -> bool:
    """Whether ``f`` names a topic with fewer than SMALL_TOPIC tags (reads at most that many
    entries of the topic/origin index)."""
    if f.topic_id is None:
        return False
    sql = """SELECT count(*) FROM (SELECT 1 FROM post_topics WHERE topic_id = ?
             AND origin != 'blocked' LIMIT ?)"""
    return int(store.conn.execute(sql, (f.topic_id, SMALL_TOPIC)).fetchone()[0]) < SMALL_TOPIC


def list_sql(
    f: PostFilter,
    *,
    oldest_first: bool = False,
    after: tuple[str, int] | None = None,
    limit: int | None = 50,
    offset: int = 0,
    by_topic: bool = False,
) -> tuple[str, list[object]]:
    """The query of one page of a list: ``f``'s posts newest first (or oldest first), after
    the post whose (when, id) is ``after``, ``offset`` skipped; ``by_topic``: found from the
    tags of ``f``'s (small) topic. Every list (``post list``, the reader) is built here;
    tests/test_query_plans.py checks the plan of each filter."""
    where, params = filter_sql(f)
    order, beyond = ("ASC", ">") if oldest_first else ("DESC", "<")
    index = order_index(f)
    if by_topic and f.topic_id is not None:
        index = None
        where += (
            # a tagged post, or the lead of its group (a lead has its group's topics)
            " AND p.id IN (SELECT coalesce(g.group_id, pt.post_id) FROM post_topics pt "
            "JOIN posts g ON g.id = pt.post_id WHERE pt.topic_id = ? AND pt.origin != 'blocked')"
        )
        params.append(f.topic_id)
    if f.since is not None and index is not None:
        where += f" AND {WINDOW_START}"
        params.append(f.since)
    if after is not None:
        where += f" AND ({WHEN}, p.id) {beyond} (?, ?)"
        params += [after[0], after[1]]
    # NOT INDEXED: posts named by id or tag are found by their key, never by walking an index.
    source = f"posts p INDEXED BY {index}" if index else "posts p NOT INDEXED"
    sql = _POST_SQL.replace("FROM posts p\n", f"FROM {source}\n", 1)
    sql += f" WHERE {where} ORDER BY {WHEN} {order}, p.id {order}"
    if limit is not None or offset:
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
    return sql, params


def list_posts(
    store: Store,
    f: PostFilter,
    *,
    oldest_first: bool = False,
    limit: int | None = 50,
    offset: int = 0,
) -> list[Post]:
    """``post list``: one page of ``f``'s posts, with their media."""
    by_topic = small_topic(store, f)
    sql, params = list_sql(
        f, oldest_first=oldest_first, limit=limit, offset=offset, by_topic=by_topic
    )
    found = [_post(r) for r in rows(store.conn, sql, params)]
    return with_media(store, grouping.with_groups(store.conn, found, None))


def page_posts(
    store: Store,
    f: PostFilter,
    *,
    after: tuple[str, int] | None = None,
    oldest_first: bool = False,
    limit: int = 50,
) -> list[Post]:
    """Up to ``limit`` posts of ``f`` in list order (newest first, or oldest first), starting
    after the post whose (when, id) is ``after``."""
    by_topic = small_topic(store, f)
    sql, params = list_sql(
        f, oldest_first=oldest_first, after=after, limit=limit, by_topic=by_topic
    )
    return grouping.with_groups(store.conn, [_post(r) for r in rows(store.conn, sql, params)], None)


def count_posts(store: Store, f: PostFilter) -> int:
    where, params = filter_sql(f)
    sql = f"SELECT count(*) FROM {_from(f)} WHERE {where}"
    return int(store.conn.execute(sql, params).fetchone()[0])


def unread_by_person(store: Store) -> dict[int, int]:
    where, params = filter_sql(PostFilter(unread=True))
    return {
        r[0]: r[1]
        for r in store.conn.execute(
            f"SELECT p.person_id, count(*) FROM posts p WHERE {where} AND p.person_id IS NOT NULL "
            "GROUP BY p.person_id",
            params,
        )
    }


def unread_by_topic(store: Store) -> dict[int, int]:
    where, params = filter_sql(PostFilter(unread=True))
    return {
        r[0]: r[1]
        for r in store.conn.execute(
            # The unread posts first, each one's tags by primary key (not every tag, probing
            # whether its post is read): 100,000 posts, 2,000 unread: 1.4 ms instead of 400.
            f"""SELECT pt.topic_id, count(*) FROM posts p INDEXED BY posts_unread_when
                CROSS JOIN post_topics pt ON pt.post_id = p.id AND pt.origin != 'blocked'
                WHERE {where} GROUP BY pt.topic_id""",
            params,
        )
    }


def topics_with_posts(store: Store) -> set[int]:
    """Topics that tag at least one post: one seek per topic in the topic/origin index (a
    DISTINCT over post_topics read all of it: 2,000,000 tags at 1,000,000 posts)."""
    sql = """SELECT t.id FROM topics t WHERE EXISTS (SELECT 1 FROM post_topics pt
             WHERE pt.topic_id = t.id AND pt.origin != 'blocked')"""
    return {int(row[0]) for row in store.conn.execute(sql)}


def names(store: Store, table: str) -> list[tuple[int, str]]:
    """(id, name) of every topic or person, by name (their NOCASE name index gives the order)."""
    assert table in ("topics", "people")
    return [
        (r[0], r[1])
        for r in store.conn.execute(f"SELECT id, name FROM {table} ORDER BY name COLLATE NOCASE")
    ]
