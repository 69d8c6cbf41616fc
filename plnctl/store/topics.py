"""Topics, their rules, and the tags on posts (post_topics).

``ensure_topic`` and the person-topic helpers live in ``plnctl.store.people``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from plnctl.errors import AlreadyExists
from plnctl.models import RuleKind, TagOrigin, Topic, TopicRule
from plnctl.store import exact_index
from plnctl.store.connection import Store
from plnctl.store.rows import one, placeholders, rows
from plnctl.timeutil import now_iso

_CHUNK = 500


def _topics(store: Store, where: str = "", params: Sequence[Any] = ()) -> list[Topic]:
    topic_rows = rows(
        store.conn,
        f"""SELECT t.*, (SELECT count(*) FROM post_topics pt WHERE pt.topic_id = t.id
                         AND pt.origin != 'blocked') AS post_count
            FROM topics t {where} ORDER BY t.name COLLATE NOCASE""",
        params,
    )
    if not topic_rows:
        return []
    ids = [r["id"] for r in topic_rows]
    rules: dict[int, list[TopicRule]] = {i: [] for i in ids}
    for r in rows(
        store.conn,
        f"""SELECT id, topic_id, kind, value FROM topic_rules
            WHERE topic_id IN ({placeholders(len(ids))}) ORDER BY kind, id""",
        ids,
    ):
        rules[r["topic_id"]].append(TopicRule(r["id"], RuleKind(r["kind"]), r["value"]))
    people: dict[int, list[str]] = {i: [] for i in ids}
    for r in rows(
        store.conn,
        f"""SELECT pt.topic_id, p.name FROM person_topics pt JOIN people p ON p.id = pt.person_id
            WHERE pt.topic_id IN ({placeholders(len(ids))}) ORDER BY p.name COLLATE NOCASE""",
        ids,
    ):
        people[r["topic_id"]].append(r["name"])
    return [
        Topic(
            id=r["id"],
            name=r["name"],
            description=r["description"],
            exact=bool(r["exact"]),
            rules=tuple(rules[r["id"]]),
            post_count=r["post_count"],
            people=tuple(people[r["id"]]),
        )
        for r in topic_rows
    ]


def list_topics(store: Store) -> list[Topic]:
    return _topics(store)


def get_topic(store: Store, topic_id: int) -> Topic | None:
    found = _topics(store, "WHERE t.id = ?", (topic_id,))
    return found[0] if found else None


def find_topic_id(store: Store, name: str) -> int | None:
    row = one(store.conn, "SELECT id FROM topics WHERE name = ? COLLATE NOCASE", (name,))
    return int(row["id"]) if row else None


def topic_names(store: Store) -> list[str]:
    return [r[0] for r in store.conn.execute("SELECT name FROM topics ORDER BY name")]


def count_topics(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM topics").fetchone()[0])


def insert_topic(
    store: Store, name: str, *, description: str | None = None, exact: bool = False
) -> int:
    try:
        cursor = store.conn.execute(
            "INSERT INTO topics (name, description, exact, created_at) VALUES (?,?,?,?)",
            (name, description, int(exact), now_iso()),
        )
    except sqlite3.IntegrityError as e:
        raise AlreadyExists(_topic_exists(name)) from e
    return int(cursor.lastrowid or 0)


def update_topic(store: Store, topic_id: int, **changes: Any) -> None:
    fields = {k: v for k, v in changes.items() if k in {"name", "description", "exact"}}
    if not fields:
        return
    assignments = ", ".join(f"{k} = ?" for k in fields)
    try:
        store.conn.execute(
            f"UPDATE topics SET {assignments} WHERE id = ?", (*fields.values(), topic_id)
        )
    except sqlite3.IntegrityError as e:
        raise AlreadyExists(_topic_exists(str(fields.get("name")))) from e


def _topic_exists(name: str) -> str:
    return (
        f"a topic named {name!r} already exists (names ignore case): choose another name, or "
        f"change that one with: plnctl topic edit {name!r}"
    )


def delete_topic(store: Store, topic_id: int) -> None:
    store.conn.execute("DELETE FROM topics WHERE id = ?", (topic_id,))


def add_rule(store: Store, topic_id: int, kind: RuleKind, value: str) -> None:
    store.conn.execute(
        "INSERT OR IGNORE INTO topic_rules (topic_id, kind, value) VALUES (?, ?, ?)",
        (topic_id, str(kind), value),
    )


def remove_rule(store: Store, topic_id: int, kind: RuleKind, value: str) -> int:
    return store.conn.execute(
        "DELETE FROM topic_rules WHERE topic_id = ? AND kind = ? AND value = ? COLLATE NOCASE",
        (topic_id, str(kind), value),
    ).rowcount


# --- rules for the matcher ------------------------------------------------------------------


def load_rules(store: Store) -> list[dict[str, Any]]:
    """Every topic's rules as keyword arguments for ``tagging.TopicRules``."""
    by_topic: dict[int, dict[str, list[str]]] = {}
    for r in store.conn.execute("SELECT topic_id, kind, value FROM topic_rules ORDER BY id"):
        by_topic.setdefault(r[0], {}).setdefault(r[1], []).append(r[2])
    result = []
    for topic_id, name, exact in store.conn.execute(
        "SELECT id, name, exact FROM topics ORDER BY id"
    ):
        kinds = by_topic.get(topic_id, {})
        result.append(
            {
                "topic_id": topic_id,
                "name": name,
                "keywords": tuple(kinds.get("keyword", ())),
                "hashtags": tuple(kinds.get("hashtag", ())),
                "categories": tuple(kinds.get("category", ())),
                "excludes": tuple(kinds.get("exclude", ())),
                "exact": bool(exact),
            }
        )
    return result


# --- posts as the matcher sees them ---------------------------------------------------------

# A boost is tagged as its author's post (the boosted person's topics if they are in the network,
# none of the booster's): the booster only passed it on.
_FACTS_SQL = """
SELECT p.id,
       CASE WHEN p.boost_of_handle IS NULL THEN p.person_id ELSE
       (SELECT bs.person_id FROM sources bs WHERE bs.handle IS NOT NULL
        AND lower(bs.handle) = lower(p.boost_of_handle)) END,
       p.title, p.content_text, p.categories,
       (SELECT group_concat(h.tag, ' ') FROM post_hashtags h WHERE h.post_id = p.id) AS tags
FROM posts p WHERE p.deleted_at IS NULL
"""

FactsRow = tuple[int, int | None, str | None, str | None, str | None, str | None]


def iter_post_facts(store: Store, post_ids: Sequence[int] | None = None) -> Iterator[FactsRow]:
    """(id, person_id, title, content_text, categories JSON, hashtags) of live posts: the given
    ones, or all of them (streamed, in id order)."""
    if post_ids is None:
        yield from store.conn.execute(_FACTS_SQL + " ORDER BY p.id")
        return
    for start in range(0, len(post_ids), _CHUNK):
        chunk = list(post_ids[start : start + _CHUNK])
        yield from store.conn.execute(
            _FACTS_SQL + f" AND p.id IN ({placeholders(len(chunk))})", chunk
        )


# --- post tags ------------------------------------------------------------------------------

TagRow = tuple[int, int, str]  # post id, topic id, reason


def clear_rule_tags(
    store: Store, *, post_ids: Sequence[int] | None = None, topic_ids: Sequence[int] | None = None
) -> int:
    """Delete rule-made tags (manual and blocked ones stay) of some posts, of some topics, of
    some topics on some posts, or all."""
    where, params = "origin = 'rule'", list(topic_ids or ())
    if topic_ids is not None:
        where += f" AND topic_id IN ({placeholders(len(topic_ids))})"
    if post_ids is None:
        return store.conn.execute(f"DELETE FROM post_topics WHERE {where}", params).rowcount
    deleted = 0
    for start in range(0, len(post_ids), _CHUNK):
        chunk = list(post_ids[start : start + _CHUNK])
        deleted += store.conn.execute(
            f"DELETE FROM post_topics WHERE {where} AND post_id IN ({placeholders(len(chunk))})",
            [*params, *chunk],
        ).rowcount
    return deleted


def insert_rule_tags(store: Store, tags: Iterable[TagRow], *, at: str) -> int:
    """Add rule tags; a manual or blocked tag on the same post and topic wins (kept as is)."""
    cursor = store.conn.executemany(
        "INSERT OR IGNORE INTO post_topics (post_id, topic_id, origin, reason, created_at) "
        "VALUES (?, ?, 'rule', ?, ?)",
        ((post_id, topic_id, reason, at) for post_id, topic_id, reason in tags),
    )
    return max(cursor.rowcount, 0)


def get_tag(store: Store, post_id: int, topic_id: int) -> tuple[TagOrigin, str] | None:
    row = one(
        store.conn,
        "SELECT origin, reason FROM post_topics WHERE post_id = ? AND topic_id = ?",
        (post_id, topic_id),
    )
    return (TagOrigin(row["origin"]), row["reason"]) if row else None


def set_tag(store: Store, post_id: int, topic_id: int, origin: TagOrigin, reason: str) -> None:
    store.conn.execute(
        """INSERT INTO post_topics (post_id, topic_id, origin, reason, created_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_id, topic_id)
           DO UPDATE SET origin = excluded.origin, reason = excluded.reason""",
        (post_id, topic_id, str(origin), reason, now_iso()),
    )


def delete_tag(store: Store, post_id: int, topic_id: int) -> None:
    store.conn.execute(
        "DELETE FROM post_topics WHERE post_id = ? AND topic_id = ?", (post_id, topic_id)
    )


def tag_counts(store: Store) -> dict[str, int]:
    """Number of tags by origin."""
    counts = {str(o): 0 for o in TagOrigin}
    for origin, count in store.conn.execute(
        "SELECT origin, count(*) FROM post_topics GROUP BY origin"
    ):
        counts[origin] = count
    return counts


def post_exists(store: Store, post_id: int) -> bool:
    row = store.conn.execute("SELECT 1 FROM posts WHERE id = ?", (post_id,)).fetchone()
    return row is not None


# --- live topics: the posts one topic's rules may match ------------------------------------


# Live posts kept out of the search index. Named: with no statistics for this (often empty)
# index, the planner scanned another partial index of every live post instead (3 s at 1M).
UNINDEXED_SQL = (
    "SELECT id FROM posts INDEXED BY posts_unindexed WHERE indexed = 0 AND deleted_at IS NULL"
)


def rule_tagged_ids(
    store: Store, topic_id: int, *, reason_like: Sequence[str] | None = None
) -> set[int]:
    """Posts with a rule tag of this topic (only those whose reason is LIKE one of
    ``reason_like``, when given)."""
    sql = "SELECT post_id FROM post_topics WHERE topic_id = ? AND origin = 'rule'"
    params: list[object] = [topic_id]
    if reason_like is not None:
        if not reason_like:
            return set()
        sql += " AND (" + " OR ".join("reason LIKE ?" for _ in reason_like) + ")"
        params.extend(reason_like)
    return {r[0] for r in store.conn.execute(sql, params)}


def candidate_post_ids(
    store: Store,
    *,
    match: str | None,
    hashtags: Sequence[str],
    category_words: Sequence[str],
    exact: bool = False,
    keep_categories: Callable[[str], bool] | None = None,
) -> set[int]:
    """Live posts that the search index finds for ``match`` (FTS5 syntax; ``exact``: the
    unstemmed index), that carry one of ``hashtags``, whose categories contain one of
    ``category_words`` (case-insensitive) or, with a non-ASCII category, are accepted by
    ``keep_categories`` (given them as JSON), and every live post kept out of the index."""
    found = {r[0] for r in store.conn.execute(UNINDEXED_SQL)}
    if match:
        # Topics are what the author wrote: a page's full text (posts.full_text) is not looked at.
        authored = f"{{title content_text}} : ({match})"
        table = exact_index.table(store) if exact else "posts_fts"
        found.update(r[0] for r in store.conn.execute(f"SELECT rowid FROM {table}(?)", (authored,)))
    if hashtags:
        found.update(
            r[0]
            for r in store.conn.execute(
                f"SELECT post_id FROM post_hashtags WHERE tag IN ({placeholders(len(hashtags))})",
                list(hashtags),
            )
        )
    if category_words or keep_categories is not None:
        found.update(_category_candidates(store, category_words, keep_categories))
    return found


def _category_candidates(
    store: Store, words: Sequence[str], keep: Callable[[str], bool] | None
) -> Iterator[int]:
    """One scan: the live posts whose categories contain one of ``words``, and those with a
    non-ASCII category whose categories (JSON) ``keep`` accepts."""
    likes = " OR ".join(["categories LIKE ?"] * len(words)) or "0"
    wanted = [f"%{w}%" for w in words]
    sql = f"SELECT id, ({likes}), categories FROM posts WHERE deleted_at IS NULL AND (({likes})"
    if keep is not None:
        sql += rf" OR categories LIKE '%\u%' OR categories {_NOT_ASCII}"
    for post_id, hit, categories in store.conn.execute(sql + ")", wanted * 2):
        if hit or (keep is not None and keep(categories)):
            yield post_id


# Text with a character outside printable ASCII; categories are stored as JSON with non-ASCII
# characters escaped ("\u00c9"), so those rows hold a backslash-u.
_NOT_ASCII = "GLOB '*[^ -~]*'"


def non_ascii_hashtags(store: Store) -> list[str]:
    """The distinct hashtags stored with a non-ASCII character (folding may make them equal
    to an ASCII one: "éducation" and "education")."""
    sql = f"SELECT DISTINCT tag FROM post_hashtags WHERE tag {_NOT_ASCII}"
    return [r[0] for r in store.conn.execute(sql)]
