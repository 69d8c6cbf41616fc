"""`plnctl sync` as cron runs it: exit codes, what goes to stdout and stderr, --json, and
reading the database while a sync is running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import Cli
from tests.servers.feeds import rss_feed

ROOT = Path(__file__).resolve().parents[2]


def _config(home: Path, text: str) -> None:
    (home / "config.toml").write_text(text)


def test_sync_summary_then_nothing_due(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed("/a.xml", rss_feed(3), etag='"a"')
    cli("person", "add", "Ada", "--no-check", "--feed", feed_server.url("/a.xml"))
    first = cli("sync")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == ""
    assert "3 new post(s)" in first.stderr and "0 failed" in first.stderr
    second = cli("sync")
    assert second.exit_code == 0 and "no source is due" in second.stderr
    forced = cli("sync", "--force")
    assert "1 unchanged" in forced.stderr
    assert feed_server.requests_for("/a.xml")[-1].headers["if-none-match"] == '"a"'


def test_failed_source_exits_3_and_quiet_prints_only_errors(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed("/ok.xml", rss_feed(2))
    feed_server.set_status("/broken.xml", 500)
    cli(
        "person",
        "add",
        "--no-check",
        "Ada",
        "--feed",
        feed_server.url("/ok.xml"),
        "--feed",
        feed_server.url("/broken.xml"),
    )
    result = cli("sync", "--quiet")
    assert result.exit_code == 3
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "broken.xml" in lines[0]
    assert "500" in lines[0]
    failing = cli("source", "list", "--failing", "--json").json()
    assert [s["url"] for s in failing] == [feed_server.url("/broken.xml")]  # type: ignore[index]
    assert failing[0]["error_count"] == 1 and failing[0]["next_due_at"]  # type: ignore[index]
    assert len(cli("post", "list", "--json").json()) == 2  # type: ignore[arg-type]


def test_sync_json_is_one_document(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.add_feed("/a.xml", rss_feed(2))
    feed_server.add_page("/page.html", "<html><body>not a feed</body></html>")
    cli(
        "person",
        "add",
        "--no-check",
        "Ada",
        "--feed",
        feed_server.url("/a.xml"),
        "--feed",
        feed_server.url("/page.html"),
    )
    result = cli("sync", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    assert data["new_posts"] == 2 and data["failed"] == 1
    failed = [r for r in data["results"] if r["status"] == "failed"]
    assert "HTML" in failed[0]["error"] or "not a feed" in failed[0]["error"]
    assert data["questions"] == []


def test_unknown_person_is_a_usage_error(cli: Cli) -> None:
    result = cli("sync", "--person", "Nobody")
    assert result.exit_code == 4 and "no person named" in result.stderr


def _plnctl(db: Path, *args: str, **kwargs):  # type: ignore[no-untyped-def]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "plnctl", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kwargs,
    )


def test_reading_and_a_second_sync_during_a_sync(
    cli: Cli,
    feed_server,
    db_path: Path,  # type: ignore[no-untyped-def]
    isolated_home: Path,
) -> None:
    _config(isolated_home, "[sync]\nlock_wait = 0.5\nread_timeout = 10\ndeadline = 20\n")
    feed_server.add_feed("/a.xml", rss_feed(2))
    feed_server.slow("/slow.xml", delay=0.4)
    cli(
        "person",
        "add",
        "--no-check",
        "Ada",
        "--feed",
        feed_server.url("/a.xml"),
        "--feed",
        feed_server.url("/slow.xml"),
    )
    running = _plnctl(db_path, "sync")
    try:
        deadline = time.monotonic() + 10
        while not feed_server.requests_for("/slow.xml"):
            assert time.monotonic() < deadline, "the first sync never started"
            time.sleep(0.05)
        reader = _plnctl(db_path, "person", "list", "--json")
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
        assert [p["name"] for p in json.loads(out)] == ["Ada"]
        second = _plnctl(db_path, "sync")
        _, err = second.communicate(timeout=30)
        assert second.returncode == 6
        assert "another plnctl sync is running" in err
    finally:
        running.kill()
        running.wait()


def test_nothing_due_loads_no_fetching_and_still_waits_for_a_running_sync(
    cli: Cli,
    feed_server,
    isolated_home: Path,  # type: ignore[no-untyped-def]
) -> None:
    feed_server.add_feed("/a.xml", rss_feed(2))
    cli("person", "add", "Ada", "--no-check", "--feed", feed_server.url("/a.xml"))
    assert cli("sync").exit_code == 0  # now nothing is due for an hour
    code = (
        "import sys\n"
        "from plnctl.cli.entry import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "print(sorted(m for m in ('asyncio', 'plnctl.sync', 'plnctl.fetchers', 'rich')"
        " if m in sys.modules), code, file=sys.stderr)\n"
    )
    env = {**os.environ, "PLNCTL_HOME": str(isolated_home)}
    run = subprocess.run(
        [sys.executable, "-c", code, "sync"], env=env, capture_output=True, text=True
    )
    assert run.stderr.splitlines() == [
        "Nothing to sync: no source is due (use --force to fetch anyway).",
        "[] 0",
    ], run.stderr
    # A sync that holds the lock: nothing due is still only known once it let go.
    from plnctl.errors import Busy
    from plnctl.sync_lock import sync_lock

    with sync_lock(isolated_home / "plnctl.db.sync-lock", wait=1):
        started = time.monotonic()
        busy = subprocess.run([sys.executable, "-c", code, "sync"], capture_output=True, text=True,
                              env={**env, "PLNCTL_SYNC_LOCK_WAIT": "0.5"})  # fmt: skip
    assert time.monotonic() - started >= 0.5
    assert "another plnctl sync is running" in busy.stderr and busy.stderr.endswith(
        f" {int(Busy.exit_code)}\n"
    )
