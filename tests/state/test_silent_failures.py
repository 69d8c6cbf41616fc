"""Nothing fails silently: a source that goes gone (410), moves (301) or keeps failing is
reported once in the next sync's summary, even with --quiet, and listed in `stats`;
`sync --source ID --force` always fetches (a loopback feed server plays the web)."""

from __future__ import annotations

from tests.conftest import Cli
from tests.servers.feeds import rss_feed


def _follow(cli: Cli, feed_server, path: str = "/a.xml") -> int:  # type: ignore[no-untyped-def]
    feed_server.add_feed(path, rss_feed(2))
    added = cli("person", "add", "Ada", "--feed", feed_server.url(path), "--json")
    assert added.exit_code == 0, added.stderr
    assert cli("sync", "--quiet").exit_code == 0
    return int(added.json()["sources"][0]["id"])  # type: ignore[index]


def _source(cli: Cli, source_id: int) -> dict[str, object]:
    found = [s for s in cli("source", "list", "--json").json() if s["id"] == source_id]  # type: ignore[union-attr, index]
    return found[0]  # type: ignore[no-any-return]


def test_gone_is_said_once_even_quiet_and_force_fetches_it(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    source_id = _follow(cli, feed_server)
    feed_server.set_status("/a.xml", 410)
    gone = cli("sync", "--quiet", "--force")
    # Before: nothing at all on stdout or stderr, exit 0: the feed dropped out of cron unseen.
    assert gone.exit_code == 0 and gone.stdout == ""
    lines = gone.stderr.strip().splitlines()
    assert len(lines) == 1 and "a.xml" in lines[0] and "gone" in lines[0]
    assert "410" in lines[0] and f"plnctl source reset {source_id}" in lines[0]
    assert cli("sync", "--quiet", "--force").stderr == ""  # said once: not fetched again
    listed = cli("source", "list")
    row = next(line for line in listed.stdout.splitlines() if line.startswith(f"{source_id}\t"))
    assert "never (gone)" in row and "\tnow\t" not in row  # before: "due now", never fetched
    stats = cli("stats", "--json").json()
    assert [f["state"] for f in stats["failing_sources"]] == ["gone"]  # type: ignore[index]
    assert "Failing sources (1)" in cli("stats").stdout

    before = len(feed_server.requests_for("/a.xml"))
    forced = cli("sync", "--source", str(source_id), "--force")
    # Before: "no source is due (use --force to fetch anyway)" although --force was given.
    assert "no source is due" not in forced.stderr
    assert len(feed_server.requests_for("/a.xml")) == before + 1
    feed_server.add_feed("/a.xml", rss_feed(3))  # the blog is back
    back = cli("sync", "--source", str(source_id), "--force")
    assert back.exit_code == 0 and "1 new post(s)" in back.stderr
    assert _source(cli, source_id)["state"] == "active"
    assert cli("stats", "--json").json()["failing_sources"] == []  # type: ignore[index]


def test_a_permanent_move_is_said_once(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    source_id = _follow(cli, feed_server, "/old.xml")
    feed_server.add_feed("/new.xml", rss_feed(2))
    feed_server.redirect("/old.xml", feed_server.url("/new.xml"))
    moved = cli("sync", "--quiet", "--force")
    assert moved.exit_code == 0
    lines = moved.stderr.strip().splitlines()
    assert len(lines) == 1 and "moved permanently" in lines[0] and "/new.xml" in lines[0]
    assert _source(cli, source_id)["url"] == feed_server.url("/new.xml")
    assert cli("sync", "--quiet", "--force").stderr == ""
    as_json = cli("sync", "--json", "--force").json()
    assert as_json["results"][0]["notice"] is None  # type: ignore[index]


def test_a_source_that_keeps_failing_is_said_once_on_its_streak(cli: Cli, feed_server) -> None:  # type: ignore[no-untyped-def]
    source_id = _follow(cli, feed_server)
    feed_server.set_status("/a.xml", 500)
    streak_lines = []
    for _ in range(6):
        run = cli("sync", "--quiet", "--force")
        assert run.exit_code == 3
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ")  # one line per source
        streak_lines += [line for line in lines if "times in a row" in line]
    assert len(streak_lines) == 1 and "failed 5 times in a row" in streak_lines[0]
    assert f"plnctl source edit {source_id}" in streak_lines[0]
    failing = cli("stats", "--json").json()["failing_sources"]  # type: ignore[index]
    assert [(f["source_id"], f["error_count"]) for f in failing] == [(source_id, 6)]


def test_a_mastodon_account_that_moved_is_said_once() -> None:
    """The mock cannot move an account; the decision the sync engine makes is checked here."""
    from plnctl.models import Source, SourceKind, SourceState
    from plnctl.sync_writer import _notice

    account = Source(3, 1, SourceKind.MASTODON, "https://old.example/@ada", "@ada@old.example")
    updates = {"state": "moved", "moved_to": "@ada@new.example"}
    notice = _notice(account, "ok", updates, None)
    assert notice and "@ada@new.example" in notice
    assert "plnctl source add 1 @ada@new.example" in notice
    already = Source(3, 1, SourceKind.MASTODON, "u", "@ada@old.example", state=SourceState.MOVED)
    assert _notice(already, "ok", updates, None) is None  # said once
    assert _notice(account, "ok", {"error_count": 0}, None) is None
