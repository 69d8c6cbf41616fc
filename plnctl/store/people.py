"""People, their topics, and their sources."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

from plnctl.errors import AlreadyExists, one_line
from plnctl.identity import canonical_name
from plnctl.models import Person, Source, SourceKind, SourceState
from plnctl.store import identity
from plnctl.store.connection import Store
from plnctl.store.rows import json_tuple, one, placeholders, rows
from plnctl.timeutil import now_iso
from plnctl.urlkey import source_key

_PERSON_SQL = """
SELECT p.*, (SELECT group_concat(t.name, char(31)) FROM person_topics pt
             JOIN topics t ON t.id = pt.topic_id WHERE pt.person_id = p.id) AS topic_names
FROM people p
"""


def _person(row: sqlite3.Row) -> Person:
    topics = tuple(sorted(row["topic_names"].split("\x1f"))) if row["topic_names"] else ()
    return Person(
        id=row["id"],
        name=row["name"],
        note=row["note"],
        topics=topics,
        index_override=bool(row["index_override"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def insert_person(store: Store, name: str, *, note: str | None = None) -> int:
    """A new person; names are unique ignoring case (AlreadyExists names the holder)."""
    stamp = now_iso()
    with identity.unique_name(store.conn, name):
        cursor = store.conn.execute(
            "INSERT INTO people (name, name_key, note, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, canonical_name(name), note, stamp, stamp),
        )
    return int(cursor.lastrowid or 0)


def person_id_for_name(store: Store, name: str) -> int:
    """For importers: the person of that name, or a new one (one name, one person)."""
    holder = identity.name_holder(store.conn, name)
    return holder[0] if holder else insert_person(store, name)


def get_person(store: Store, person_id: int) -> Person | None:
    row = one(store.conn, _PERSON_SQL + " WHERE p.id = ?", (person_id,))
    return _person(row) if row else None


def find_people(store: Store, name: str) -> list[Person]:
    """Exact (case-insensitive) name matches; failing that, substring matches."""
    exact = rows(
        store.conn, _PERSON_SQL + " WHERE p.name_key = ? ORDER BY p.id", (canonical_name(name),)
    )
    if exact:
        return [_person(r) for r in exact]
    like = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [
        _person(r)
        for r in rows(
            store.conn, _PERSON_SQL + " WHERE p.name LIKE ? ESCAPE '\\' ORDER BY p.id", (like,)
        )
    ]


def list_people(store: Store, *, topic: str | None = None) -> list[Person]:
    if topic is None:
        return [
            _person(r) for r in rows(store.conn, _PERSON_SQL + " ORDER BY p.name COLLATE NOCASE")
        ]
    sql = (
        _PERSON_SQL
        + """ WHERE p.id IN (SELECT pt.person_id FROM person_topics pt
        JOIN topics t ON t.id = pt.topic_id WHERE t.name = ? COLLATE NOCASE)
        ORDER BY p.name COLLATE NOCASE"""
    )
    return [_person(r) for r in rows(store.conn, sql, (topic,))]


def source_counts(store: Store) -> dict[int, int]:
    sql = "SELECT person_id, count(*) FROM sources WHERE person_id IS NOT NULL GROUP BY person_id"
    return dict(store.conn.execute(sql).fetchall())


def person_ids(store: Store) -> list[int]:
    return [r[0] for r in store.conn.execute("SELECT DISTINCT person_id FROM person_topics")]


def topics_of_people(store: Store, person_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """person id -> the names of their topics (sorted), for people who have any."""
    ids = sorted(set(person_ids))
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for person_id, name in store.conn.execute(
            f"""SELECT pt.person_id, t.name FROM person_topics pt
                JOIN topics t ON t.id = pt.topic_id
                WHERE pt.person_id IN ({placeholders(len(chunk))})""",
            chunk,
        ):
            found.setdefault(person_id, []).append(name)
    return {k: tuple(sorted(v, key=str.lower)) for k, v in found.items()}


def update_person(store: Store, person_id: int, **changes: Any) -> None:
    allowed = {"name", "note", "index_override"}
    fields = {k: v for k, v in changes.items() if k in allowed}
    if not fields:
        return
    if "name" in fields:
        fields["name_key"] = canonical_name(fields["name"])
    assignments = ", ".join(f"{k} = ?" for k in fields)
    with identity.unique_name(store.conn, str(fields.get("name"))):
        store.conn.execute(
            f"UPDATE people SET {assignments}, updated_at = ? WHERE id = ?",
            (*fields.values(), now_iso(), person_id),
        )


def delete_person(store: Store, person_id: int, *, purge: bool, include_saved: bool = False) -> int:
    """Delete a person and their sources. Returns how many posts were purged (0 without purge);
    the posts that stay are unlinked from person and source. Saved posts (the reading list,
    with their private notes) stay unless ``include_saved``."""
    purged = 0
    if purge:
        keep = "" if include_saved else " AND saved_at IS NULL"
        purged = store.conn.execute(
            f"DELETE FROM posts WHERE person_id = ?{keep}", (person_id,)
        ).rowcount
    identity.remember_orphans(store.conn, "person_id = ?", person_id)
    store.conn.execute("DELETE FROM people WHERE id = ?", (person_id,))
    return purged


def person_post_counts(store: Store, person_id: int) -> tuple[int, int, int]:
    """(posts, saved posts, saved posts with a note) of a person."""
    row = one(
        store.conn,
        """SELECT count(*) AS posts, count(saved_at) AS saved,
                  count(CASE WHEN saved_at IS NOT NULL THEN save_note END) AS notes
           FROM posts WHERE person_id = ?""",
        (person_id,),
    )
    return (int(row["posts"]), int(row["saved"]), int(row["notes"])) if row else (0, 0, 0)


def ensure_topic(store: Store, name: str) -> int:
    row = one(store.conn, "SELECT id FROM topics WHERE name = ? COLLATE NOCASE", (name,))
    if row:
        return int(row["id"])
    cursor = store.conn.execute(
        "INSERT INTO topics (name, created_at) VALUES (?, ?)", (name, now_iso())
    )
    return int(cursor.lastrowid or 0)


def add_person_topic(store: Store, person_id: int, topic: str) -> None:
    topic_id = ensure_topic(store, topic)
    store.conn.execute(
        "INSERT OR IGNORE INTO person_topics (person_id, topic_id) VALUES (?, ?)",
        (person_id, topic_id),
    )


def remove_person_topic(store: Store, person_id: int, topic: str) -> None:
    store.conn.execute(
        """DELETE FROM person_topics WHERE person_id = ? AND topic_id IN
           (SELECT id FROM topics WHERE name = ? COLLATE NOCASE)""",
        (person_id, topic),
    )


# --- sources -------------------------------------------------------------------------------

_SOURCE_COLUMNS = {
    "url",
    "handle",
    "title",
    "site_url",
    "state",
    "etag",
    "last_modified",
    "last_fetched_at",
    "last_ok_at",
    "last_status",
    "last_error",
    "error_count",
    "next_due_at",
    "remote_id",
    "display_name",
    "avatar_url",
    "profile_fields",
    "bot",
    "noindex",
    "moved_to",
    "via_rss",
    "cursor",
    "person_id",
    "withheld",
    "full_text",
}


def _source(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"],
        person_id=row["person_id"],
        kind=SourceKind(row["kind"]),
        url=row["url"],
        handle=row["handle"],
        title=row["title"],
        site_url=row["site_url"],
        state=SourceState(row["state"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_fetched_at=row["last_fetched_at"],
        last_ok_at=row["last_ok_at"],
        last_status=row["last_status"],
        last_error=row["last_error"] and one_line(row["last_error"]),  # 0.1 stored tracebacks
        error_count=row["error_count"],
        next_due_at=row["next_due_at"],
        remote_id=row["remote_id"],
        display_name=row["display_name"],
        avatar_url=row["avatar_url"],
        profile_fields=json_tuple(row["profile_fields"]),
        bot=bool(row["bot"]),
        noindex=bool(row["noindex"]),
        moved_to=row["moved_to"],
        via_rss=bool(row["via_rss"]),
        cursor=row["cursor"],
        created_at=row["created_at"],
        withheld=bool(row["withheld"]),
        full_text=None if row["full_text"] is None else bool(row["full_text"]),
    )


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - _SOURCE_COLUMNS
    if unknown:
        raise ValueError(f"unknown source fields: {sorted(unknown)}")
    encoded = dict(fields)
    if "profile_fields" in encoded and not isinstance(encoded["profile_fields"], str | None):
        encoded["profile_fields"] = json.dumps(list(encoded["profile_fields"]))
    for key in ("bot", "noindex", "via_rss", "withheld"):
        if key in encoded:
            encoded[key] = int(bool(encoded[key]))
    if "state" in encoded:
        encoded["state"] = str(encoded["state"])
    if "url" in encoded:
        encoded["url_key"] = source_key(encoded["url"])
    return encoded


def already_followed(store: Store, existing: Source | None, label: str) -> str:
    """The message for a source that is already followed, in the user's words."""
    owner = get_person(store, existing.person_id) if existing and existing.person_id else None
    if existing is None or owner is None:
        return f"{label} is already followed; see: plnctl source list"
    return (
        f"{owner.name} already follows {label} (source {existing.id}); nothing was added "
        f"(see: plnctl person show {owner.id})"
    )


def insert_source(
    store: Store, person_id: int | None, kind: SourceKind, url: str, **fields: Any
) -> int:
    """A new source (AlreadyExists if followed); a removed one's kept posts come back to it."""
    encoded = _encode({**fields, "url": url})
    existing = find_source(store, url, kind=kind)
    if existing is None:
        columns = ["person_id", "kind", "created_at", *encoded]
        values = [person_id, str(kind), now_iso(), *encoded.values()]
        with suppress(sqlite3.IntegrityError):  # the same handle, or written meanwhile
            cursor = store.conn.execute(
                f"INSERT INTO sources ({', '.join(columns)}) VALUES ({placeholders(len(values))})",
                values,
            )
            source_id = int(cursor.lastrowid or 0)
            identity.reattach_orphans(store.conn, source_id, person_id)
            return source_id
        existing = find_source_by_handle(store, fields["handle"]) if fields.get("handle") else None
    raise AlreadyExists(already_followed(store, existing, fields.get("handle") or url))


def update_source(store: Store, source_id: int, **fields: Any) -> None:
    encoded = _encode(fields)
    if not encoded:
        return
    noindex_before = None
    if "noindex" in encoded:
        row = one(store.conn, "SELECT noindex FROM sources WHERE id = ?", (source_id,))
        noindex_before = row["noindex"] if row else None
    if "url" in encoded:  # a feed that moved: its old address still names it
        identity.remember_alias(store.conn, source_id, encoded["url_key"])
    assignments = ", ".join(f"{k} = ?" for k in encoded)
    store.conn.execute(
        f"UPDATE sources SET {assignments} WHERE id = ?", (*encoded.values(), source_id)
    )
    if "noindex" in encoded and encoded["noindex"] != noindex_before:
        reindex_source(store, source_id)


def reindex_source(store: Store, source_id: int) -> None:
    """An account that opted out (or back in) takes its stored posts out of (or back into) the
    search index, unless the user overrode the opt-out for that person. Only rows whose flag
    changes are written: each write re-indexes the post's text."""
    store.conn.execute(
        """UPDATE posts SET indexed = :want WHERE source_id = :source AND indexed != :want""",
        {"source": source_id, "want": int(wants_index(store, source_id))},
    )


def wants_index(store: Store, source_id: int) -> bool:
    """Opted-out accounts are kept out of search unless the user overrode it for the person."""
    row = one(
        store.conn,
        """SELECT s.noindex = 0 OR pe.index_override = 1 AS want
           FROM sources s JOIN people pe ON pe.id = s.person_id WHERE s.id = ?""",
        (source_id,),
    )
    return bool(row["want"]) if row else True


def get_source(store: Store, source_id: int) -> Source | None:
    row = one(store.conn, "SELECT * FROM sources WHERE id = ?", (source_id,))
    return _source(row) if row else None


def find_source(store: Store, url: str, *, kind: SourceKind | None = None) -> Source | None:
    """The source this address names: any spelling of it (``plnctl.urlkey``), or an old one."""
    row = identity.source_row(store.conn, source_key(url), str(kind) if kind else None)
    return _source(row) if row else None


def find_source_by_handle(store: Store, handle: str) -> Source | None:
    row = one(store.conn, "SELECT * FROM sources WHERE lower(handle) = lower(?)", (handle,))
    return _source(row) if row else None


def find_source_by_remote_id(store: Store, kind: SourceKind, remote_id: str) -> Source | None:
    """A source by its network's own identity (a Bluesky DID)."""
    row = one(
        store.conn, "SELECT * FROM sources WHERE kind = ? AND remote_id = ?", (str(kind), remote_id)
    )
    return _source(row) if row else None


def list_sources(
    store: Store,
    *,
    person_id: int | None = None,
    kind: SourceKind | None = None,
    failing: bool = False,
) -> list[Source]:
    where: list[str] = ["1 = 1"]
    params: list[object] = []
    if person_id is not None:
        where.append("person_id = ?")
        params.append(person_id)
    if kind is not None:
        where.append("kind = ?")
        params.append(str(kind))
    if failing:
        where.append("(error_count > 0 OR state != 'active')")
    sql = f"SELECT * FROM sources WHERE {' AND '.join(where)} ORDER BY person_id, id"
    return [_source(r) for r in rows(store.conn, sql, params)]


def full_text_sources(store: Store) -> list[Source]:
    """The sources whose own choice is to fetch full text (``source edit --full-text``)."""
    sql = "SELECT * FROM sources WHERE full_text = 1 ORDER BY id"
    return [_source(r) for r in rows(store.conn, sql)]


def due_sources(
    store: Store,
    *,
    now: str,
    person_id: int | None = None,
    source_id: int | None = None,
    force: bool = False,
) -> list[Source]:
    """Active sources whose next_due_at has passed (all of them with force). One source asked
    for by id with force is fetched whatever its state (gone, moved)."""
    where: list[str] = [] if force and source_id is not None else ["state = 'active'"]
    params: list[object] = []
    if not force:
        where.append("(next_due_at IS NULL OR next_due_at <= ?)")
        params.append(now)
    if person_id is not None:
        where.append("person_id = ?")
        params.append(person_id)
    if source_id is not None:
        where.append("id = ?")
        params.append(source_id)
    sql = f"SELECT * FROM sources WHERE {' AND '.join(where) or '1'} ORDER BY next_due_at, id"
    return [_source(r) for r in rows(store.conn, sql, params)]


def delete_source(store: Store, source_id: int) -> None:
    identity.remember_orphans(store.conn, "id = ?", source_id)
    store.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
