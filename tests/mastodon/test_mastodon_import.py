"""Importing who you follow (API and CSV) and exporting it back."""

from __future__ import annotations

from pathlib import Path

from plnctl.api import Pln
from tests.conftest import Cli
from tests.servers.mastodon_server import MastodonMock


def _login(cli: Cli, mastodon: MastodonMock, user: str = "alice") -> None:
    result = cli("mastodon", "login", mastodon.host, "--code", f"mockcode_{user}")
    assert result.exit_code == 0, result.stderr


def test_import_following_creates_then_merges(cli: Cli, mastodon: MastodonMock) -> None:
    _login(cli, mastodon)
    result = cli("import", "mastodon-following", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json() == {"created": 3, "merged": 0, "skipped": 0, "problems": []}
    names = sorted(p["name"] for p in cli("person", "list", "--json").json())
    assert names == ["Bob Librarian", "Carol Bot", "Dana"]
    sources = {s["handle"]: s for s in cli("source", "list", "--json").json()}
    assert sources[mastodon.handle("dana")]["noindex"] is True
    assert sources[mastodon.handle("carol")]["bot"] is True
    again = cli("import", "mastodon-following")
    assert again.exit_code == 0
    assert "0 created, 3 merged" in again.stderr


def test_import_following_needs_a_login(cli: Cli) -> None:
    result = cli("import", "mastodon-following")
    assert result.exit_code == 2 and "plnctl mastodon login" in result.stderr


def test_csv_import_reports_bad_rows_and_keeps_good_ones(
    pln: Pln,
    cli: Cli,
    mastodon: MastodonMock,
    tmp_path: Path,
) -> None:
    pln.people.add("Bob B.", mastodon=[mastodon.handle("bob")])
    csv_file = tmp_path / "following_accounts.csv"
    csv_file.write_text(
        "Account address,Show boosts,Notify on new posts,Languages\n"
        f"bob@{mastodon.host},true,false,\n"
        f"carol@{mastodon.host},true,false,en\n"
        "this is not an address,true,false,\n"
        f"nobody@{mastodon.host},true,false,\n"
        f"carol@{mastodon.host},false,false,\n"
        "\n"
        f"dana@{mastodon.host},true,false,\n"
    )
    result = cli("import", "mastodon-csv", str(csv_file), "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert (report["created"], report["merged"], report["skipped"]) == (2, 1, 2)
    problems = "\n".join(report["problems"])
    assert "line 4: not an account address" in problems
    assert f"line 5: no Mastodon account @nobody@{mastodon.host}" in problems
    assert "line 6" in problems and "appears twice" in problems
    names = sorted(p["name"] for p in cli("person", "list", "--json").json())
    assert names == ["Bob B.", "Carol Bot", "Dana"]


def test_csv_import_old_one_column_export_offline(cli: Cli, tmp_path: Path, dead_host: str) -> None:
    csv_file = tmp_path / "following.csv"
    csv_file.write_text(f"kim@{dead_host}\n@lee@{dead_host}\n")
    result = cli("import", "mastodon-csv", str(csv_file), "--no-resolve")
    assert result.exit_code == 0, result.stderr
    assert "2 created, 0 merged" in result.stderr
    handles = {s["handle"] for s in cli("source", "list", "--json").json()}
    assert handles == {f"@kim@{dead_host}", f"@lee@{dead_host}"}


def test_csv_import_unreachable_instance_keeps_rows(
    cli: Cli, tmp_path: Path, dead_host: str
) -> None:
    csv_file = tmp_path / "following.csv"
    csv_file.write_text(f"kim@{dead_host}\n")
    result = cli("import", "mastodon-csv", str(csv_file), "--json")
    report = result.json()
    assert report["created"] == 1 and "added unchecked" in report["problems"][0]


def test_export_round_trip(pln: Pln, cli: Cli, mastodon: MastodonMock, tmp_path: Path) -> None:
    pln.people.add(
        "Bob", mastodon=[mastodon.handle("bob")], feeds=["https://bob.example/feed"], check=False
    )
    pln.people.add("Carol", mastodon=[mastodon.handle("carol")])
    out = tmp_path / "following_accounts.csv"
    assert cli("export", "mastodon-csv", "-o", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0] == "Account address,Show boosts,Notify on new posts,Languages"
    assert sorted(lines[1:]) == [f"bob@{mastodon.host},true,false,",
                                 f"carol@{mastodon.host},true,false,"]  # fmt: skip
    stdout = cli("export", "mastodon-csv").stdout
    assert stdout.splitlines() == lines
    result = cli("import", "mastodon-csv", str(out), "--json")
    assert result.json()["merged"] == 2 and result.json()["created"] == 0


def test_csv_settings_are_kept_and_written_back_as_they_were(
    cli: Cli, tmp_path: Path, dead_host: str
) -> None:
    rows = [
        f'kim@{dead_host},false,true,"de,fr"',
        f"lee@{dead_host},true,false,",
        f"max@{dead_host},false,false,en",
    ]
    text = "Account address,Show boosts,Notify on new posts,Languages\n" + "\n".join(rows) + "\n"
    result = cli("import", "mastodon-csv", "-", "--no-resolve", input=text)  # '-' is stdin
    assert result.exit_code == 0, result.stderr
    exported = cli("export", "mastodon-csv", "-o", "-").stdout.splitlines()
    assert exported[0] == "Account address,Show boosts,Notify on new posts,Languages"
    assert sorted(exported[1:]) == sorted(rows)


def test_csv_columns_are_read_by_header_name(cli: Cli, tmp_path: Path, dead_host: str) -> None:
    text = f"Account address,Languages,Show boosts\nkim@{dead_host},en,false\n"
    assert cli("import", "mastodon-csv", "-", "--no-resolve", input=text).exit_code == 0
    assert cli("export", "mastodon-csv").stdout.splitlines()[1] == f"kim@{dead_host},false,false,en"


def test_csv_cell_over_the_csv_limit_skips_that_row(
    cli: Cli, tmp_path: Path, dead_host: str
) -> None:
    huge = "x" * 140_000
    text = f"kim@{dead_host},true,false,{huge}\nlee@{dead_host},true,false,\n"
    result = cli("import", "mastodon-csv", "-", "--no-resolve", "--json", input=text)
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert report["created"] == 1 and "line 1" in report["problems"][0]  # type: ignore[index]
    assert "skipped" in report["problems"][0] and len(report["problems"][0]) < 300  # type: ignore[index]
    handles = {s["handle"] for s in cli("source", "list", "--json").json()}
    assert handles == {f"@lee@{dead_host}"}
