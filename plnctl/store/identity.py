"""One identity per thing: unique names, source keys kept across moves and removals, and
merging what plnctl 0.1 stored twice (migration 0018), with the notices that report it.

A source is one per ``(kind, url_key)`` (``plnctl.urlkey``); a person one per name, ignoring
case. Merging keeps the oldest row and moves onto it everything that pointed at the others:
every table with a foreign key to it (found in the schema, so tables added later are moved
too). Two copies of one post keep the earliest read and saved times, both private notes and
the union of their tags; nothing the user did is lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from plnctl.errors import NameTaken
from plnctl.identity import canonical_name
from plnctl.store.connection import Progress
from plnctl.store.rows import one, rows
from plnctl.timeutil import now_iso
from plnctl.urlkey import source_key, url_key


def add_notice(conn: sqlite3.Connection, text: str) -> None:
    conn.execute("INSERT INTO notices (created_at, text) VALUES (?, ?)", (now_iso(), text))


def pending_notices(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """(id, text) of the notices not shown yet (what a migration merged)."""
    found = conn.execute("SELECT id, text FROM notices WHERE shown_at IS NULL ORDER BY id")
    return [(int(i), str(text)) for i, text in found.fetchall()]


def shown_notices(conn: sqlite3.Connection, up_to: int) -> None:
    conn.execute(
        "UPDATE notices SET shown_at = ? WHERE id <= ? AND shown_at IS NULL", (now_iso(), up_to)
    )


def _references(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key that points at ``table`` (tables other helpers
    add later are found too)."""
    found = conn.execute(
        """SELECT m.name, f."from" FROM sqlite_master m, pragma_foreign_key_list(m.name) f
           WHERE m.type = 'table' AND f."table" = ?""",
        (table,),
    )
    return [(str(name), str(column)) for name, column in found.fetchall()]


def repoint(conn: sqlite3.Connection, table: str, keep: int, dup: int) -> None:
    """Every row that pointed at ``table`` row ``dup`` points at ``keep``; a row that would
    then repeat one ``keep`` already has (a tag both posts had) is dropped; ``dup`` goes."""
    for child, column in _references(conn, table):
        conn.execute(f"UPDATE OR IGNORE {child} SET {column} = ? WHERE {column} = ?", (keep, dup))
        conn.execute(f"DELETE FROM {child} WHERE {column} = ?", (dup,))
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (dup,))


_JOIN_NOTES = """CASE WHEN a IS NULL THEN b WHEN b IS NULL OR a = b THEN a
                 ELSE a || char(10) || char(10) || b END"""


def merge_post(conn: sqlite3.Connection, keep: int, dup: int) -> None:
    """One entry stored twice: ``keep`` takes the earliest read and saved times and both
    notes; tags, notes, answers, shares... of ``dup`` move to it."""
    conn.execute(
        f"""UPDATE posts SET
              read_at = (SELECT min(read_at) FROM posts WHERE id IN (:keep, :dup)),
              saved_at = (SELECT min(saved_at) FROM posts WHERE id IN (:keep, :dup)),
              save_note = (SELECT {_JOIN_NOTES} FROM (SELECT
                  (SELECT save_note FROM posts WHERE id = :keep) AS a,
                  (SELECT save_note FROM posts WHERE id = :dup) AS b))
            WHERE id = :keep""",
        {"keep": keep, "dup": dup},
    )
    repoint(conn, "posts", keep, dup)


def _twin(conn: sqlite3.Connection, source_id: int, guid: str, link: str | None) -> int | None:
    row = one(
        conn,
        "SELECT id FROM posts WHERE source_id = ? AND (guid = ? OR link_key = ?) ORDER BY id",
        (source_id, guid, link),
    )
    return int(row["id"]) if row else None


def merge_source(conn: sqlite3.Connection, keep: sqlite3.Row, dup: sqlite3.Row) -> int:
    """``dup``'s posts go to ``keep`` (a post both stored is merged); returns how many were."""
    merged = 0
    for post in rows(
        conn, "SELECT id, guid, link_key FROM posts WHERE source_id = ?", (dup["id"],)
    ):
        twin = _twin(conn, keep["id"], post["guid"], post["link_key"])
        if twin is not None:
            merge_post(conn, twin, post["id"])
            merged += 1
        else:
            conn.execute(
                "UPDATE posts SET source_id = ?, person_id = ? WHERE id = ?",
                (keep["id"], keep["person_id"], post["id"]),
            )
    repoint(conn, "sources", keep["id"], dup["id"])
    return merged


def merge_person(conn: sqlite3.Connection, keep: int, dup: int) -> None:
    """Everything of person ``dup`` (sources, posts, topics, answers) becomes ``keep``'s."""
    conn.execute(
        "UPDATE people SET note = (SELECT " + _JOIN_NOTES + " FROM (SELECT "
        "(SELECT note FROM people WHERE id = :keep) AS a, "
        "(SELECT note FROM people WHERE id = :dup) AS b)) WHERE id = :keep",
        {"keep": keep, "dup": dup},
    )
    repoint(conn, "people", keep, dup)


def fill_keys(conn: sqlite3.Connection, progress: Progress | None = None) -> None:
    """sources.url_key and posts.link_key for rows stored before they existed (a big
    database takes a while: ``progress(label, done, total)`` hears how far it is)."""
    conn.executemany(
        "UPDATE sources SET url_key = ? WHERE id = ?",
        [(source_key(url), i) for i, url in conn.execute("SELECT id, url FROM sources")],
    )
    todo = "FROM posts WHERE url IS NOT NULL AND link_key IS NULL"
    total, done, last = conn.execute(f"SELECT count(*) {todo}").fetchone()[0], 0, 0
    while batch := conn.execute(
        f"SELECT id, url {todo} AND id > ? ORDER BY id LIMIT 5000", (last,)
    ).fetchall():
        conn.executemany(
            "UPDATE posts SET link_key = ? WHERE id = ?", [(url_key(u), i) for i, u in batch]
        )
        done, last = done + len(batch), batch[-1][0]
        if progress is not None:
            progress("Giving post links their identity key", done, total)


def merge_duplicate_sources(conn: sqlite3.Connection) -> list[str]:
    """Merge the sources that name one feed or account; returns what was done, in words."""
    groups: dict[tuple[str, str], list[sqlite3.Row]] = {}
    for row in rows(conn, "SELECT id, kind, url, url_key, person_id FROM sources ORDER BY id"):
        groups.setdefault((row["kind"], row["url_key"]), []).append(row)
    report = []
    for (_, key), (keep, *dups) in groups.items():
        if not dups:
            continue
        posts = sum(merge_source(conn, keep, dup) for dup in dups)
        people = _merge_owners(conn, keep["person_id"], {d["person_id"] for d in dups})
        owner = _name(conn, keep["person_id"])
        report.append(
            f"merged {len(dups)} duplicate source(s) of {owner!r} into source {keep['id']} "
            f"({key}): {posts} post(s) stored twice became one, read and saved state kept"
            + (f"; {people} duplicate person(s) merged into them" if people else "")
        )
    return report


def _merge_owners(conn: sqlite3.Connection, keep: int | None, owners: Iterable[int | None]) -> int:
    """The people who owned merged sources join ``keep`` when they have the same name or have
    no source left (0.1 made one person per spelling of a feed)."""
    merged = 0
    for dup in owners:
        if keep is None or dup is None or dup == keep or _name(conn, dup) is None:
            continue
        same_name = (_name(conn, dup) or "").lower() == (_name(conn, keep) or "").lower()
        left = one(conn, "SELECT count(*) AS n FROM sources WHERE person_id = ?", (dup,))
        if same_name or (left and left["n"] == 0):
            merge_person(conn, keep, dup)
            merged += 1
    return merged


def _name(conn: sqlite3.Connection, person_id: int | None) -> str | None:
    row = one(conn, "SELECT name FROM people WHERE id = ?", (person_id,))
    return str(row["name"]) if row else None


def merge_orphan_copies(conn: sqlite3.Connection) -> list[str]:
    """0.1 kept a removed person's posts unlinked and stored them again when the feed was
    added back: each such copy is merged into the live one (same link)."""
    pairs = rows(
        conn,
        """SELECT o.id AS orphan, min(p.id) AS live FROM posts o
           JOIN posts p ON p.link_key = o.link_key AND p.source_id IS NOT NULL
           WHERE o.source_id IS NULL AND o.link_key IS NOT NULL GROUP BY o.id""",
    )
    for pair in pairs:
        merge_post(conn, pair["live"], pair["orphan"])
    if not pairs:
        return []
    return [f"merged {len(pairs)} post(s) of removed people into the copies stored again later"]


def rename_duplicate_names(conn: sqlite3.Connection) -> list[str]:
    """People who still share a name (``canonical_name``: case in any script, spaces, Unicode
    forms) become "Name (2)", "Name (3)"...; every person's ``name_key`` is set (from schema
    24 on: migration 0019 calls this before the column exists)."""
    keyed = "name_key" in {r[1] for r in conn.execute("PRAGMA table_info(people)")}
    taken = {canonical_name(name) for (name,) in conn.execute("SELECT name FROM people")}
    seen: set[str] = set()
    report = []
    for person in rows(conn, "SELECT id, name FROM people ORDER BY id"):
        name, key = person["name"], canonical_name(person["name"])
        if key not in seen:
            seen.add(key)
            if keyed:
                conn.execute("UPDATE people SET name_key = ? WHERE id = ?", (key, person["id"]))
            continue
        n = 2
        while canonical_name(f"{name} ({n})") in taken:
            n += 1
        new = f"{name} ({n})"
        taken.add(canonical_name(new))
        conn.execute("UPDATE people SET name = ? WHERE id = ?", (new, person["id"]))
        if keyed:
            conn.execute(
                "UPDATE people SET name_key = ? WHERE id = ?", (canonical_name(new), person["id"])
            )
        report.append(
            f"renamed person {person['id']} {name!r} to {new!r}: names are unique now "
            f"(rename: plnctl person edit {person['id']} --name NAME)"
        )
    return report


# --- keeping one identity across moves and removals ----------------------------------------


def remember_alias(conn: sqlite3.Connection, source_id: int, new_key: str) -> None:
    """A source about to take a new address keeps its old key as an alias (a feed that moved
    with a 301 is still recognised by its old URL, in an OPML written before the move)."""
    conn.execute(
        "INSERT OR REPLACE INTO source_aliases (kind, url_key, source_id) "
        "SELECT kind, url_key, id FROM sources WHERE id = ? AND url_key != ?",
        (source_id, new_key),
    )
    conn.execute(
        "DELETE FROM source_aliases WHERE source_id = ? AND url_key = ?", (source_id, new_key)
    )


def remember_orphans(conn: sqlite3.Connection, where: str, value: int) -> None:
    """The posts kept after their source is removed remember its key (``kind url_key``)."""
    conn.execute(
        f"""UPDATE posts SET orphan_of = (SELECT s.kind || ' ' || s.url_key FROM sources s
            WHERE s.id = posts.source_id)
            WHERE source_id IN (SELECT id FROM sources WHERE {where})""",
        (value,),
    )


def reattach_orphans(conn: sqlite3.Connection, source_id: int, person_id: int | None) -> None:
    """Following a removed source again: its kept posts (read, saved, noted) come back to it
    and the next sync updates them instead of storing copies."""
    conn.execute(
        """UPDATE posts SET source_id = :source, person_id = :person, orphan_of = NULL
           WHERE orphan_of = (SELECT kind || ' ' || url_key FROM sources WHERE id = :source)""",
        {"source": source_id, "person": person_id},
    )


def name_holder(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    """(id, name) of the person with this name, ignoring case (names are unique)."""
    row = one(conn, "SELECT id, name FROM people WHERE name_key = ?", (canonical_name(name),))
    return (int(row["id"]), str(row["name"])) if row else None


@contextmanager
def unique_name(conn: sqlite3.Connection, name: str) -> Iterator[None]:
    """Writing a person's name: a name someone has (ignoring case) is NameTaken."""
    try:
        yield
    except sqlite3.IntegrityError:
        raise name_taken(conn, name) from None


def name_taken(conn: sqlite3.Connection, name: str) -> NameTaken:
    holder = name_holder(conn, name)
    who = f"{holder[1]} (id {holder[0]})" if holder else repr(name)
    return NameTaken(
        f"{who} is already in your network and names are unique; add a source to them with "
        f"'plnctl source add {holder[0] if holder else 'ID'} URL', or a namesake with "
        "'plnctl person add NAME --as-new \"OTHER NAME\"'"
    )


def source_row(conn: sqlite3.Connection, key: str, kind: str | None) -> sqlite3.Row | None:
    """The source (of this kind, or any) stored under this key, or that had it before it
    moved (an alias)."""
    return one(
        conn,
        """SELECT * FROM sources WHERE url_key = :key AND coalesce(:kind, kind) = kind
           UNION ALL SELECT s.* FROM source_aliases a JOIN sources s ON s.id = a.source_id
           WHERE a.url_key = :key AND coalesce(:kind, a.kind) = a.kind LIMIT 1""",
        {"key": key, "kind": kind},
    )
