"""One display time zone ([display] timezone, else TZ, else the system's): lists, post show,
digests and charts show local time, --since dates are local midnights, stored times and JSON
stay UTC ISO 8601 with their offset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from plnctl.api import Pln
from plnctl.models import SourceKind
from plnctl.timeutil import parse_since
from tests.conftest import Cli
from tests.share.conftest import add_person, add_post

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 14:00 on 1 Dec in Sydney (AEDT, +11)


@pytest.fixture
def sydney(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Australia/Sydney")


def _network(pln: Pln) -> dict[str, int]:
    ada = add_person(pln, "Ada", SourceKind.FEED, "https://ada.example/feed")
    return {
        # 23:30 on 30 Nov in Sydney, but already 1 Dec 12:30 UTC is not: the day boundary
        "late": add_post(pln, ada, fetched_at="2026-11-30T12:30:00Z", title="Late on the 30th",
                         url="https://ada.example/late", published_at="2026-11-30T12:30:00Z"),
        "early": add_post(pln, ada, fetched_at="2026-11-30T13:30:00Z", title="Early on the 1st",
                          url="https://ada.example/early", published_at="2026-11-30T13:30:00Z"),
    }  # fmt: skip


def test_since_dates_today_and_yesterday_are_local_midnights(sydney: None) -> None:
    assert parse_since("2026-12-01") == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert parse_since("today", reference=NOW) == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert parse_since("yesterday", reference=NOW) == datetime(2026, 11, 29, 13, 0, tzinfo=UTC)
    assert parse_since("2026-12-01T09:00") == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert parse_since("2026-12-01T09:00Z") == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    # Winter in Sydney is +10: the zone's rules, not a fixed offset.
    assert parse_since("2026-07-01") == datetime(2026, 6, 30, 14, 0, tzinfo=UTC)


def test_post_list_since_a_date_uses_tz_and_json_stays_utc(
    sydney: None, pln: Pln, cli: Cli
) -> None:
    ids = _network(pln)
    listed = cli("post", "list", "--since", "2026-12-01", "--json").json()
    assert [p["id"] for p in listed] == [ids["early"]]  # type: ignore[index]
    stamp = listed[0]["published_at"]  # type: ignore[index]
    assert stamp == "2026-11-30T13:30:00Z"
    assert datetime.fromisoformat(stamp).utcoffset() is not None


def test_post_show_and_digest_show_local_time(sydney: None, pln: Pln) -> None:
    from plnctl.render.digest import render_digest
    from plnctl.render.text import post_lines

    ids = _network(pln)
    assert "1 Dec 2026 00:30 AEDT" in post_lines(pln.posts.get(ids["early"]))[1]
    digest = pln.share.build_digest(since="2026-11-30", now=NOW)
    text = render_digest(digest, "text", now=NOW)
    assert text.startswith("PLN digest: 1 Dec 2026")
    assert "30 Nov 2026 00:00 AEDT to 1 Dec 2026 14:00 AEDT" in text
    assert "[feed, 30 Nov 2026]" in text and "[feed, 1 Dec 2026]" in text
    assert dict(digest.week)["2026-11-30"] == 1 and dict(digest.week)["2026-12-01"] == 1


def test_the_config_key_wins_over_tz(pln: Pln, cli: Cli, isolated_home: Path) -> None:
    ids = _network(pln)
    (isolated_home / "config.toml").write_text('[display]\ntimezone = "Australia/Sydney"\n')
    listed = cli("post", "list", "--since", "2026-12-01", "--json").json()
    assert [p["id"] for p in listed] == [ids["early"]]  # type: ignore[index]
    shown = cli("post", "show", str(ids["late"]))
    assert "30 Nov 2026 23:30 AEDT" in shown.stdout
    (isolated_home / "config.toml").write_text('[display]\ntimezone = "Mars/Olympus"\n')
    bad = cli("post", "list")
    assert bad.exit_code == 5 and "Mars/Olympus" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_in_utc_nothing_changes(pln: Pln, cli: Cli) -> None:
    ids = _network(pln)
    listed = cli("post", "list", "--since", "2026-12-01", "--json").json()
    assert listed == []
    shown = cli("post", "show", str(ids["early"]))
    assert "30 Nov 2026 13:30 UTC" in shown.stdout


def test_a_posix_tz_rule_falls_back_to_the_system_rules(pln: Pln, db_path: Path) -> None:
    """TZ="AEST-10" is no IANA name: the C library's rules apply (in a fresh process, where
    the library has read TZ)."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "plnctl"
    if not script.exists():
        pytest.skip(f"the plnctl script is not installed next to {sys.executable}")
    ids = _network(pln)
    env = dict(os.environ, TZ="AEST-10", PLNCTL_DB=str(db_path))
    shown = subprocess.run([str(script), "post", "show", str(ids["early"])], env=env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "30 Nov 2026 23:30 AEST" in shown.stdout


def test_stats_window_is_shown_in_local_dates(sydney: None, pln: Pln, cli: Cli) -> None:
    _network(pln)
    report = cli("stats", "--since", "2026-11-30")
    assert report.exit_code == 0, report.stderr
    # Stored as 2026-11-29T13:00:00Z; a Sydney reader typed and sees 30 Nov.
    assert report.stdout.startswith("Network activity: posts that arrived 2026-11-30 → ")
    assert cli("stats", "--since", "2026-11-30", "--json").json()["since"] == "2026-11-29T13:00:00Z"  # type: ignore[index]
