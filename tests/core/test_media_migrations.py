"""Migrations 0006-0008 (tag ``media``) on a database made before them: its posts are kept and
read back, with no media and no content warning, and the arrival index is there."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from plnctl.models import Media, NewPost
from plnctl.store import open_store
from plnctl.store import posts as posts_db
from plnctl.store.connection import APPLICATION_ID, LATEST


def _ours() -> list[str]:
    """This branch's migrations (tag ``media``), whatever numbers they get on merge."""
    from plnctl.store.schema import migrations

    return [m.name for m in migrations._migrations if m.name[4:11] == "_media_"]


def test_a_database_from_before_media_is_upgraded_with_its_posts(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    ours = _ours()
    assert len(ours) == 3
    migrations.apply(Database(conn), stop_before=ours[0])
    before = len(migrations.applied(Database(conn)))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {before}")
    conn.execute("INSERT INTO people (name, created_at, updated_at) VALUES ('Ada', 'x', 'x')")
    conn.execute("""INSERT INTO sources (person_id, kind, url, created_at)
                    VALUES (1, 'feed', 'https://ada.example/feed', 'x')""")
    conn.execute("""INSERT INTO posts (source_id, person_id, guid, title, fetched_at)
                    VALUES (1, 1, 'g1', 'Episode 1', '2026-11-01T00:00:00Z')""")
    conn.close()

    store = open_store(path)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST
    post = posts_db.get_post(store, 1)
    assert post is not None and post.title == "Episode 1"
    assert (post.media, post.content_warning, post.in_reply_to_handle) == ((), None, None)
    names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    assert {"posts_arrived_cover", "post_media"} <= names
    # the next sync of that feed brings the enclosure it always had
    audio = Media("https://ada.example/ep1.mp3", "audio/mpeg", "audio", 1000, 60)
    with store.transaction():
        result = posts_db.upsert_posts(
            store, 1, 1, [NewPost("g1", title="Episode 1", media=(audio,))], fetched_at="y"
        )
    assert result.updated_ids == (1,)
    updated = posts_db.get_post(store, 1)
    assert updated is not None and updated.media == (audio,)
    assert updated.fetched_at == "2026-11-01T00:00:00Z"  # arrival is never rewritten
    store.close()


def test_deleting_a_post_deletes_its_media(tmp_path: Path) -> None:
    store = open_store(tmp_path / "x.db")
    with store.transaction():
        store.conn.execute(
            "INSERT INTO people (name, created_at, updated_at) VALUES ('Ada', 'x', 'x')"
        )
        store.conn.execute(
            "INSERT INTO sources (person_id, kind, url, created_at) VALUES (1, 'feed', 'u', 'x')"
        )
        posts_db.upsert_posts(
            store, 1, 1, [NewPost("g", media=(Media("https://a.example/a.mp3"),))], fetched_at="x"
        )
        store.conn.execute("DELETE FROM posts")
    assert store.conn.execute("SELECT count(*) FROM post_media").fetchone()[0] == 0
    store.close()
