"""Errors are one line: a stored or printed error never carries a traceback, not the parser
pool's remote one (8+ due feeds), not a `log.exception` on a plain sync (a store that refuses
writes, a feed URL with port 99999), not one a 0.1 database already holds. `-vv` and
`--debug` add tracebacks without changing the exit code."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from plnctl.errors import ExitCode, ParseError, one_line
from tests.conftest import Cli
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import html_page, rss_feed

NOT_A_FEED = "not a feed: the server sent an HTML page (text/html)"


def _assert_no_traceback(text: str) -> None:
    assert "Traceback" not in text and '"""' not in text and 'File "' not in text


@pytest.fixture
def nine_feeds(cli: Cli, feed_server: FeedServer, db_path: Path) -> Path:
    """Eight good feeds and one HTML page: enough due feeds for the parser process pool."""
    feed_server.add_page("/page", html_page())
    args = ["--feed", feed_server.url("/page")]
    for n in range(8):
        args += ["--feed", feed_server.add_feed(f"/{n}.xml", rss_feed(2, start=n * 2))]
    (db_path.parent / "config.toml").write_text("[sync]\nparse_workers = 2\n")
    assert cli("person", "add", "Many", "--no-check", *args).exit_code == 0
    return db_path


def test_parser_pool_error_is_one_line_everywhere(nine_feeds: Path, cli: Cli) -> None:
    result = cli("sync")
    assert result.exit_code == int(ExitCode.PARTIAL)
    _assert_no_traceback(result.stderr)
    assert f"/page: {NOT_A_FEED}\n" in result.stderr
    assert all(len(line) < 200 for line in result.stderr.splitlines())

    forced = cli("sync", "--force", "--json")
    _assert_no_traceback(forced.stdout + forced.stderr)
    [failed] = [r for r in forced.json()["results"] if r["status"] == "failed"]  # type: ignore[index]
    assert failed["error"] == NOT_A_FEED

    failing = cli("source", "list", "--failing", "--json").json()
    assert [s["last_error"] for s in failing] == [NOT_A_FEED]  # type: ignore[index]
    for args in (("source", "list", "--failing"), ("stats",), ("person", "show", "Many")):
        shown = cli(*args)
        assert shown.exit_code == 0 and NOT_A_FEED in shown.stdout, args
        _assert_no_traceback(shown.stdout)
    stats = cli("stats", "--json").json()
    assert [f["last_error"] for f in stats["failing_sources"]] == [NOT_A_FEED]  # type: ignore[index]


def test_a_store_that_refuses_writes_costs_one_line_per_problem(
    cli: Cli, feed_server: FeedServer, db_path: Path
) -> None:
    cli("person", "add", "Ada", "--feed", feed_server.add_feed("/a.xml", rss_feed(3)))
    with sqlite3.connect(db_path) as con:  # the store fails the way a full disk fails it
        con.execute(
            "CREATE TRIGGER full BEFORE INSERT ON posts "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
    result = cli("sync")
    assert result.exit_code == int(ExitCode.PARTIAL)
    _assert_no_traceback(result.stderr)
    assert (
        "storing a batch of 1 sources failed; retrying one by one: IntegrityError: "
        "database or disk is full" in result.stderr
    )
    assert "could not store: the database refused a change" in result.stderr  # no SQL
    verbose = cli("-vv", "sync", "--force")
    assert verbose.exit_code == int(ExitCode.PARTIAL)
    assert "Traceback (most recent call last)" in verbose.stderr  # asked for: -vv


def test_an_impossible_port_costs_one_line(
    cli: Cli, feed_server: FeedServer, db_path: Path
) -> None:
    cli("person", "add", "Ada", "--feed", feed_server.add_feed("/a.xml", rss_feed(1)))
    with sqlite3.connect(db_path) as con:  # stored by plnctl 0.1, which did not check ports
        con.execute("UPDATE sources SET url = 'http://127.0.0.1:99999/feed'")
    result = cli("sync")
    assert result.exit_code == int(ExitCode.PARTIAL)
    _assert_no_traceback(result.stderr)
    assert "port must be 0-65535" in result.stderr
    assert "ExceptionGroup" not in cli("source", "list", "--failing").stdout


def test_a_traceback_stored_by_0_1_is_shown_as_one_line(
    cli: Cli, feed_server: FeedServer, db_path: Path
) -> None:
    cli("person", "add", "Ada", "--feed", feed_server.add_feed("/a.xml", rss_feed(1)))
    stored = (
        f'{NOT_A_FEED}: \n"""\nTraceback (most recent call last):\n  File "/x/process.py", '
        'line 261, in _process_worker\nplnctl.errors.ParseError: not a feed\n"""'
    )
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE sources SET last_error = ?, error_count = 1", (stored,))
    for args in (("source", "list", "--failing", "--json"), ("stats", "--json")):
        _assert_no_traceback(json.dumps(cli(*args).json()))
    _assert_no_traceback(cli("source", "list", "--failing").stdout)


def test_debug_adds_the_traceback_and_keeps_the_exit_code(cli: Cli) -> None:
    plain = cli("person", "show", "nobody")
    debug = cli("--debug", "person", "show", "nobody")
    assert plain.exit_code == debug.exit_code == int(ExitCode.NOT_FOUND)
    assert plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.splitlines()[-1] == plain.stderr.strip()


def test_remote_traceback_is_not_part_of_the_message() -> None:
    from concurrent.futures.process import _RemoteTraceback  # what the pool attaches

    error = ParseError(NOT_A_FEED)
    error.__cause__ = _RemoteTraceback('\n"""\nTraceback (most recent call last):\n  x\n"""')
    assert str(error) == NOT_A_FEED
    wrapped = ParseError("could not read")
    wrapped.__cause__ = ValueError("bad\nbyte")
    assert str(wrapped) == "could not read: bad byte"
    assert one_line("a\n\n  b  ", limit=3) == "a b"
    assert one_line("x" * 10, limit=5) == "xxxx…"


def test_a_read_only_database_costs_one_line_per_problem(
    cli: Cli, feed_server: FeedServer, db_path: Path
) -> None:
    import shutil
    import subprocess

    cli("person", "add", "Ada", "--feed", feed_server.add_feed("/a.xml", rss_feed(3)))
    if shutil.which("chattr") is None:
        pytest.skip("chattr (e2fsprogs) is not installed")
    # root ignores file modes, so the file is made immutable instead (ext4 and most others)
    if subprocess.run(["chattr", "+i", str(db_path)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not support chattr +i")
    try:
        result = cli("sync")
        listed = cli("post", "list")
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], check=True)
    assert result.exit_code == int(ExitCode.DATABASE)
    _assert_no_traceback(result.stderr)
    lines = result.stderr.splitlines()
    assert lines[-1] == (
        f"Error: cannot write to the database {db_path}: it is read-only; check the "
        "permissions of the file and its directory, or use another --db"
    )
    assert all(line.startswith(("ERROR plnctl.", "Error: ")) for line in lines), lines
    assert listed.exit_code == 0  # reading still works
