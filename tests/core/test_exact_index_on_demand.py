"""The unstemmed index (``search --exact``, exact topics) is filled when it is read, not on every
insert (issue 14: a third of a cold sync's storing). What a user sees must not show it: an
exact search finds every post stored before it, edited and deleted posts included, on a new
database and on one from before migration 0027; a long catch-up reports progress."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from plnctl.api import Pln, open_pln
from plnctl.models import NewPost, SourceKind
from plnctl.store import exact_index, open_store
from plnctl.store import people as people_db
from plnctl.store import posts as posts_db
from plnctl.store.connection import APPLICATION_ID
from tests.conftest import Cli


def _source(pln: Pln) -> tuple[int, int]:
    with pln.store.transaction():
        pid = people_db.insert_person(pln.store, "Ada")
        sid = people_db.insert_source(pln.store, pid, SourceKind.FEED, "https://ada.example/f")
    return pid, sid


def _store(pln: Pln, ids: tuple[int, int], *posts: tuple[str, str, str]) -> None:
    pid, sid = ids
    new = [NewPost(guid=g, title=title, content_text=text) for g, title, text in posts]
    with pln.store.transaction():
        posts_db.upsert_posts(pln.store, sid, pid, new, fetched_at="2026-12-01T08:00:00Z")


def _exact(cli: Cli, db: Path, query: str) -> set[str]:
    result = cli("--db", str(db), "search", query, "--exact", "--json")
    assert result.exit_code == 0, result.stderr
    return {hit["title"] for hit in result.json()}  # type: ignore[attr-defined]


def test_exact_search_finds_what_was_stored_edited_and_deleted_since_the_last_one(
    db_path: Path, cli: Cli
) -> None:
    with open_pln(db_path) as pln:
        ids = _source(pln)
        _store(pln, ids, ("a", "Questions", "hinge questions"), ("b", "Question", "one question"))
        assert exact_index.behind(pln.store) > 0  # storing did not pay for it
    assert _exact(cli, db_path, "questions") == {"Questions"}
    assert _exact(cli, db_path, "question") == {"Question"}  # not stemmed
    with open_pln(db_path) as pln:
        assert exact_index.behind(pln.store) == 0
        # a post already in the index is edited, another deleted, a third is new
        _store(pln, ids, ("a", "Questions", "exit tickets"), ("c", "Tickets", "exit tickets"))
        with pln.store.transaction():
            posts_db.mark_deleted(pln.store, ids[1], ["b"], at="2026-12-01T09:00:00Z")
    assert _exact(cli, db_path, "questions") == {"Questions"}  # still its title
    assert _exact(cli, db_path, "hinge") == set()  # the old text is gone from the index
    assert _exact(cli, db_path, "tickets") == {"Questions", "Tickets"}
    assert _exact(cli, db_path, "question") == set()  # deleted
    assert cli("--db", str(db_path), "search", "ticket", "--json").json() != []  # stemmed


def test_an_exact_topic_tags_posts_stored_before_it_was_made(pln: Pln) -> None:
    ids = _source(pln)
    _store(pln, ids, ("a", "Assessment", "formative assessment"), ("b", "Other", "assessments"))
    pln.topics.add("assess", keywords=["assessment"], exact=True)
    tagged = {p.title for p in pln.posts.list(topic="assess", limit=10)}
    assert tagged == {"Assessment"}


def test_a_long_catch_up_reports_progress_and_finds_everything(
    pln: Pln, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exact_index, "CHUNK", 3)
    ids = _source(pln)
    _store(pln, ids, *((f"g{i}", f"Post {i}", f"word{i % 2} text") for i in range(10)))
    heard: list[tuple[str, int, int]] = []
    hits = pln.topics.search("word1", exact=True, limit=20, progress=lambda *a: heard.append(a))
    assert {h.title for h in hits} == {f"Post {i}" for i in range(1, 10, 2)}
    assert heard and heard[-1][1] == heard[-1][2]  # the bar reaches its end
    assert [done for _, done, _ in heard] == sorted(done for _, done, _ in heard)


def test_a_database_from_before_keeps_its_exact_index_and_re_indexes_nothing(
    tmp_path: Path,
) -> None:
    from sqlite_utils import Database

    from plnctl.store.schema import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    migrations.apply(Database(conn), stop_before="0027_exact_index_on_demand")
    conn.execute("PRAGMA user_version = 26")
    conn.execute("INSERT INTO people (id, name, created_at, updated_at) VALUES (1, 'A', 'x', 'x')")
    conn.execute(
        "INSERT INTO posts (id, person_id, guid, title, content_text, fetched_at) "
        "VALUES (7, 1, 'g7', 'Questions', 'hinge questions', 'x')"
    )
    conn.close()
    store = open_store(path)
    assert exact_index.behind(store) == 0  # the triggers kept it whole until 0027
    found = store.conn.execute("SELECT rowid FROM posts_fts_exact('questions')").fetchall()
    assert found == [(7,)]
    store.close()
