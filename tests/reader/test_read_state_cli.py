"""`post read` / `post unread` with ids, ranges, lists and filters; `post list --oldest
--offset`; `post open` through $BROWSER. Against the synced demo network."""

from __future__ import annotations

from pathlib import Path

import pytest

from plnctl.api import Pln
from tests.conftest import Cli


def _unread(cli: Cli) -> set[int]:
    result = cli("post", "list", "--unread", "--limit", "100", "--json")
    assert result.exit_code == 0, result.stderr
    return {p["id"] for p in result.json()}  # type: ignore[attr-defined]


def test_read_takes_ids_ranges_and_lists_and_says_how_many_changed(cli: Cli, demo_db: Path) -> None:
    result = cli("post", "read", "1-3", "5,7", "9", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"changed": 6, "state": "read"}
    assert _unread(cli) == {4, 6, 8, 10}
    again = cli("post", "read", "2-9")  # 1, 2, 3, 5, 7, 9 are read already: only 4, 6, 8 change
    assert again.exit_code == 0
    assert "Marked 3 post(s) read." in again.stderr
    assert _unread(cli) == {10}
    back = cli("post", "unread", "3,4", "--json")
    assert back.json() == {"changed": 2, "state": "unread"}
    assert _unread(cli) == {3, 4, 10}


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("8-4", "invalid range '8-4': it starts after it ends"),
        ("x", "invalid post id or range 'x'"),
        ("3-", "invalid post id or range '3-'"),
        ("2--3", "invalid post id or range '2--3'"),
        ("1,,x", "invalid post id or range 'x'"),
        ("1234567890123456789012345", "no post has an id that large"),
        ("1-1234567890123456789012345", "no post has an id that large"),
        ("٣", "invalid post id or range"),  # an Arabic-Indic digit: str.isdigit() says yes
    ],
)
def test_bad_selections_are_one_line_errors_and_change_nothing(
    cli: Cli, demo_db: Path, spec: str, says: str
) -> None:
    result = cli("post", "read", "1", spec)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert says in result.stderr
    assert len(_unread(cli)) == 10


def test_a_huge_range_is_not_materialised(cli: Cli, demo_db: Path) -> None:
    result = cli("post", "read", "1-999999999999999999", "--json")
    assert result.json() == {"changed": 10, "state": "read"}


def test_a_missing_single_id_is_not_found_and_nothing_changes(cli: Cli, demo_db: Path) -> None:
    result = cli("post", "read", "1", "999")
    assert result.exit_code == 4
    assert result.stderr == "Error: no post with id 999 (see: plnctl post list)\n"
    assert len(_unread(cli)) == 10


def test_naming_nothing_is_refused(cli: Cli, demo_db: Path) -> None:
    result = cli("post", "read")
    assert result.exit_code == 2
    assert "ids or ranges" in result.stderr and "--all" in result.stderr


def _ids(cli: Cli, *args: str) -> set[int]:
    return {p["id"] for p in cli("post", "list", "--limit", "100", *args, "--json").json()}  # type: ignore[attr-defined]


def _changed(cli: Cli, *args: str) -> int:
    result = cli("post", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return int(result.json()["changed"])  # type: ignore[index]


def test_filters_narrow_the_change(cli: Cli, demo_db: Path) -> None:
    import sqlite3

    # --since/--before select by arrival; make arrival what a daily sync leaves: publication.
    with sqlite3.connect(demo_db) as conn:
        conn.execute("UPDATE posts SET fetched_at = published_at WHERE published_at IS NOT NULL")
    every = _ids(cli)
    maria, jonas = _ids(cli, "--person", "Maria Rivera"), _ids(cli, "--person", "Jonas Weber")
    privacy, recent = _ids(cli, "--topic", "data & privacy"), _ids(cli, "--since", "24h")
    assert (len(maria), len(jonas), len(privacy), len(recent)) == (3, 2, 1, 5)
    assert _changed(cli, "read", "--person", "Maria Rivera") == 3
    assert _unread(cli) == every - maria
    assert _changed(cli, "read", "--topic", "data & privacy") == len(privacy - maria)
    assert _unread(cli) == every - maria - privacy
    jonas_source = cli("post", "show", str(min(jonas)), "--keep-unread", "--json").json()[
        "source_id"
    ]  # type: ignore[index]
    assert _changed(cli, "read", "--source", str(jonas_source)) == 2
    assert _unread(cli) == every - maria - privacy - jonas
    assert _changed(cli, "unread", "--since", "24h") == len(recent & (maria | privacy | jonas))
    assert _unread(cli) == (every - maria - privacy - jonas) | recent
    old = every - _ids(cli, "--since", "2d")  # published more than two days ago
    still_read = old - _unread(cli)
    assert old and _changed(cli, "unread", "--before", "2d") == len(still_read)
    assert old <= _unread(cli)
    # ids and filters together: both must hold
    jonas_unread = jonas & _unread(cli)
    assert _changed(cli, "read", "1-10", "--person", "Jonas Weber") == len(jonas_unread)
    left = _unread(cli)
    assert _changed(cli, "read", "--all") == len(left)
    assert _unread(cli) == set()
    assert _changed(cli, "unread", "--all") == 10


def test_a_filter_naming_nothing_that_exists_is_an_error(cli: Cli, demo_db: Path) -> None:
    for args, code in (
        (["--person", "Nobody"], 4),
        (["--source", "99"], 4),
        (["--since", "soon"], 2),
    ):
        result = cli("post", "read", *args)
        assert result.exit_code == code, result.stderr
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert len(_unread(cli)) == 10


def test_post_list_oldest_and_offset_page_through_the_same_order(cli: Cli, demo_db: Path) -> None:
    newest = [p["id"] for p in cli("post", "list", "--json").json()]  # type: ignore[attr-defined]
    oldest = [p["id"] for p in cli("post", "list", "--oldest", "--json").json()]  # type: ignore[attr-defined]
    assert oldest == newest[::-1] and len(newest) == 10
    pages = [
        [p["id"] for p in cli("post", "list", "--limit", "4", "--offset", str(o), "--json").json()]  # type: ignore[attr-defined]
        for o in (0, 4, 8, 12)
    ]
    assert pages[0] + pages[1] + pages[2] == newest and pages[3] == []
    assert [
        p["id"]
        for p in cli("post", "list", "--oldest", "--limit", "2", "--offset", "1", "--json").json()
    ] == oldest[1:3]  # type: ignore[attr-defined]


def test_post_open_hands_the_link_to_the_browser_and_marks_it_read(
    cli: Cli,
    demo_db: Path,
    recording_browser: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser, log = recording_browser
    monkeypatch.setenv("BROWSER", browser)
    url = cli("post", "show", "4", "--keep-unread", "--json").json()["url"]  # type: ignore[index]
    result = cli("post", "open", "4")
    assert result.exit_code == 0, result.stderr
    assert log.read_text() == url + "\n"
    assert result.stdout == "" and f"Opened {url}" in result.stderr
    assert 4 not in _unread(cli)
    monkeypatch.setenv("BROWSER", f"{browser} %s")  # a command line with %s works too
    assert cli("post", "open", "6", "--keep-unread").exit_code == 0
    assert log.read_text().count("\n") == 2 and 6 in _unread(cli)


def test_post_open_without_a_browser_prints_the_link(
    cli: Cli, demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER", str(tmp_path / "no-such-browser"))
    url = cli("post", "show", "1", "--keep-unread", "--json").json()["url"]  # type: ignore[index]
    result = cli("post", "open", "1")
    assert result.exit_code == 0
    assert result.stdout == url + "\n"
    assert "No web browser" in result.stderr
    missing = cli("post", "open", "77")
    assert missing.exit_code == 4
    assert missing.stderr == "Error: no post with id 77 (see: plnctl post list)\n"


def test_read_outside_a_terminal_points_to_post_list(cli: Cli, demo_db: Path) -> None:
    result = cli("read")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: plnctl read needs a terminal; use `plnctl post list` in scripts\n"
    )


@pytest.mark.parametrize(
    "link",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "--remote-debugging-port=9222",
        "data:text/html,x",
    ],
)
def test_post_open_hands_only_web_links_to_a_browser(
    cli: Cli,
    demo: Pln,
    recording_browser: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    link: str,
) -> None:
    browser, log = recording_browser
    monkeypatch.setenv("BROWSER", browser)
    demo.store.conn.execute("UPDATE posts SET url = ? WHERE id = 2", (link,))
    result = cli("post", "open", "2")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: post 2's link is not a web address")
    assert not log.exists()


def test_post_list_by_source_and_reading_list(cli: Cli, demo: Pln) -> None:
    """`post list --source ID` and `--saved` list only those posts, in the usual order."""
    every = demo.posts.list(limit=None)
    source = every[0].source_id
    mine = [p.id for p in every if p.source_id == source]
    listed = cli("post", "list", "--source", str(source), "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [p["id"] for p in listed.json()] == mine and 0 < len(mine) < len(every)  # type: ignore[attr-defined]
    demo.posts.save(every[3].id)
    demo.posts.save(every[1].id)
    saved = [p["id"] for p in cli("post", "list", "--saved", "--json").json()]  # type: ignore[attr-defined]
    assert saved == [every[1].id, every[3].id]
    missing = cli("post", "list", "--source", "999")
    assert missing.exit_code == 4 and missing.stderr.startswith("Error: no source with id 999")
