"""Names are unique as people read them, in every script: SQLite's lower() folds ASCII only,
so "Élodie Martin" and "élodie martin" were two people (and an OPML listing her both ways made
two). Real CLI, real feeds on a loopback server, a database as schema 23 left it."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed


def names(cli: Cli) -> list[str]:
    return [p["name"] for p in cli("person", "list", "--json").json()]  # type: ignore[index, union-attr]


def test_a_name_in_another_case_of_any_script_is_the_same_person(
    cli: Cli, feed_server: FeedServer
) -> None:
    blog = feed_server.add_feed("/blog.xml", rss_feed(1))
    podcast = feed_server.add_feed("/podcast.xml", rss_feed(1, start=5))
    assert cli("person", "add", "Élodie Martin", "--feed", blog).exit_code == 0
    bare = cli("person", "add", "élodie MARTIN")
    assert bare.exit_code == 1
    assert "Élodie Martin (id 1) is already in your network" in bare.stderr
    decomposed = "E\u0301lodie  martin"  # é written as e + combining accent, two spaces
    joined = cli("person", "add", decomposed, "--feed", podcast)
    assert joined.exit_code == 0, joined.stderr
    assert "adding to them" in joined.stderr
    assert names(cli) == ["Élodie Martin"]
    assert cli("person", "show", "ÉLODIE MARTIN", "--json").json()["id"] == 1  # type: ignore[index]
    assert cli("person", "add", "Ørjan Ødegård").exit_code == 0
    renamed = cli("person", "edit", "2", "--name", "ørjan ødegård")  # case only: their own name
    assert renamed.exit_code == 0, renamed.stderr
    taken = cli("person", "edit", "2", "--name", "ÉLODIE martin")
    assert taken.exit_code == 1 and "already in your network" in taken.stderr
    assert cli("person", "add", "Straße Team").exit_code == 0
    assert cli("person", "add", "STRASSE team").exit_code == 1  # casefold: ß is ss
    assert sorted(names(cli)) == ["Straße Team", "Élodie Martin", "ørjan ødegård"]


def test_an_opml_listing_one_person_in_two_cases_makes_one_person(
    cli: Cli, tmp_path: Path, feed_server: FeedServer
) -> None:
    outlines = [
        ("Élodie Martin", feed_server.add_feed("/a.xml", rss_feed(1))),
        ("élodie martin", feed_server.add_feed("/b.xml", rss_feed(1, start=3))),
    ]
    body = "".join(
        f'<outline type="rss" text={quoteattr(t)} xmlUrl={quoteattr(u)}/>' for t, u in outlines
    )
    path = tmp_path / "two.opml"
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>')
    out = cli("import", "opml", str(path))
    assert out.exit_code == 0, out.stderr
    assert names(cli) == ["Élodie Martin"]
    assert len(cli("source", "list", "--json").json()) == 2  # type: ignore[arg-type]


def as_schema_23(db_path: Path, *people: str) -> None:
    """The database as plnctl with schema 23 left it: names unique by lower(name) only."""
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("DROP INDEX people_name_key")
        conn.execute("UPDATE people SET name_key = NULL")
        conn.execute("CREATE UNIQUE INDEX people_name_unique ON people (lower(name))")
        stamp = "2026-11-30T08:00:00+00:00"
        conn.executemany(
            "INSERT INTO people (name, created_at, updated_at) VALUES (?, ?, ?)",
            [(name, stamp, stamp) for name in people],
        )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0024_names_unicode_key'")
        conn.execute("PRAGMA user_version = 23")
    conn.close()


def test_the_upgrade_renames_people_schema_23_let_share_a_name(cli: Cli, db_path: Path) -> None:
    assert cli("person", "add", "Élodie Martin").exit_code == 0
    as_schema_23(db_path, "élodie martin", "ÉLODIE MARTIN (2)")
    listed = cli("person", "list")  # the upgrade runs on first open and says what it did once
    assert listed.exit_code == 0, listed.stderr
    assert "renamed person 2 'élodie martin' to 'élodie martin (3)'" in listed.stderr
    assert "plnctl person edit 2 --name NAME" in listed.stderr
    assert sorted(names(cli)) == ["ÉLODIE MARTIN (2)", "Élodie Martin", "élodie martin (3)"]
    assert "renamed" not in cli("person", "list").stderr
    again = cli("person", "add", "ÉLODIE martin")
    assert again.exit_code == 1 and "Élodie Martin (id 1)" in again.stderr
