"""Migration 0018 on a database made by plnctl 0.1 with duplicates in it: counts before and
after, nothing read, saved, noted, tagged or answered is lost, and the user hears once what
was merged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.identity.plnctl_0_1 import build_0_1_database
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed


def query(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def count(db: Path, table: str) -> int:
    return int(query(db, f"SELECT count(*) FROM {table}")[0][0])


@pytest.fixture
def old_db(tmp_path: Path, db_path: Path, feed_server: FeedServer) -> Path:
    maria = rss_feed(4)
    for path in ("/maria/feed", "/maria/feed/"):
        feed_server.add_feed(path, maria)
    feed_server.add_feed("/sam/a", rss_feed(2, start=10, base="https://sam.example"))
    feed_server.add_feed("/sam/b", rss_feed(2, start=20, base="https://lee.example"))
    feed_server.add_feed("/priya/feed", rss_feed(3, start=30, base="https://priya.example"))
    build_0_1_database(tmp_path, db_path, feed_server.url(""))
    return db_path


def test_the_0_1_database_really_holds_the_duplicates(old_db: Path) -> None:
    assert count(old_db, "people") == 7  # 4 x Maria, 2 x Sam Lee, Priya
    assert count(old_db, "sources") == 7
    assert count(old_db, "posts") == 16 + 4 + 6  # Maria 4 x 4, Sam 2 + 2, Priya 3 + 3 copies
    assert "source_aliases" not in {r[0] for r in query(old_db, "SELECT name FROM sqlite_master")}


def test_migration_merges_the_duplicates_and_keeps_what_the_user_did(
    old_db: Path, cli: Cli
) -> None:
    out = cli("person", "list", "--json")  # the first command migrates and says what it did
    assert out.exit_code == 0, out.stderr
    assert "merged 3 duplicate source(s) of 'Maria Rivera' into source 1" in out.stderr
    assert "12 post(s) stored twice became one" in out.stderr
    assert "renamed person 6 'Sam Lee' to 'Sam Lee (2)'" in out.stderr
    assert "merged 3 post(s) of removed people" in out.stderr
    names = sorted(p["name"] for p in out.json())  # type: ignore[union-attr, index]
    assert names == ["Maria Rivera", "Priya Natarajan", "Sam Lee", "Sam Lee (2)"]
    assert (count(old_db, "people"), count(old_db, "sources"), count(old_db, "posts")) == (
        4, 4, 4 + 4 + 3,
    )  # fmt: skip
    maria = query(
        old_db,
        "SELECT url, read_at, saved_at, save_note FROM posts WHERE source_id = 1 ORDER BY url",
    )
    by_link = {row[0].rsplit("/", 1)[1]: row[1:] for row in maria}
    assert by_link["0"][0] is not None  # read in the second copy
    assert by_link["1"][1] is not None and by_link["1"][2] == "team meeting\n\nfor Y9"
    tags = query(old_db, "SELECT p.url FROM post_topics pt JOIN posts p ON p.id = pt.post_id")
    assert tags == [("https://rivera.example.edu/2",)]  # the tag moved to the survivor
    answers = query(
        old_db, "SELECT p.url, p.source_id FROM answers a JOIN posts p ON p.id = a.post_id"
    )
    assert answers == [("https://rivera.example.edu/3", 1)]
    priya = query(old_db, "SELECT read_at, saved_at, save_note, source_id FROM posts "
                  "WHERE link_key LIKE 'priya.example/%' ORDER BY link_key DESC")  # fmt: skip
    assert priya[0][1] is not None and priya[0][2] == "try this"
    [(live,)] = query(old_db, "SELECT id FROM sources WHERE url LIKE '%/priya/%'")
    assert priya[1][0] is not None and {row[3] for row in priya} == {live}
    assert query(old_db, "PRAGMA foreign_key_check") == []
    again = cli("person", "show", "maria rivera", "--json")  # one person now, and no notice
    assert again.exit_code == 0, again.stderr
    assert again.json()["name"] == "Maria Rivera"  # type: ignore[index]
    assert "merged" not in again.stderr
