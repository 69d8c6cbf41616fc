"""Opening databases: identity, refusal without modification, migrations keep rows."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.errors import NotAPlnDatabase, StorageError
from plnctl.models import NewPost, SourceKind
from plnctl.store import open_store
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store.connection import APPLICATION_ID, LATEST, PAGE_SIZE


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_marked_and_uses_wal(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.db")
    conn = store.conn
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE  # a post fits a page
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == (4 << 20) // PAGE_SIZE
    store.close()


def test_an_existing_database_keeps_its_page_size_and_its_posts(tmp_path: Path) -> None:
    path = tmp_path / "4k.db"
    store = open_store(path)
    store.close()
    conn = sqlite3.connect(path, isolation_level=None)  # as plnctl before 16 KiB pages left it
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("VACUUM")
    conn.close()
    store = open_store(path)
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(store, pid, SourceKind.FEED, "https://ada.example/f")
        posts_db.upsert_posts(store, sid, pid, [NewPost(guid="g", title="Exit tickets")],
                              fetched_at="x")  # fmt: skip
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    store.close()
    store = open_store(path)
    assert store.conn.execute("PRAGMA page_size").fetchone()[0] == 4096
    assert store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1024  # ~4 MB too
    assert store.conn.execute("SELECT rowid FROM posts_fts('tickets')").fetchall() == [(1,)]
    store.close()


def test_latest_matches_the_migrations() -> None:
    from plnctl.store.schema import migrations

    assert len(migrations._migrations) == LATEST


def test_text_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my precious notes\n" * 200)
    before = _digest(path)
    with pytest.raises(NotAPlnDatabase, match="not a plnctl database"):
        open_store(path)
    assert _digest(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.execute("INSERT INTO recipes VALUES ('soup')")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(NotAPlnDatabase, match="another program"):
        open_store(path)
    assert _digest(path) == before


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="directory"):
        open_store(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError, match="newer plnctl"):
        open_store(path)


def test_migrating_an_older_database_keeps_its_rows(tmp_path: Path) -> None:
    """Build a database at the first migration only, fill it, then open it with this plnctl."""
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    names = [m.name for m in migrations._migrations]
    migrations.apply(Database(conn), stop_before=names[1:] or None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('Ada', 'x', 'x')")
    conn.execute("""INSERT INTO sources (person_id, kind, url, created_at)
                    VALUES (1, 'feed', 'https://ada.example/feed', 'x')""")
    conn.execute("""INSERT INTO posts (source_id, person_id, guid, title, content_text, fetched_at)
                    VALUES (1, 1, 'g1', 'Formative assessment', 'exit tickets', 'x')""")
    conn.close()

    store = open_store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert [p.name for p in people_db.list_people(store)] == ["Ada"]
    hits = store.conn.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'assessment'")
    assert hits.fetchall() == [(1,)]
    store.close()


def test_upsert_is_idempotent_and_updates_changed_posts(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.db")
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(store, pid, SourceKind.FEED, "https://ada.example/feed")
    first = [
        NewPost(guid="a", title="One", content_text="alpha"),
        NewPost(guid="b", title="Two", content_text="beta", hashtags=("EdChat",)),
    ]
    with store.transaction():
        result = posts_db.upsert_posts(store, sid, pid, first, fetched_at="2026-01-01T00:00:00Z")
    assert len(result.new_ids) == 2
    with store.transaction():
        again = posts_db.upsert_posts(store, sid, pid, first, fetched_at="2026-01-02T00:00:00Z")
    assert again.new_ids == () and again.updated_ids == ()
    edited = [NewPost(guid="a", title="One (edited)", content_text="alpha")]
    with store.transaction():
        changed = posts_db.upsert_posts(store, sid, pid, edited, fetched_at="2026-01-03T00:00:00Z")
    assert changed.updated_ids == result.new_ids[:1]
    assert posts_db.count_posts(store) == 2
    post = posts_db.get_post(store, result.new_ids[1])
    assert post is not None and post.hashtags == ("edchat",)
    store.close()


def test_new_posts_of_many_sources_are_inserted_together_each_under_its_own_source(
    tmp_path: Path,
) -> None:
    """The sync inserts a batch's new posts in a few multi-row statements: two feeds that use
    the same guids keep apart, each post gets its own id, text and facets, and search finds
    them, also when SQLite allows fewer variables than one statement for them all needs."""
    store = open_store(tmp_path / "p.db")
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 100)  # 4 rows per INSERT
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        feeds = [
            people_db.insert_source(store, pid, SourceKind.FEED, f"https://ada.example/{n}")
            for n in ("a", "b")
        ]
    posts = {
        sid: [
            NewPost(guid=str(i), title=f"Post {i} of {sid}", content_text=f"word{sid}x{i}",
                    hashtags=(f"tag{sid}",))
            for i in range(3)
        ]
        for sid in feeds
    }  # fmt: skip
    with store.transaction():
        plans = [
            posts_db.plan_upsert(store, sid, pid, posts[sid], fetched_at="2026-01-01T00:00:00Z")
            for sid in feeds
        ]
        posts_db.insert_pending(store, plans)
        results = [posts_db.finish_upsert(store, plan) for plan in plans]
    assert [len(r.new_ids) for r in results] == [3, 3]
    for sid, result in zip(feeds, results, strict=True):
        for i, post_id in enumerate(result.new_ids):
            assert result.ids_by_guid[str(i)] == post_id
            post = posts_db.get_post(store, post_id)
            assert post is not None and post.source_id == sid
            assert post.title == f"Post {i} of {sid}" and post.hashtags == (f"tag{sid}",)
            found = store.conn.execute(
                "SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?", (f"word{sid}x{i}",)
            ).fetchall()
            assert found == [(post_id,)]
    store.close()


def test_deleted_posts_are_not_resurrected(tmp_path: Path) -> None:
    store = open_store(tmp_path / "d.db")
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(store, pid, SourceKind.FEED, "https://ada.example/feed")
        posts_db.upsert_posts(store, sid, pid, [NewPost(guid="x", title="Oops")], fetched_at="t")
        assert posts_db.mark_deleted(store, sid, ["x"], at="t2") == 1
        again = posts_db.upsert_posts(
            store, sid, pid, [NewPost(guid="x", title="Oops v2")], fetched_at="t3"
        )
    assert again.new_ids == () and again.updated_ids == ()
    assert posts_db.list_posts(store) == []
    store.close()


def test_rollback_leaves_nothing_behind(tmp_path: Path) -> None:
    store = open_store(tmp_path / "r.db")
    with pytest.raises(RuntimeError), store.transaction():
        people_db.insert_person(store, "Ada")
        raise RuntimeError("boom")
    assert people_db.list_people(store) == []
    store.close()


def test_opting_out_takes_stored_posts_out_of_search(tmp_path: Path) -> None:
    store = open_store(tmp_path / "o.db")
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(
            store, pid, SourceKind.MASTODON, "https://m.example/@ada", handle="@ada@m.example"
        )
        posts_db.upsert_posts(
            store, sid, pid, [NewPost(guid="1", title="assessment ideas")], fetched_at="t"
        )

    def hits() -> int:
        sql = "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'assessment'"
        return int(store.conn.execute(sql).fetchone()[0])

    assert hits() == 1
    with store.transaction():
        people_db.update_source(store, sid, noindex=True)
    assert hits() == 0
    with store.transaction():
        people_db.update_person(store, pid, index_override=1)
        people_db.reindex_source(store, sid)  # as `person edit --index` does
    assert hits() == 1
    store.close()


def test_a_completed_sync_is_recorded(pln, feed_server) -> None:  # type: ignore[no-untyped-def]
    from plnctl.store.runs import last_sync_run
    from tests.servers.feeds import rss_feed

    feed_server.add_feed("/a.xml", rss_feed(3))
    pln.people.add("Ada", feeds=[feed_server.url("/a.xml")])
    assert last_sync_run(pln.store) is None
    summary = pln.sync()
    run = last_sync_run(pln.store)
    assert run is not None and run["new_posts"] == summary.new_posts == 3
    assert run["sources"] == 1 and run["failed"] == 0


def test_a_damaged_database_is_a_clear_error(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("person", "add", "Ada", "--note", "x" * 20000)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    data[4096:] = b"A" * (len(data) - 4096)  # everything after the first page
    db_path.write_bytes(bytes(data))
    result = cli("person", "list")
    assert result.exit_code == 5
    assert "is damaged" in result.stderr and "internal error" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_edited_post_stays_searchable_by_old_and_new_words(tmp_path: Path) -> None:
    store = open_store(tmp_path / "e.db")
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(store, pid, SourceKind.FEED, "https://ada.example/feed")
        posts_db.upsert_posts(store, sid, pid, [NewPost(guid="1", title="Exit tickets",
                              content_text="formative assessment")], fetched_at="t")  # fmt: skip

    def hits(query: str) -> int:
        sql = "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH ?"
        return int(store.conn.execute(sql, (query,)).fetchone()[0])

    with store.transaction():
        edited = NewPost(guid="1", title="Exit tickets, revised", content_text="formative feedback")
        assert posts_db.upsert_posts(store, sid, pid, [edited], fetched_at="t2").updated_ids
    assert hits("exit tickets") == 1 and hits("revised") == 1 and hits("feedback") == 1
    assert hits("assessment") == 0
    store.conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")
    store.close()


def test_migration_0005_repairs_the_two_trigger_index(tmp_path: Path) -> None:
    """A database made by the first 0001 (two UPDATE triggers) is repaired on open: one trigger,
    and an index that again finds the words an edit had dropped."""
    path = tmp_path / "old-triggers.db"
    store = open_store(path)
    with store.transaction():
        pid = people_db.insert_person(store, "Ada")
        sid = people_db.insert_source(store, pid, SourceKind.FEED, "https://ada.example/feed")
        posts_db.upsert_posts(store, sid, pid, [NewPost(guid="1", title="Exit tickets")],
                              fetched_at="t")  # fmt: skip
    conn = store.conn
    conn.execute("DROP TRIGGER posts_fts_update")
    conn.execute("""CREATE TRIGGER posts_fts_update_old AFTER UPDATE OF title ON posts BEGIN
        INSERT INTO posts_fts (posts_fts, rowid, title, content_text)
        VALUES ('delete', old.id, old.title, old.content_text); END""")
    conn.execute("""CREATE TRIGGER posts_fts_update_new AFTER UPDATE OF title ON posts BEGIN
        INSERT INTO posts_fts (rowid, title, content_text)
        VALUES (new.id, new.title, new.content_text); END""")
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")  # a damaged index
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_fts_one_update_trigger'")
    conn.execute("PRAGMA user_version = 4")
    store.close()

    repaired = open_store(path)
    triggers = {
        r[0]
        for r in repaired.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'posts_fts_update%'"
        )
    }
    assert triggers == {"posts_fts_update"}
    hits = repaired.conn.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'tickets'")
    assert hits.fetchall() == [(1,)]
    repaired.close()


def test_ids_are_never_reused_after_a_delete(pln: Pln) -> None:
    """A script holding person 2's id must never hit someone else after person 2 is removed."""
    first = pln.people.add("Ada Lovelace")
    second = pln.people.add("Grace Hopper")
    pln.people.remove(second.id)
    third = pln.people.add("Katherine Johnson")
    assert third.id > second.id > first.id


def test_migration_0006_keeps_rows_state_and_search(tmp_path: Path) -> None:
    """A database at schema 5 (plnctl 0.1) is rebuilt with never-reused ids: every row, its
    read/saved state, topics and the search index survive, and nothing cascades away."""
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    path = tmp_path / "v5.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    names = [m.name for m in migrations._migrations]
    migrations.apply(Database(conn), stop_before=names[5:])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 5")
    conn.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('Ada', 'x', 'x')")
    conn.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('Gone', 'x', 'x')")
    conn.execute("DELETE FROM people WHERE name = 'Gone'")
    conn.execute("""INSERT INTO sources (person_id, kind, url, created_at)
                    VALUES (1, 'feed', 'https://ada.example/feed', 'x')""")
    conn.execute("""INSERT INTO posts (source_id, person_id, guid, title, content_text, fetched_at,
                    read_at, saved_at, save_note)
                    VALUES (1, 1, 'g1', 'Formative assessment', 'exit tickets', 'x',
                    '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'for Monday')""")
    conn.execute("INSERT INTO topics (name, created_at) VALUES ('assessment', 'x')")
    conn.execute("""INSERT INTO post_topics (post_id, topic_id, origin, reason, created_at)
                    VALUES (1, 1, 'manual', 'mine', 'x')""")
    conn.close()

    store = open_store(path)
    c = store.conn
    assert c.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    row = c.execute("SELECT title, read_at, saved_at, save_note FROM posts").fetchone()
    assert row == ("Formative assessment", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z",
                   "for Monday")  # fmt: skip
    assert c.execute("SELECT count(*) FROM post_topics").fetchone()[0] == 1
    assert c.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
    hits = c.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'tickets'").fetchall()
    assert hits == [(1,)]
    # Editing still re-indexes (the triggers were recreated on the rebuilt table).
    c.execute("UPDATE posts SET content_text = 'hinge questions' WHERE id = 1")
    assert c.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'hinge'").fetchall()
    assert c.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'tickets'").fetchall() == []
    # The sequence continues above every id ever used, and the new kinds are accepted.
    c.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('New', 'x', 'x')")
    assert c.execute("SELECT id FROM people WHERE name = 'New'").fetchone()[0] >= 2
    c.execute("""INSERT INTO sources (person_id, kind, url, created_at)
                 VALUES (NULL, 'tag', 'https://social.example/tags/edchat', 'x')""")
    # Foreign keys are on again: deleting Ada cascades to her source as before.
    c.execute("DELETE FROM people WHERE name = 'Ada'")
    assert c.execute("SELECT count(*) FROM sources WHERE person_id IS NOT NULL").fetchone()[0] == 0
    store.close()
