"""A database written by plnctl 0.1 (or edited by hand) may hold dates no read command could
parse: the repair migration (0014) fixes the out-of-range ones; the read path tolerates the rest."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.store import open_store
from tests.conftest import Cli
from tests.ingest.readers import run_every_read_command
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed

JUNK = [
    "1-01-01T00:00:00Z",  # what 0.1 stored for an RSS entry dated 01 Jan 0001
    "9999-12-31T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2026-13-45T99:99:99Z",
    "yesterday",
    "",
]


def a_network(pln: Pln, feed_server: FeedServer, cli: Cli) -> list[int]:
    """Seven synced posts (one saved), a question with an answer: the ids of the posts."""
    pln.people.add("Ada Rivera", feeds=[feed_server.add_feed("/ada.xml", rss_feed(7))])
    pln.sync(force=True)
    ids = [p.id for p in pln.posts.list(limit=None)]
    assert cli("post", "save", str(ids[0]), "--note", "for the team").exit_code == 0
    assert cli("question", "add", "Who uses exit tickets?").exit_code == 0
    out = cli("question", "answer", "1", "--from", "Ada Rivera", "--text", "Every lesson")
    assert out.exit_code == 0, out.stderr
    return ids


def write_junk(db_path: Path, ids: list[int]) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        for post_id, junk in zip(ids, JUNK, strict=False):  # the last post keeps its date
            conn.execute(
                "UPDATE posts SET published_at = ?, updated_at = ?, edited_at = ? WHERE id = ?",
                (junk, junk, junk, post_id),
            )
        conn.execute("UPDATE answers SET answered_at = ?", (JUNK[0],))
        conn.execute("UPDATE questions SET asked_at = ?", (JUNK[1],))
    conn.close()


def as_written_by_0_1(db_path: Path) -> None:
    """Forget the repair migration, as a database from before it (found by its tag)."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DELETE FROM _sqlite_migrations WHERE name LIKE '%_ingest_repair_dates'")
        count = conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {count}")
    conn.close()


def stored_dates(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(
            "SELECT published_at, updated_at, edited_at FROM posts ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


@pytest.fixture
def junk_ids(pln: Pln, feed_server: FeedServer, cli: Cli, db_path: Path) -> list[int]:
    """A network whose database holds the junk dates (the API closed): the post ids."""
    ids = a_network(pln, feed_server, cli)
    pln.close()
    write_junk(db_path, ids)
    return ids


def test_the_repair_migration_fixes_dates_0_1_stored(
    junk_ids: list[int], cli: Cli, db_path
) -> None:
    as_written_by_0_1(db_path)
    store = open_store(db_path)  # migrates
    store.close()
    after = dict(zip(sorted(junk_ids), stored_dates(db_path), strict=True))
    for post_id, junk in zip(junk_ids, JUNK, strict=False):
        assert after[post_id] == (None, None, None), junk
    assert after[junk_ids[-1]][0] is not None  # a good date is kept
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT answered_at FROM answers").fetchone() == (None,)
    asked, created = conn.execute("SELECT asked_at, created_at FROM questions").fetchone()
    assert asked == created
    conn.close()
    run_every_read_command(cli, junk_ids, ["Ada Rivera"])


def test_the_read_path_tolerates_junk_dates(junk_ids: list[int], cli: Cli) -> None:
    """Junk written after the migration (by hand, by a tool): every read command still works."""
    run_every_read_command(cli, junk_ids, ["Ada Rivera"])


@pytest.mark.parametrize("migrated", [True, False])
def test_digest_since_last_advances_over_junk(
    migrated: bool, junk_ids: list[int], cli: Cli, db_path: Path
) -> None:
    if migrated:
        as_written_by_0_1(db_path)
    first = cli("digest", "--since", "last")  # the text digest formats every date
    assert first.exit_code == 0, first.stderr
    assert "Ada Rivera" in first.stdout
    second = cli("digest", "--since", "last", "-f", "json")
    assert second.exit_code == 0, second.stderr
    assert second.json()["post_count"] == 0  # type: ignore[index]  # the watermark moved on
