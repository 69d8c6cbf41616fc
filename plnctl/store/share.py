"""Sharing: digest watermarks and the queries behind digests and reading lists.

A watermark is the ``fetched_at`` up to which a named digest has been delivered: posts stored
after it are new to that digest (see ``docs/cron.md`` for the full semantics).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence

from plnctl.models import Answer, Post, PostTag, Question, QuestionState, TagOrigin
from plnctl.store import grouping
from plnctl.store.connection import Store
from plnctl.store.posts import _POST_SQL, _post, with_media
from plnctl.store.questions import COUNTED, answer_from_row
from plnctl.store.rows import one, placeholders, rows
from plnctl.timeutil import now_iso

# --- watermarks -----------------------------------------------------------------------------


def get_watermark(store: Store, name: str) -> str | None:
    row = one(store.conn, "SELECT until_at FROM digest_watermarks WHERE name = ?", (name,))
    return str(row["until_at"]) if row else None


def set_watermark(store: Store, name: str, until_at: str) -> None:
    store.conn.execute(
        """INSERT INTO digest_watermarks (name, until_at, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET until_at = excluded.until_at,
           updated_at = excluded.updated_at""",
        (name, until_at, now_iso()),
    )


def list_watermarks(store: Store) -> list[tuple[str, str, str]]:
    """(name, until_at, updated_at) for every named digest, by name."""
    return [
        (r["name"], r["until_at"], r["updated_at"])
        for r in rows(store.conn, "SELECT * FROM digest_watermarks ORDER BY name")
    ]


def recipient_marks(store: Store, name: str, recipients: Sequence[str]) -> dict[str, str]:
    """recipient -> the ``until_at`` up to which that address has had digest ``name``
    (addresses without their own mark are absent: they start at the name's watermark)."""
    if not recipients:
        return {}
    found = rows(
        store.conn,
        f"SELECT recipient, until_at FROM digest_recipients WHERE name = ? "
        f"AND recipient IN ({placeholders(len(recipients))})",
        (name, *recipients),
    )
    return {r["recipient"]: str(r["until_at"]) for r in found}


def set_recipient_mark(
    store: Store, name: str, recipient: str, until_at: str, *, error: str | None = None
) -> None:
    """Record one recipient's delivery: ``until_at`` is how far it has had the digest (its old
    mark when this run failed for it, with ``error``)."""
    now = now_iso()
    store.conn.execute(
        """INSERT INTO digest_recipients
               (name, recipient, until_at, delivered_at, last_error, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (name, recipient) DO UPDATE SET until_at = excluded.until_at,
               delivered_at = COALESCE(excluded.delivered_at, delivered_at),
               last_error = excluded.last_error, updated_at = excluded.updated_at""",
        (name, recipient, until_at, None if error else now, error, now),
    )


# --- posts ----------------------------------------------------------------------------------


def topic_ids(store: Store, names: Sequence[str]) -> dict[str, int]:
    """Known topic names (case-insensitive) -> id; unknown names are simply absent."""
    found: dict[str, int] = {}
    for name in names:
        row = one(store.conn, "SELECT id FROM topics WHERE name = ? COLLATE NOCASE", (name,))
        if row:
            found[name] = int(row["id"])
    return found


def window_posts(
    store: Store,
    *,
    after: str,
    until: str,
    topic_ids: Sequence[int] = (),
    source_ids: Sequence[int] = (),
) -> list[Post]:
    """Posts stored in (after, until] by ``fetched_at``, with their topics, oldest first.

    ``fetched_at`` rather than ``published_at``: a post that arrives late (a feed that was down,
    a backdated article) is still new to the reader and is never skipped.
    """
    where = ["p.deleted_at IS NULL", grouping.VISIBLE, "p.fetched_at > ?", "p.fetched_at <= ?"]
    params: list[object] = [after, until]
    if topic_ids:
        where.append(grouping.topic_match(f"IN ({placeholders(len(topic_ids))})"))
        params.extend([*topic_ids, *topic_ids])
    if source_ids:
        where.append(f"p.source_id IN ({placeholders(len(source_ids))})")
        params.extend(source_ids)
    # The window by arrival (its index range), then sorted: every post of it is shown.
    sql = _POST_SQL.replace("FROM posts p\n", "FROM posts p INDEXED BY posts_arrived_cover\n", 1)
    sql += f" WHERE {' AND '.join(where)} ORDER BY coalesce(p.published_at, p.fetched_at), p.id"
    return with_media(store, grouped(store, [_post(r) for r in rows(store.conn, sql, params)]))


def grouped(store: Store, posts: Sequence[Post]) -> list[Post]:
    """The posts with their topics, a lead with its group's (the union) and its ``also``."""
    tags = tags_of(store, [*(p.id for p in posts), *grouping.member_ids(store.conn, posts)])
    tagged = [dataclasses.replace(p, tags=tags.get(p.id, ())) for p in posts]
    return grouping.with_groups(store.conn, tagged, tags)


def tags_of(store: Store, post_ids: Sequence[int]) -> dict[int, tuple[PostTag, ...]]:
    """post id -> its (non-blocked) topics, in one query per 500 posts."""
    tags: dict[int, list[PostTag]] = {}
    ids = list(post_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for r in rows(
            store.conn,
            f"""SELECT pt.post_id, t.name, pt.origin, pt.reason FROM post_topics pt
                JOIN topics t ON t.id = pt.topic_id
                WHERE pt.origin != 'blocked' AND pt.post_id IN ({placeholders(len(chunk))})
                ORDER BY t.name COLLATE NOCASE""",
            chunk,
        ):
            tags.setdefault(r["post_id"], []).append(
                PostTag(topic=r["name"], origin=TagOrigin(r["origin"]), reason=r["reason"])
            )
    return {k: tuple(v) for k, v in tags.items()}


def with_tags(store: Store, posts: Sequence[Post]) -> list[Post]:
    """The posts with their (non-blocked) topics filled in."""
    tags = tags_of(store, [p.id for p in posts])
    return [dataclasses.replace(p, tags=tags.get(p.id, ())) for p in posts]


def source_identities(
    store: Store, source_ids: Sequence[int]
) -> dict[int, tuple[str, str | None, str, str | None]]:
    """source id -> (kind, handle, url, site_url)."""
    unique = sorted(set(source_ids))
    if not unique:
        return {}
    return {
        r["id"]: (r["kind"], r["handle"], r["url"], r["site_url"])
        for r in rows(
            store.conn,
            f"""SELECT id, kind, handle, url, site_url FROM sources
                WHERE id IN ({placeholders(len(unique))})""",
            unique,
        )
    }


def reading_list(
    store: Store, *, saved: bool = True, topic_id: int | None = None, since: str | None = None
) -> list[Post]:
    """Saved posts (most recently saved first), or with ``saved=False`` every post (newest
    first); ``since`` compares with the save time for saved posts, the arrival time
    (``fetched_at``, the one meaning of --since) otherwise."""
    where = ["p.deleted_at IS NULL", grouping.VISIBLE]
    params: list[object] = []
    moment = "p.saved_at" if saved else "coalesce(p.published_at, p.fetched_at)"
    if saved:
        where.append("p.saved_at IS NOT NULL")
    if since is not None:
        where.append(f"{'p.saved_at' if saved else 'p.fetched_at'} >= ?")
        params.append(since)
    if topic_id is not None:
        where.append(grouping.topic_match("= ?"))
        params.extend([topic_id, topic_id])
    base = _POST_SQL
    if since is not None and not saved:  # found by arrival, then sorted (see list_posts)
        base = base.replace("FROM posts p\n", "FROM posts p INDEXED BY posts_arrived_cover\n", 1)
    sql = base + f" WHERE {' AND '.join(where)} ORDER BY {moment} DESC, p.id DESC"
    return with_media(store, grouped(store, [_post(r) for r in rows(store.conn, sql, params)]))


# --- people ---------------------------------------------------------------------------------


def quiet_people(store: Store, *, before: str) -> list[tuple[int, str, str | None]]:
    """(person_id, name, last_post_at) for people with an active source and no post since
    ``before``; someone added after ``before`` who has not posted yet is not counted."""
    sql = """
    SELECT pe.id, pe.name, pe.created_at,
           (SELECT max(coalesce(p.published_at, p.fetched_at)) FROM posts p
            WHERE p.person_id = pe.id AND p.deleted_at IS NULL) AS last_post_at
    FROM people pe
    WHERE EXISTS (SELECT 1 FROM sources s WHERE s.person_id = pe.id AND s.state = 'active')
    """
    result = []
    for r in rows(store.conn, sql):
        last = r["last_post_at"]
        if (last is not None and last < before) or (last is None and r["created_at"] < before):
            result.append((int(r["id"]), str(r["name"]), last))
    # Most recently gone quiet first: those are the news; never-posted people last.
    result.sort(key=lambda item: item[1].lower())
    result.sort(key=lambda item: item[2] or "", reverse=True)
    return result


# --- questions ------------------------------------------------------------------------------


def _question(r: sqlite3.Row, answers: tuple[Answer, ...], total: int) -> Question:
    return Question(
        id=r["id"],
        text=r["text"],
        kind=r["kind"],
        state=QuestionState(r["state"]),
        asked_at=r["asked_at"],
        url=r["url"],
        remote_id=r["remote_id"],
        closed_at=r["closed_at"],
        answers=answers,
        answer_count=total,
        network_answer_count=sum(1 for a in answers if a.in_network),
    )


def questions_with_new_answers(store: Store, *, after: str, until: str) -> list[Question]:
    """Questions that got answers stored in (after, until]; ``answers`` holds only those."""
    new = rows(
        store.conn,
        """SELECT * FROM answers a WHERE created_at > ? AND created_at <= ? AND """
        + COUNTED
        + """ ORDER BY coalesce(answered_at, created_at), id""",
        (after, until),
    )
    by_question: dict[int, list[Answer]] = {}
    for r in new:
        by_question.setdefault(int(r["question_id"]), []).append(answer_from_row(r))
    result = []
    for question_id, answers in by_question.items():
        q = one(
            store.conn,
            f"""SELECT q.*, (SELECT count(*) FROM answers a WHERE a.question_id = q.id
               AND {COUNTED}) AS total
               FROM questions q WHERE q.id = ? AND q.deleted_at IS NULL""",
            (question_id,),
        )
        if q is not None:
            result.append(_question(q, tuple(answers), int(q["total"])))
    return sorted(result, key=lambda q: q.asked_at)


def unanswered_questions(store: Store) -> list[Question]:
    """Open questions with no answer yet, oldest first."""
    return [
        _question(r, (), 0)
        for r in rows(
            store.conn,
            """SELECT q.* FROM questions q WHERE q.state = 'open' AND q.deleted_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.question_id = q.id
               AND """
            + COUNTED
            + ") ORDER BY q.asked_at",
        )
    ]


def outside_answerers(store: Store, *, after: str, until: str) -> list[tuple[str, str | None, str]]:
    """(name, handle or url, question text) for people outside the network who answered a
    question in (after, until]: the simplest "worth following" signal."""
    seen: dict[str, tuple[str, str | None, str]] = {}
    for r in rows(
        store.conn,
        """SELECT a.author_name, a.author_handle, a.author_url, q.text FROM answers a
           JOIN questions q ON q.id = a.question_id
           WHERE a.person_id IS NULL AND a.created_at > ? AND a.created_at <= ? AND """
        + COUNTED
        + """
           AND (a.author_handle IS NOT NULL OR a.author_url IS NOT NULL)
           ORDER BY a.created_at, a.id""",
        (after, until),
    ):
        key = (r["author_handle"] or r["author_url"]).lower()
        name = r["author_name"] or r["author_handle"] or r["author_url"]
        seen.setdefault(key, (name, r["author_handle"] or r["author_url"], r["text"]))
    return list(seen.values())
