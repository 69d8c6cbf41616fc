"""Questions, their topics and their answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from plnctl.errors import AlreadyExists
from plnctl.models import Answer, Question, QuestionState
from plnctl.store.connection import Store
from plnctl.store.people import ensure_topic
from plnctl.store.rows import one, placeholders, rows
from plnctl.timeutil import now_iso

# What counts as an answer: not a boost (a post that only shares the link), not dismissed.
COUNTED = "a.kind = 'answer' AND a.dismissed_at IS NULL"
_QUESTION_SQL = f"""
SELECT q.*,
  (SELECT group_concat(t.name, char(31)) FROM question_topics qt
   JOIN topics t ON t.id = qt.topic_id WHERE qt.question_id = q.id) AS topic_names,
  (SELECT count(*) FROM answers a WHERE a.question_id = q.id AND {COUNTED}) AS answer_count,
  (SELECT count(*) FROM answers a WHERE a.question_id = q.id AND {COUNTED}
   AND a.person_id IS NOT NULL) AS network_answer_count,
  (SELECT min(a.answered_at) FROM answers a WHERE a.question_id = q.id
   AND {COUNTED}) AS first_answer_at
FROM questions q
"""
# Dismissed answers (removed by the user) are kept only so a check does not store them again.
_ANSWER_SQL = """
SELECT a.*, q.resolved_answer_id, pe.name AS person_name FROM answers a
JOIN questions q ON q.id = a.question_id LEFT JOIN people pe ON pe.id = a.person_id
WHERE a.dismissed_at IS NULL
"""
_UPDATABLE = {
    "text",
    "state",
    "url",
    "remote_id",
    "instance",
    "comment_feed_url",
    "resolved_answer_id",
    "closed_at",
    "resolved_at",
    "last_checked_at",
    "check_error",
    "deleted_at",
    "asked_at",
}


def _question(row: sqlite3.Row) -> Question:
    names = row["topic_names"]
    return Question(
        id=row["id"],
        text=row["text"],
        kind=row["kind"],
        state=QuestionState(row["state"]),
        asked_at=row["asked_at"],
        url=row["url"],
        remote_id=row["remote_id"],
        topics=tuple(sorted(names.split("\x1f"))) if names else (),
        resolved_answer_id=row["resolved_answer_id"],
        closed_at=row["closed_at"],
        last_checked_at=row["last_checked_at"],
        check_error=row["check_error"],
        deleted=row["deleted_at"] is not None,
        answer_count=row["answer_count"],
        network_answer_count=row["network_answer_count"],
        first_answer_at=row["first_answer_at"],
        instance=row["instance"],
        comment_feed_url=row["comment_feed_url"],
        resolved_at=row["resolved_at"],
    )


def answer_from_row(row: sqlite3.Row) -> Answer:
    """An answers row (with ``resolved_answer_id`` of its question when selected)."""
    return Answer(
        id=row["id"],
        question_id=row["question_id"],
        author_name=row["author_name"],
        author_handle=row["author_handle"],
        author_url=row["author_url"],
        person_id=row["person_id"],
        text=row["text"],
        url=row["url"],
        answered_at=row["answered_at"],
        found_via=row["found_via"],
        in_network=row["person_id"] is not None,
        kind=row["kind"],
        person_name=row["person_name"] if "person_name" in row.keys() else None,  # noqa: SIM118
        # sqlite3.Row: `in row` looks at the values, so ask keys() for the column
        accepted="resolved_answer_id" in row.keys()  # noqa: SIM118
        and row["resolved_answer_id"] == row["id"],
    )


def insert_question(
    store: Store,
    text: str,
    *,
    kind: str,
    asked_at: str,
    url: str | None = None,
    remote_id: str | None = None,
    instance: str | None = None,
    comment_feed_url: str | None = None,
) -> int:
    try:
        cursor = store.conn.execute(
            """INSERT INTO questions (text, kind, asked_at, url, remote_id, instance,
               comment_feed_url, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (text, kind, asked_at, url, remote_id, instance, comment_feed_url, now_iso()),
        )
    except sqlite3.IntegrityError as e:
        existing = one(store.conn, "SELECT id FROM questions WHERE url = ?", (url,))
        which = f" (question {existing['id']})" if existing else ""
        see = f"; see: plnctl question show {existing['id']}" if existing else ""
        raise AlreadyExists(f"{url} is already tracked{which}{see}") from e
    return int(cursor.lastrowid or 0)


def add_question_topics(store: Store, question_id: int, topics: Sequence[str]) -> None:
    for topic in topics:
        store.conn.execute(
            "INSERT OR IGNORE INTO question_topics (question_id, topic_id) VALUES (?, ?)",
            (question_id, ensure_topic(store, topic)),
        )


def update_question(store: Store, question_id: int, **fields: Any) -> None:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"unknown question fields: {sorted(unknown)}")
    if not fields:
        return
    values = [str(v) if isinstance(v, QuestionState) else v for v in fields.values()]
    assignments = ", ".join(f"{name} = ?" for name in fields)
    store.conn.execute(f"UPDATE questions SET {assignments} WHERE id = ?", (*values, question_id))


def get_question(store: Store, question_id: int) -> Question | None:
    row = one(store.conn, _QUESTION_SQL + " WHERE q.id = ?", (question_id,))
    return _question(row) if row else None


def list_questions(
    store: Store, *, states: Sequence[QuestionState] = (), ids: Sequence[int] | None = None
) -> list[Question]:
    """Newest first."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if states:
        where.append(f"q.state IN ({placeholders(len(states))})")
        params.extend(str(s) for s in states)
    if ids is not None:
        where.append(f"q.id IN ({placeholders(len(ids))})" if ids else "0")
        params.extend(ids)
    sql = _QUESTION_SQL + f" WHERE {' AND '.join(where)} ORDER BY q.asked_at DESC, q.id DESC"
    return [_question(r) for r in rows(store.conn, sql, params)]


def list_answers(store: Store, question_id: int | None = None) -> list[Answer]:
    """Oldest first; all answers when ``question_id`` is None."""
    where, params = ("AND a.question_id = ?", (question_id,)) if question_id else ("", ())
    sql = _ANSWER_SQL + f" {where} ORDER BY coalesce(a.answered_at, a.created_at), a.id"
    return [answer_from_row(r) for r in rows(store.conn, sql, params)]


def get_answer(store: Store, answer_id: int) -> Answer | None:
    row = one(store.conn, _ANSWER_SQL + " AND a.id = ?", (answer_id,))
    return answer_from_row(row) if row else None


def insert_answer(store: Store, question_id: int, **fields: Any) -> int | None:
    """Store an answer unless one with the same answer_key exists (then only its kind is
    brought up to date, unless the user dismissed it; one recorded by hand brings a dismissed
    answer back). Returns the new (or revived) id, or None."""
    existing = one(
        store.conn,
        "SELECT id, kind, dismissed_at FROM answers WHERE question_id = ? AND answer_key = ?",
        (question_id, fields["answer_key"]),
    )
    if existing is not None and existing["dismissed_at"] and fields.get("found_via") == "manual":
        # recorded by hand after it was removed: the user means it now
        assignments = ", ".join(f"{name} = ?" for name in fields)
        store.conn.execute(
            f"UPDATE answers SET {assignments}, dismissed_at = NULL WHERE id = ?",
            (*fields.values(), existing["id"]),
        )
        return int(existing["id"])
    if existing is not None:
        kind = fields.get("kind", "answer")
        if existing["dismissed_at"] is None and existing["kind"] != kind:
            store.conn.execute("UPDATE answers SET kind = ? WHERE id = ?", (kind, existing["id"]))
        return None
    columns = ["question_id", "created_at", *fields]
    cursor = store.conn.execute(
        f"INSERT INTO answers ({', '.join(columns)}) VALUES ({placeholders(len(columns))})",
        (question_id, now_iso(), *fields.values()),
    )
    return int(cursor.lastrowid or 0)


def dismiss_answer(store: Store, answer_id: int) -> None:
    """Remove an answer from every view and count; the row stays so it is not found again."""
    store.conn.execute("UPDATE answers SET dismissed_at = ? WHERE id = ?", (now_iso(), answer_id))
    store.conn.execute(
        "UPDATE questions SET resolved_answer_id = NULL WHERE resolved_answer_id = ?", (answer_id,)
    )


def forget_answers(store: Store, question_id: int, keys: Sequence[str]) -> int:
    """Delete found answers (not ones recorded by hand, not dismissed ones) with these keys:
    a check found they are the asker's own."""
    if not keys:
        return 0
    return store.conn.execute(
        f"""DELETE FROM answers WHERE question_id = ? AND answer_key IN ({placeholders(len(keys))})
            AND found_via != 'manual' AND dismissed_at IS NULL""",
        (question_id, *keys),
    ).rowcount


def delete_question(store: Store, question_id: int) -> None:
    """The question, its answers (dismissed ones too), topics and notes (ON DELETE CASCADE)."""
    store.conn.execute("DELETE FROM questions WHERE id = ?", (question_id,))


def question_for_url(store: Store, urls: Sequence[str]) -> int | None:
    """The question tracked at one of ``urls`` (the URL as given and its variants)."""
    if not urls:
        return None
    row = one(
        store.conn,
        f"SELECT id FROM questions WHERE url IN ({placeholders(len(urls))}) ORDER BY id LIMIT 1",
        tuple(urls),
    )
    return int(row["id"]) if row else None


def remove_question_topics(store: Store, question_id: int, topics: Sequence[str]) -> None:
    for topic in topics:
        store.conn.execute(
            """DELETE FROM question_topics WHERE question_id = ? AND topic_id IN (
                 SELECT id FROM topics WHERE name = ? COLLATE NOCASE)""",
            (question_id, topic),
        )


def people_names(store: Store) -> list[tuple[int, str]]:
    return [(int(r["id"]), str(r["name"])) for r in rows(store.conn, "SELECT id, name FROM people")]


def unlinked_named_answers(store: Store) -> list[tuple[int, str]]:
    """(id, author name) of answers credited to nobody that have a name but no handle."""
    found = rows(
        store.conn,
        """SELECT id, author_name FROM answers WHERE person_id IS NULL
           AND author_handle IS NULL AND author_name IS NOT NULL""",
    )
    return [(int(r["id"]), str(r["author_name"])) for r in found]


def credit_answer(store: Store, answer_id: int, person_id: int) -> None:
    store.conn.execute("UPDATE answers SET person_id = ? WHERE id = ?", (person_id, answer_id))


def blog_owner(store: Store, urls: Sequence[str]) -> sqlite3.Row | None:
    """The person whose synced feed has a post at one of ``urls``, with the post's author."""
    if not urls:
        return None
    return one(
        store.conn,
        f"""SELECT s.person_id, p.author FROM posts p JOIN sources s ON s.id = p.source_id
            WHERE p.url IN ({placeholders(len(urls))}) AND s.kind = 'feed'
            AND s.person_id IS NOT NULL LIMIT 1""",
        tuple(urls),
    )


def feed_sites(store: Store) -> list[tuple[int, str]]:
    """(person id, site URL) of every feed that belongs to a person."""
    found = rows(
        store.conn,
        """SELECT person_id, coalesce(site_url, url) AS site FROM sources
           WHERE kind = 'feed' AND person_id IS NOT NULL""",
    )
    return [(int(r["person_id"]), str(r["site"])) for r in found]


def person_identities(store: Store, person_id: int) -> tuple[str, list[str], list[str]]:
    """A person's name, Mastodon handles and feed site URLs (who they are on the web)."""
    person = one(store.conn, "SELECT name FROM people WHERE id = ?", (person_id,))
    sources = rows(
        store.conn,
        "SELECT kind, handle, coalesce(site_url, url) AS site FROM sources WHERE person_id = ?",
        (person_id,),
    )
    handles = [str(r["handle"]) for r in sources if r["kind"] == "mastodon" and r["handle"]]
    sites = [str(r["site"]) for r in sources if r["kind"] == "feed"]
    return (str(person["name"]) if person else "", handles, sites)


def relink_answers(store: Store) -> int:
    """Credit answers to people added since (their Mastodon handle is now in the network)."""
    return store.conn.execute(
        """UPDATE answers SET person_id = (
             SELECT s.person_id FROM sources s
             WHERE lower(s.handle) = lower('@' || answers.author_handle) LIMIT 1)
           WHERE person_id IS NULL AND author_handle IS NOT NULL AND EXISTS (
             SELECT 1 FROM sources s WHERE lower(s.handle) = lower('@' || answers.author_handle))"""
    ).rowcount


def person_for_handle(store: Store, handle: str) -> int | None:
    """The person who owns the Mastodon source ``user@host`` (stored as ``@user@host``)."""
    bare = handle.strip().lstrip("@")
    row = one(
        store.conn,
        "SELECT person_id FROM sources WHERE lower(handle) IN (lower(?), lower(?)) LIMIT 1",
        ("@" + bare, bare),
    )
    return int(row["person_id"]) if row else None


def backlink_posts(
    store: Store, urls: Sequence[str], *, exclude_urls: Sequence[str] = ()
) -> list[sqlite3.Row]:
    """Live posts whose outbound links include one of ``urls`` (and that are not the question)."""
    if not urls:
        return []
    sql = f"""SELECT DISTINCT p.id, p.url, p.title, p.content_text, p.author, p.person_id,
           coalesce(p.published_at, p.fetched_at) AS at, pe.name AS person_name, s.handle
        FROM post_links l JOIN posts p ON p.id = l.post_id
        LEFT JOIN people pe ON pe.id = p.person_id
        LEFT JOIN sources s ON s.id = p.source_id
        WHERE l.url IN ({placeholders(len(urls))}) AND p.deleted_at IS NULL
          AND coalesce(p.url, '') NOT IN ({placeholders(len(exclude_urls) or 1)})
        ORDER BY at, p.id"""
    return rows(store.conn, sql, (*urls, *(exclude_urls or [""])))


def post_for_url(store: Store, urls: Sequence[str]) -> sqlite3.Row | None:
    """A synced post at one of ``urls`` with its source's feed URL (to find a comment feed)."""
    if not urls:
        return None
    return one(
        store.conn,
        f"""SELECT p.id, p.guid, p.title, p.published_at, s.url AS feed_url FROM posts p
            JOIN sources s ON s.id = p.source_id
            WHERE p.url IN ({placeholders(len(urls))}) AND s.kind = 'feed' LIMIT 1""",
        tuple(urls),
    )
