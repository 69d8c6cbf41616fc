"""One item per idea (issue 12): a status that points to an article by the same person joins
that article's group.

``posts.group_id`` is the lead's id on every post of a group (the lead holds its own id) and
NULL on a post that is alone. The lead is the article (the lowest id when one person has two
copies of it); a status joins when its ``points_to_key`` (its link card, else its one link)
equals the article's ``link_key`` and both have the same person. A boost joins only when the
boosted account is the same person's. Two people who share one link stay two items.

Lists show leads and lone posts (``VISIBLE``); a lead's topics are the union of its group's
(``topic_match``); read state is the group's (``follow_leads``).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence

from plnctl.models import Also, Post, PostTag
from plnctl.store.rows import placeholders, rows

# Over ``posts p``: a lone post or a group's lead (a grouped status is shown through its lead).
VISIBLE = "(p.group_id IS NULL OR p.group_id = p.id)"

# Only rows whose group changes are written (an incremental sync rewrites nothing it stored).
_JOIN = """
UPDATE posts SET group_id = c.g FROM (
    SELECT m.id AS id, (
        SELECT min(a.id) FROM posts a
        WHERE a.link_key = m.points_to_key AND a.person_id = m.person_id AND a.kind = 'article'
        AND a.deleted_at IS NULL AND a.id != m.id
        AND (m.boost_of_handle IS NULL OR EXISTS (
            SELECT 1 FROM sources s WHERE s.person_id = m.person_id AND s.handle IS NOT NULL
            AND lower(s.handle) = lower(m.boost_of_handle)))) AS g
    FROM posts m WHERE m.kind = 'status' AND {which}) AS c
WHERE posts.id = c.id AND posts.group_id IS NOT c.g
"""
# Leads hold their own id; a lead whose last member left is alone again.
_LEADS = """
UPDATE posts SET group_id = id WHERE group_id IS NULL AND id IN (
    SELECT group_id FROM posts INDEXED BY posts_group WHERE group_id IS NOT NULL)
"""
_ALONE = """
UPDATE posts AS l SET group_id = NULL WHERE l.id IN (
    SELECT id FROM posts INDEXED BY posts_group WHERE group_id = id)
    AND NOT EXISTS (SELECT 1 FROM posts m WHERE m.group_id = l.id AND m.id != l.id)
"""


def topic_match(topics_sql: str) -> str:
    """Over ``posts p``: the post, or (for a lead) a post of its group, has one of the topics
    ``topics_sql`` names (``= ?`` or ``IN (?, ?)``); blocked tags do not count."""
    return (
        f"(EXISTS (SELECT 1 FROM post_topics pt WHERE pt.post_id = p.id "
        f"AND pt.topic_id {topics_sql} AND pt.origin != 'blocked') "
        f"OR (p.group_id = p.id AND EXISTS (SELECT 1 FROM posts g "
        f"JOIN post_topics gt ON gt.post_id = g.id WHERE g.group_id = p.id AND g.id != p.id "
        f"AND gt.topic_id {topics_sql} AND gt.origin != 'blocked')))"
    )


def regroup(conn: sqlite3.Connection, post_ids: Sequence[int]) -> None:
    """Group these new or changed posts, in either order of arrival: a status joins the
    article it points to, and an article gathers the statuses already stored that point to
    it. Set-based: one statement per 500 posts, then the leads."""
    ids = list(post_ids)
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = placeholders(len(chunk))
        which = (
            f"(m.id IN ({marks}) OR m.points_to_key IN (SELECT link_key FROM posts "
            f"WHERE id IN ({marks}) AND kind = 'article' AND link_key IS NOT NULL))"
        )
        changed += conn.execute(_JOIN.format(which=which), (*chunk, *chunk)).rowcount
    if changed:  # leads, lone posts and read state change only when a membership did
        _settle(conn)


def regroup_all(conn: sqlite3.Connection) -> int:
    """Group every stored status (the migration); returns how many joined a group."""
    conn.execute(_JOIN.format(which="m.points_to_key IS NOT NULL"))
    _settle(conn)
    found = conn.execute("SELECT count(*) FROM posts WHERE group_id != id").fetchone()
    return int(found[0])


def _settle(conn: sqlite3.Connection) -> None:
    conn.execute(_LEADS)
    conn.execute(_ALONE)
    # A post that joins a group read (or a lead that arrives after its toot was read) takes
    # the group's state: the idea was seen.
    conn.execute(
        """UPDATE posts AS l SET read_at = (SELECT min(m.read_at) FROM posts m
           WHERE m.group_id = l.id AND m.read_at IS NOT NULL)
           WHERE l.id IN (SELECT id FROM posts INDEXED BY posts_group WHERE group_id = id)
           AND l.read_at IS NULL"""
    )
    follow_leads(conn)


def follow_leads(conn: sqlite3.Connection) -> int:
    """Every grouped post takes its lead's read state (after the lead was marked)."""
    return conn.execute(
        """UPDATE posts AS m SET read_at = (SELECT l.read_at FROM posts l WHERE l.id = m.group_id)
           WHERE m.id IN (SELECT id FROM posts INDEXED BY posts_group
                          WHERE group_id IS NOT NULL AND group_id != id)
           AND m.read_at IS NOT (SELECT l.read_at FROM posts l WHERE l.id = m.group_id)"""
    ).rowcount


def leads_of(conn: sqlite3.Connection, post_ids: Sequence[int]) -> list[int]:
    """These posts with each grouped one replaced by its lead (order kept, no repeats)."""
    found: dict[int, int] = {}
    ids = list(post_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT id, group_id FROM posts WHERE id IN ({placeholders(len(chunk))})"
        found.update((r[0], r[1] or r[0]) for r in conn.execute(sql, chunk))
    return list(dict.fromkeys(found.get(i, i) for i in ids))


def leads_in(
    conn: sqlite3.Connection, ids: Sequence[int], ranges: Sequence[tuple[int, int]]
) -> list[int]:
    """The leads of the grouped posts among these ids and inclusive id ranges."""
    found = [i for i in leads_of(conn, ids) if i not in ids]
    for low, high in ranges:
        found += [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT group_id FROM posts INDEXED BY posts_group "
                "WHERE group_id IS NOT NULL AND id BETWEEN ? AND ?",
                (low, high),
            )
        ]
    return found


_NETWORKS = {"mastodon": "Mastodon", "bluesky": "Bluesky"}


def _also(r: sqlite3.Row) -> Also:
    return Also(
        post_id=r["id"],
        network=_NETWORKS.get(r["source_kind"] or "", "blog" if r["kind"] == "article" else "web"),
        url=r["url"],
        boosts=r["boosts"],
        replies=r["replies"],
        handle=r["handle"],
        lead=r["id"] == r["group_id"],
        key=r["link_key"] if r["id"] == r["group_id"] else r["points_to_key"],
    )


def groups_of(conn: sqlite3.Connection, group_ids: Sequence[int]) -> dict[int, list[Also]]:
    """group id -> its live posts (the lead first), in one query per 500 groups."""
    found: dict[int, list[Also]] = {}
    ids = sorted(set(group_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in rows(
            conn,
            f"""SELECT p.id, p.group_id, p.url, p.kind, p.boosts, p.replies, p.link_key,
                p.points_to_key, s.kind AS source_kind,
                coalesce(s.handle, s.title, s.url) AS handle
                FROM posts p LEFT JOIN sources s ON s.id = p.source_id
                WHERE p.group_id IN ({placeholders(len(chunk))}) AND p.deleted_at IS NULL
                ORDER BY p.group_id, p.id != p.group_id, p.id""",
            chunk,
        ):
            found.setdefault(r["group_id"], []).append(_also(r))
    return found


def with_groups(
    conn: sqlite3.Connection, posts: Sequence[Post], tags: dict[int, tuple[PostTag, ...]] | None
) -> list[Post]:
    """Each grouped post with the group's other posts in ``also``; with ``tags`` (post id ->
    its tags, for every post of the groups), a lead's tags become the union of its group's."""
    groups = groups_of(conn, [p.group_id for p in posts if p.group_id is not None])
    out = []
    for post in posts:
        members = groups.get(post.group_id or 0, [])
        if not members:
            out.append(post)
            continue
        also = tuple(a for a in members if a.post_id != post.id)
        union = post.tags
        if tags is not None and post.group_id == post.id:
            merged = {t.topic: t for m in members for t in tags.get(m.post_id, ())}
            merged.update({t.topic: t for t in post.tags})
            union = tuple(sorted(merged.values(), key=lambda t: t.topic.lower()))
        out.append(dataclasses.replace(post, also=also, tags=union))
    return out


def member_ids(conn: sqlite3.Connection, posts: Sequence[Post]) -> list[int]:
    """The other posts of these posts' groups (whose tags a union needs)."""
    groups = groups_of(conn, [p.group_id for p in posts if p.group_id == p.id])
    return [a.post_id for members in groups.values() for a in members if not a.lead]
