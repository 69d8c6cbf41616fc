"""plnctl export backup / import backup: a consistent copy of the whole database, restored
into an empty one; non-empty targets and foreign files are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from plnctl.api import open_pln
from plnctl.models import SourceKind
from tests.conftest import Cli
from tests.share.conftest import add_person, add_post, save


def _network(db: Path) -> None:
    with open_pln(db) as pln:
        ada = add_person(pln, "Ada", SourceKind.FEED, "https://ada.example/feed")
        post = add_post(pln, ada, fetched_at="2026-11-30T10:00:00Z", title="On feedback",
                        url="https://ada.example/feedback", topics=("assessment",))  # fmt: skip
        save(pln, post, "2026-11-30T11:00:00Z", note="private: for the team")


def _snapshot(cli: Cli, db: Path) -> tuple[object, ...]:
    people = cli("--db", str(db), "person", "list", "--json").json()
    posts = cli("--db", str(db), "post", "list", "--json").json()
    saved = cli("--db", str(db), "reading-list", "--json").json()
    return people, posts, saved


def test_backup_round_trips_everything(cli: Cli, tmp_path: Path) -> None:
    first, copy, second = tmp_path / "first.db", tmp_path / "backup.db", tmp_path / "second.db"
    _network(first)
    made = cli("--db", str(first), "export", "backup", "-o", str(copy))
    assert made.exit_code == 0, made.stderr
    assert "1 people" in made.stderr
    restored = cli("--db", str(second), "import", "backup", str(copy), "--json")
    assert restored.exit_code == 0, restored.stderr
    assert restored.json()["counts"]["posts"] == 1  # type: ignore[index]
    assert _snapshot(cli, second) == _snapshot(cli, first)
    assert "private: for the team" in str(_snapshot(cli, second)[2])  # notes are kept
    with sqlite3.connect(second) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_is_consistent_while_another_writer_is_busy(cli: Cli, tmp_path: Path) -> None:
    first, copy = tmp_path / "first.db", tmp_path / "backup.db"
    _network(first)
    writer = sqlite3.connect(first, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO people (name, created_at, updated_at) VALUES ('Half-written', 'x', 'x')"
    )
    try:
        made = cli("--db", str(first), "export", "backup", "-o", str(copy))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert made.exit_code == 0, made.stderr
    names = [p["name"] for p in cli("--db", str(copy), "person", "list", "--json").json()]  # type: ignore[index]
    assert names == ["Ada"]


def test_stdout_and_stdin(tmp_path: Path) -> None:
    from plnctl.cli.app import app

    first, second = tmp_path / "first.db", tmp_path / "second.db"
    _network(first)
    runner = CliRunner()
    out = runner.invoke(app, ["--db", str(first), "export", "backup", "-o", "-"])
    assert out.exit_code == 0 and out.stdout_bytes.startswith(b"SQLite format 3\x00")
    back = runner.invoke(
        app, ["--db", str(second), "import", "backup", "-"], input=out.stdout_bytes
    )
    assert back.exit_code == 0, back.stderr
    with open_pln(second) as pln:
        assert [p.name for p in pln.people.list()] == ["Ada"]


def test_a_non_empty_database_is_refused_unless_replace(cli: Cli, tmp_path: Path) -> None:
    first, copy, other = tmp_path / "first.db", tmp_path / "backup.db", tmp_path / "other.db"
    _network(first)
    cli("--db", str(first), "export", "backup", "-o", str(copy))
    with open_pln(other) as pln:
        add_person(pln, "Bo", SourceKind.FEED, "https://bo.example/feed")
    refused = cli("--db", str(other), "import", "backup", str(copy))
    assert (
        refused.exit_code == 2 and "not empty" in refused.stderr and "--replace" in refused.stderr
    )
    names = [p["name"] for p in cli("--db", str(other), "person", "list", "--json").json()]  # type: ignore[index]
    assert names == ["Bo"]
    replaced = cli("--db", str(other), "import", "backup", str(copy), "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    names = [p["name"] for p in cli("--db", str(other), "person", "list", "--json").json()]  # type: ignore[index]
    assert names == ["Ada"]


def test_a_file_that_is_not_a_plnctl_backup_is_refused(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE people (name TEXT)")
        conn.execute("INSERT INTO people VALUES ('Mallory')")
    for path in (text, foreign):
        result = cli("--db", str(target), "import", "backup", str(path))
        assert result.exit_code == 5 and "not a plnctl backup" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli("--db", str(target), "person", "list", "--json").json() == []
    missing = cli("--db", str(target), "import", "backup", str(tmp_path / "nope.db"))
    assert missing.exit_code == 2
