"""Nothing lost by surprise: `person remove --purge` keeps saved posts and their notes unless
--include-saved; destructive commands ask on a terminal and refuse without one unless --yes;
a --db / PLNCTL_DB that does not exist is an error for read commands."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.servers.feeds import rss_feed


def _network(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed("/a.xml", rss_feed(4))
    added = cli("person", "add", "Ada", "--feed", feed_server.url("/a.xml"), "--topic", "maths")
    assert added.exit_code == 0, added.stderr
    assert cli("sync").exit_code == 0
    posts = cli("post", "list", "--json").json()
    assert len(posts) == 4  # type: ignore[arg-type]
    ids = sorted(p["id"] for p in posts)  # type: ignore[union-attr]
    assert cli("post", "save", str(ids[0]), "--note", "private: for Tom's class").exit_code == 0
    assert cli("post", "save", str(ids[1])).exit_code == 0


def test_purge_keeps_saved_posts_and_notes(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    _network(cli, feed_server)
    result = cli("person", "remove", "Ada", "--purge", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "deleting 2 post(s)" in result.stderr
    assert "keeping 2 saved post(s) with 1 note(s)" in result.stderr
    saved = cli("reading-list", "--json").json()
    assert len(saved) == 2  # type: ignore[arg-type]
    notes = [s.get("note") for s in saved]  # type: ignore[union-attr]
    assert "private: for Tom's class" in notes
    assert len(cli("post", "list", "--json").json()) == 2  # type: ignore[arg-type]


def test_purge_include_saved_deletes_everything(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    _network(cli, feed_server)
    result = cli("person", "remove", "Ada", "--purge", "--include-saved", "--yes")
    assert result.exit_code == 0 and "deleting 4 post(s)" in result.stderr
    assert cli("reading-list", "--json").json() == []
    assert cli("post", "list", "--json").json() == []


def _everything(cli: Cli) -> list[object]:
    nouns = (["person", "list"], ["topic", "list"], ["source", "list"], ["post", "list"])
    return [cli(*noun, "--json").json() for noun in nouns]


@pytest.mark.parametrize(
    "command",
    [
        ["person", "remove", "Ada", "--purge"],
        ["topic", "remove", "maths"],
        ["source", "remove", "1"],
    ],
)
def test_destructive_commands_refuse_without_a_terminal_or_yes(
    cli: Cli, feed_server, command: list[str]
) -> None:  # type: ignore[no-untyped-def]
    _network(cli, feed_server)
    before = _everything(cli)
    result = cli(*command)
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "--yes" in lines[0]
    assert _everything(cli) == before
    assert cli(*command, "--yes").exit_code == 0


def _on_a_terminal(args: list[str], answer: str, home: Path) -> tuple[int, str]:
    """Run plnctl with stdin/stdout/stderr on a pseudo-terminal, type ``answer``."""
    try:
        master, slave = pty.openpty()
    except OSError as e:  # a sandbox without /dev/ptmx
        pytest.skip(f"no pseudo-terminal here: {e}")
    env = {**os.environ, "PLNCTL_HOME": str(home), "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plnctl", *args], stdin=slave, stdout=slave, stderr=slave,
        env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 30
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(master, answer.encode() + b"\n")
            answered = True
        if proc.poll() is not None and not ready:
            break
    code = proc.wait(timeout=30)
    os.close(master)
    return code, seen.decode("utf-8", "replace")


def test_a_terminal_is_asked_and_no_keeps_everything(
    cli: Cli, feed_server, isolated_home: Path
) -> None:  # type: ignore[no-untyped-def]
    _network(cli, feed_server)
    code, screen = _on_a_terminal(["person", "remove", "Ada", "--purge"], "n", isolated_home)
    assert "Remove Ada (id 1)" in screen and "keeping 2 saved post(s)" in screen
    assert code == 1 and "Nothing was changed" in screen
    assert len(cli("person", "list", "--json").json()) == 1  # type: ignore[arg-type]
    code, screen = _on_a_terminal(["topic", "remove", "maths"], "y", isolated_home)
    assert code == 0 and "Removed topic maths" in screen
    assert cli("topic", "list", "--json").json() == []


@pytest.mark.parametrize(
    "command",
    [
        ["person", "list"],
        ["post", "list"],
        ["search", "x"],
        ["stats"],
        ["sync"],
        ["digest", "--since", "24h"],
        ["reading-list"],
        ["export", "opml"],
    ],
)
def test_a_missing_db_path_is_an_error_for_read_commands(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = Path("nonexist/dir/x.db")
    result = cli("--db", str(typo), *command)
    assert result.exit_code == 5, result.stderr
    assert result.stderr.startswith("Error: no plnctl database at nonexist/dir/x.db")
    assert result.stderr.count("\n") == 1
    monkeypatch.setenv("PLNCTL_DB", str(typo))
    assert cli(*command).exit_code == 5
    assert not Path("nonexist").exists()  # no directories, no empty database


def test_commands_that_create_a_network_say_where_once(
    cli: Cli, tmp_path: Path, feed_server
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "new" / "pln.db"
    url = feed_server.add_feed("/a.xml", rss_feed(1))
    first = cli("--db", str(db), "person", "add", "Ada", "--feed", url)
    assert first.exit_code == 0 and f"Created a new plnctl database at {db}" in first.stderr
    second = cli("--db", str(db), "person", "add", "Bo", "--feed", url + "?b")
    assert second.exit_code == 0 and "Created" not in second.stderr
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="Cy" type="rss" xmlUrl="{url}?c"/></body></opml>'
    )
    other = tmp_path / "other.db"
    imported = cli("--db", str(other), "import", "opml", str(opml))
    assert imported.exit_code == 0 and f"at {other}" in imported.stderr
    topics = tmp_path / "topics.db"
    init = cli("--db", str(topics), "topic", "init", "--no-rebuild")
    assert init.exit_code == 0 and f"at {topics}" in init.stderr
