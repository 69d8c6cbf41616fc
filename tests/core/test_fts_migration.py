"""The FTS migration (0016) on a database made before it: stemmed search, only indexable posts
re-indexed, progress reported, and the index found by the real sqlite-utils and Datasette."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from plnctl.store import open_store
from plnctl.store.connection import APPLICATION_ID
from plnctl.store.search import search_posts

POSTS = [
    # id, title, text, indexed, deleted_at
    (1, "Hinge questions are underrated", "Three questions to ask.", 1, None),
    (2, "Retrieval practice", "Low-stakes quizzes every lesson.", 1, None),
    (3, "Opted-out questions", "This account asked not to be indexed.", 0, None),
    (4, "Deleted questions", "Gone.", 1, "2026-11-30T00:00:00Z"),
]


def _database_before_0006(path: Path) -> None:
    """A database as plnctl with migrations 0001-0005 left it, holding four posts."""
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(Database(conn), stop_before="0016_topics_fts_porter")
    conn.execute("PRAGMA user_version = 15")
    conn.execute(
        "INSERT INTO people (id, name, created_at, updated_at) VALUES (1, 'Ana', 'x', 'x')"
    )
    conn.executemany(
        "INSERT INTO posts (id, person_id, guid, title, content_text, indexed, deleted_at, "
        "fetched_at) VALUES (?, 1, ?, ?, ?, ?, ?, '2026-11-30T00:00:00Z')",
        [(i, f"g{i}", t, x, ix, d) for i, t, x, ix, d in POSTS],
    )
    conn.close()


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "plnctl.db"
    _database_before_0006(path)
    return path


def _fts_ids(path: Path, table: str, query: str) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute(f"SELECT rowid FROM {table}({query!r})")}
    finally:
        conn.close()


def test_migration_reindexes_only_indexable_posts_with_progress(old_db: Path) -> None:
    assert _fts_ids(old_db, "posts_fts", "question") == set()  # unstemmed before: no match
    calls: list[tuple[str, int, int]] = []
    open_store(old_db, progress=lambda *a: calls.append(a)).close()
    assert calls and calls[-1][1:] == (2, 2)  # 2 indexable posts of 4
    assert _fts_ids(old_db, "posts_fts", "question") == {1}  # stemmed: finds "questions"
    assert _fts_ids(old_db, "posts_fts_exact", "question") == set()
    assert _fts_ids(old_db, "posts_fts_exact", "questions") == {1}
    # the triggers keep both tables in step with later edits
    store = open_store(old_db)
    store.conn.execute("UPDATE posts SET title = 'Questioning' WHERE id = 2")
    store.conn.execute("UPDATE posts SET indexed = 1 WHERE id = 3")
    store.close()
    assert _fts_ids(old_db, "posts_fts", "question") == {1, 2, 3}
    assert _fts_ids(old_db, "posts_fts_exact", "questioning") == {2}


def _sqlite_utils_search(path: Path, word: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("sqlite-utils")
    if exe is None:
        pytest.skip("the sqlite-utils command is not installed")
    return subprocess.run(
        [exe, "search", str(path), "posts", word, "-c", "id"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_utils_search_finds_the_index(old_db: Path) -> None:
    before = _sqlite_utils_search(old_db, "questions")
    assert before.returncode != 0 and "not configured for full-text search" in before.stderr
    open_store(old_db).close()
    after = _sqlite_utils_search(old_db, "questions")
    assert after.returncode == 0, after.stderr
    assert [row["id"] for row in json.loads(after.stdout)] == [1]
    nothing = _sqlite_utils_search(old_db, "graphic")
    assert json.loads(nothing.stdout or "[]") == []


def _datasette_ids(path: Path, word: str) -> list[int]:
    datasette_app = pytest.importorskip("datasette.app", reason="datasette is not installed")

    async def get() -> list[int]:
        ds = datasette_app.Datasette([str(path)])
        response = await ds.client.get(
            f"/{path.stem}/posts.json?_search={word}&_shape=array&_col=id"
        )
        assert response.status_code == 200, response.text
        return sorted(row["id"] for row in response.json())

    return asyncio.run(get())


def test_datasette_search_filters_rows(old_db: Path) -> None:
    assert _datasette_ids(old_db, "questions") == [1, 2, 3, 4]  # before: silently every row
    open_store(old_db).close()
    assert _datasette_ids(old_db, "questions") == [1]
    assert _datasette_ids(old_db, "question") == [1]  # stemmed, as in plnctl search
    assert _datasette_ids(old_db, "graphic") == []


def test_person_only_tags_are_removed_and_reasons_cleaned(tmp_path: Path) -> None:
    """0007: a tag the author's topic alone gave goes; a tag a rule also gave stays, without
    the author part; manual and blocked tags stay as they were."""
    path = tmp_path / "plnctl.db"
    _database_before_0006(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("INSERT INTO topics (id, name, created_at) VALUES (1, 'assessment', 'x')")
    linked = "author Ana is linked to this topic"
    conn.executemany(
        "INSERT INTO post_topics (post_id, topic_id, origin, reason, created_at) "
        "VALUES (?, 1, ?, ?, 'x')",
        [
            (1, "rule", linked),
            (2, "rule", f'keyword "quizzes" in text; {linked}'),
            (3, "manual", "tagged by hand"),
            (4, "blocked", f"removed by hand (rule: {linked})"),
        ],
    )
    conn.close()
    open_store(path).close()
    conn = sqlite3.connect(path)
    tags = dict(conn.execute("SELECT post_id, reason FROM post_topics").fetchall())
    exact = conn.execute("SELECT exact FROM topics").fetchone()[0]
    conn.close()
    assert tags == {
        2: 'keyword "quizzes" in text',
        3: "tagged by hand",
        4: f"removed by hand (rule: {linked})",
    }
    assert exact == 0


def test_both_indexes_use_the_sync_friendly_settings_and_keep_finding_old_posts(
    old_db: Path,
) -> None:
    """Migration 0024 sets pgsz/automerge on both FTS tables of an existing database; what
    was indexed before is still found, and so is what is added after."""
    from plnctl.store.schema import FTS_SETTINGS

    store = open_store(old_db)
    conn = store.conn
    for table in ("posts_fts", "posts_fts_exact"):
        config = dict(conn.execute(f"SELECT k, v FROM {table}_config"))
        assert {k: config.get(k) for k, _ in FTS_SETTINGS} == dict(FTS_SETTINGS)
    with store.transaction():
        conn.execute(
            "INSERT INTO posts (id, person_id, guid, title, content_text, fetched_at) "
            "VALUES (9, 1, 'g9', 'Hinge points', 'More questions.', '2026-12-01T00:00:00Z')"
        )
    exact = {hit["id"] for hit in search_posts(store, "questions", exact=True)}
    store.close()
    assert _fts_ids(old_db, "posts_fts", "questions") == {1, 9}
    assert exact == {1, 9}  # the unstemmed index takes new posts when it is read
