"""Plain bad flags are one-line errors with their documented exit code, never an internal
error: numbers SQLite cannot hold, spans before the year 1, future starts, URLs that do not
parse, `-o` into a missing directory or onto a directory (exit 7 like any file that cannot be
written, checked before any work, leaving no temp file), and a reader
that leaves the pipe (`plnctl stats | head`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plnctl.errors import ExitCode
from tests.conftest import Cli, CliResult
from tests.servers.feed_server import FeedServer
from tests.servers.feeds import rss_feed

BIG = "9" * 25
ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(result: CliResult, code: ExitCode) -> str:
    assert result.exit_code == int(code), result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    return errors[0]


@pytest.fixture
def network(cli: Cli, feed_server: FeedServer) -> FeedServer:
    url = feed_server.add_feed("/a.xml", rss_feed(2))
    assert cli("person", "add", "Maria Rivera", "--feed", url).exit_code == 0
    assert cli("sync").exit_code == 0
    return feed_server


@pytest.mark.parametrize(
    "args",
    [
        ("post", "list", "--limit", "99999999999999999999"),
        ("post", "show", BIG),
        ("post", "read", "1", BIG),
        ("post", "save", BIG),
        ("post", "tag", BIG, "maths"),
        ("search", "x", "--limit", BIG),
        ("sync", "--source", BIG),
        ("question", "show", BIG),
        ("question", "resolve", "1", "--answer", BIG),
        ("question", "stats", "--older-than", BIG),
        ("topic", "suggest", "--min-posts", BIG),
        ("stats", "--top", BIG),
    ],
)
def test_numbers_sqlite_cannot_hold(network: FeedServer, cli: Cli, args: tuple[str, ...]) -> None:
    line = _one_line_error(cli(*args), ExitCode.USAGE)
    assert BIG[:20] in line
    assert "9223372036854775807" in line or "no post has an id that large" in line


def test_the_largest_number_sqlite_holds_is_simply_not_found(network: FeedServer, cli: Cli) -> None:
    _one_line_error(cli("post", "show", str(2**63 - 1)), ExitCode.NOT_FOUND)
    assert cli("post", "list", "--limit", str(2**63 - 1)).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("post", "list"),
        ("search", "retrieval"),
        ("stats",),
        ("digest",),
        ("reading-list",),
        ("topic", "suggest"),
        ("export", "reading-list"),
    ],
)
@pytest.mark.parametrize("since", ["999999999d", "9" * 30 + "w", "2030-01-01", "99999-01-01"])
def test_since_out_of_range(
    network: FeedServer, cli: Cli, args: tuple[str, ...], since: str
) -> None:
    line = _one_line_error(cli(*args, "--since", since), ExitCode.USAGE)
    if since == "2030-01-01":
        assert "is in the future" in line and "give a past date" in line
    elif since.endswith(("d", "w")):
        assert "reaches back too far" in line


def test_digest_since_a_future_date_moves_nothing(network: FeedServer, cli: Cli) -> None:
    _one_line_error(cli("digest", "--since", "2030-01-01", "--name", "x"), ExitCode.USAGE)
    assert cli("digest", "--since", "last", "--name", "x").exit_code == 0  # still a first run


@pytest.mark.parametrize(
    "args",
    [
        ("person", "add", "Sam", "--feed", "http://[zz/x"),
        ("person", "add", "Sam", "--site", "http://[zz/x"),
        ("person", "add", "Sam", "--mastodon", "https://[zz/@sam"),
        ("person", "add", "Sam", "--feed", "http://127.0.0.1:99999/feed"),
        ("source", "add", "Maria", "http://[zz/x"),
        ("source", "add", "Maria", "https://[zz/@sam"),
        ("source", "edit", "1", "--url", "http://[zz/x"),
        ("source", "edit", "1", "--url", "http://example.org:99999/feed"),
        ("question", "track", "http://[zz/x"),
        ("question", "track", "https://[zz/@sam/1"),
        ("question", "track", "http://blog.example/q", "--comments", "http://[zz/x"),
    ],
)
def test_urls_that_do_not_parse(network: FeedServer, cli: Cli, args: tuple[str, ...]) -> None:
    before = cli("source", "list", "--json").json()
    line = _one_line_error(cli(*args), ExitCode.USAGE)
    assert "not a valid web address" in line or "not a Mastodon account" in line
    assert cli("source", "list", "--json").json() == before  # nothing stored or changed
    assert [p["name"] for p in cli("person", "list", "--json").json()] == ["Maria Rivera"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "args",
    [
        ("export", "opml"),
        ("export", "mastodon-csv"),
        ("export", "reading-list", "-f", "csv"),
        ("digest", "--since", "last"),
    ],
)
def test_output_into_a_missing_directory_or_onto_one(
    network: FeedServer, cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = _one_line_error(
        cli(*args, "-o", str(tmp_path / "no" / "dir" / "x")), ExitCode.NETWORK
    )
    assert "does not exist" in missing and "mkdir -p" in missing and "cannot write" in missing
    target = tmp_path / "out"
    target.mkdir()
    onto = _one_line_error(cli(*args, "-o", str(target)), ExitCode.NETWORK)
    assert "is a directory" in onto
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "plnctl-home"]
    assert list(target.iterdir()) == []  # no .NAME.tmp left behind anywhere
    if args[0] == "digest":  # the failed run left the watermark: the next one is a first run
        assert "Nothing new" not in cli("digest", "--since", "last").stdout


def test_output_file_is_written(network: FeedServer, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "pln.opml"
    result = cli("export", "opml", "-o", str(target))
    assert result.exit_code == 0 and f"Wrote {target}" in result.stderr
    assert (
        "<opml" in target.read_text()
        and [p.name for p in tmp_path.iterdir()].count(".pln.opml.tmp") == 0
    )


@pytest.mark.parametrize("unbuffered", [False, True])  # cron's and a shell's, PYTHONUNBUFFERED=1
@pytest.mark.parametrize(
    "args",
    [("stats",), ("post", "list"), ("person", "list"), ("source", "list"), ("search", "retrieval"),
     ("--help",), ("post", "list", "--help")],
)  # fmt: skip
def test_a_reader_that_leaves_the_pipe_exits_141(
    network: FeedServer, isolated_home: Path, args: tuple[str, ...], unbuffered: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env.update(PLNCTL_HOME=str(isolated_home), **({"PYTHONUNBUFFERED": "1"} if unbuffered else {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "plnctl", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that already has what it wanted
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, stderr
    assert stderr == ""
