"""plnctl pd add/list/show/edit/remove/standards: every option, --json on reads, errors with
their exit codes, and remove asking on a real terminal."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.pdlog.conftest import on_a_terminal

ADD = [
    "pd",
    "add",
    "Retrieval practice webinar",
    "--date",
    "2026-11-24",
    "--hours",
    "1.5",
    "--type",
    "webinar",
    "--provider",
    "AITSL",
    "--standard",
    "6.2",
    "--standard",
    "3.3",
    "--reflection",
    "Start every lesson with three questions",
    "--evidence",
    "https://aitsl.example/webinar/42",
    "--evidence",
    "certificate in my folder",
    "--priority",
    "Literacy and numeracy",
    "--impact",
    "Year 9 recall improved",
]


def test_add_with_every_option_then_read_it_back(cli: Cli) -> None:
    added = cli(*ADD, "--json")
    assert added.exit_code == 0, added.stderr
    entry = added.json()
    assert entry == {  # type: ignore[comparison-overlap]
        **entry,  # type: ignore[dict-item]
        "title": "Retrieval practice webinar",
        "date": "2026-11-24",
        "minutes": 90,
        "hours": 1.5,
        "type": "webinar",
        "provider": "AITSL",
        "standards": ["6.2", "3.3"],
        "reflection": "Start every lesson with three questions",
        "evidence": ["https://aitsl.example/webinar/42", "certificate in my folder"],
        "priority": "Literacy and numeracy",
        "impact": "Year 9 recall improved",
    }
    assert cli("pd", "show", "1", "--json").json() == entry
    shown = cli("pd", "show", "1").stdout
    assert "2026-11-24 · 1.5 h · webinar" in shown and "Standards: 6.2, 3.3" in shown
    listed = cli("pd", "list")
    assert listed.stdout.splitlines()[1].split("\t") == [
        "1",
        "2026-11-24",
        "1.5",
        "webinar",
        "6.2, 3.3",
        "Retrieval practice webinar",
    ]
    assert len(cli("pd", "list", "--json").json()) == 1  # type: ignore[arg-type]


def test_minutes_types_and_filters(cli: Cli) -> None:
    assert (
        cli(
            "pd",
            "add",
            "Reading",
            "--minutes",
            "45",
            "--type",
            "reading",
            "--standard",
            "6.2",
            "--date",
            "2026-11-01",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "pd",
            "add",
            "Observation",
            "--hours",
            "1",
            "--type",
            "observation",
            "--standard",
            "3.3",
            "--date",
            "2026-11-20",
        ).exit_code
        == 0
    )
    assert (
        cli(
            "pd", "add", "Old course", "--hours", "6", "--type", "course", "--date", "2020-01-01"
        ).exit_code
        == 0
    )
    by_standard = cli("pd", "list", "--standard", "6.2", "--json").json()
    assert [e["title"] for e in by_standard] == ["Reading"]  # type: ignore[index, union-attr]
    whole = cli("pd", "list", "--standard", "3", "--json").json()
    assert [e["title"] for e in whole] == ["Observation"]  # type: ignore[index, union-attr]
    assert cli("pd", "show", "1", "--json").json()["minutes"] == 45  # type: ignore[index]
    since = cli("pd", "list", "--since", "2026-01-01", "--json").json()
    assert [e["title"] for e in since] == ["Reading", "Observation"]  # type: ignore[index, union-attr]


def test_bad_input_is_one_line_and_stores_nothing(cli: Cli) -> None:
    cases = [
        (["pd", "add", "X", "--hours", "1", "--minutes", "30"], "--hours or --minutes"),
        (["pd", "add", "X"], "--hours or --minutes"),
        (["pd", "add", "X", "--hours", "1", "--type", "party"], "unknown type 'party'"),
        (["pd", "add", "X", "--hours", "1", "--standard", "9.9"], "unknown standard '9.9'"),
        (["pd", "add", "X", "--hours", "1", "--date", "24/11/2026"], "use YYYY-MM-DD"),
        (["pd", "add", "X", "--hours", "1", "--evidence", "javascript:alert(1)"], "web address"),
        (["pd", "add", "  ", "--hours", "1"], "title cannot be empty"),
        (["pd", "add", "--hours", "1"], "TITLE"),
    ]
    for args, message in cases:
        result = cli(*args)
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.startswith("Error: ") and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert cli("pd", "list", "--json").json() == []
    assert cli("pd", "show", "7").exit_code == 4
    assert cli("pd", "add", "X", "--hours", "1", "--post", "99").exit_code == 4


def test_edit_changes_only_what_is_given(cli: Cli) -> None:
    cli(*ADD)
    result = cli("pd", "edit", "1", "--minutes", "120", "--standard", "6.3", "--provider", "")
    assert result.exit_code == 0, result.stderr
    entry = cli("pd", "show", "1", "--json").json()
    assert entry["minutes"] == 120 and entry["standards"] == ["6.3"]  # type: ignore[index]
    assert entry["provider"] is None and entry["priority"] == "Literacy and numeracy"  # type: ignore[index]
    assert entry["title"] == "Retrieval practice webinar"  # type: ignore[index]
    assert cli("pd", "edit", "1", "--standard", "", "--evidence", "").exit_code == 0
    cleared = cli("pd", "show", "1", "--json").json()
    assert cleared["standards"] == [] and cleared["evidence"] == []  # type: ignore[index]
    assert cli("pd", "edit", "1").exit_code == 2  # nothing to change
    assert cli("pd", "edit", "1", "--type", "nope").exit_code == 2


def test_remove_needs_yes_off_a_terminal(cli: Cli) -> None:
    cli(*ADD)
    refused = cli("pd", "remove", "1")
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert cli("pd", "show", "1").exit_code == 0
    assert cli("pd", "remove", "1", "--yes").exit_code == 0
    assert cli("pd", "show", "1").exit_code == 4


def test_remove_askson_a_terminal(cli: Cli, isolated_home: Path) -> None:
    cli(*ADD)
    kept = on_a_terminal(["pd", "remove", "1"], b"n\n", isolated_home)
    assert "Remove entry 1 (2026-11-24, Retrieval practice webinar)? [y/N]" in kept
    assert "Kept it." in kept and cli("pd", "show", "1").exit_code == 0
    gone = on_a_terminal(["pd", "remove", "1"], b"y\n", isolated_home)
    assert "Removed entry 1" in gone and cli("pd", "show", "1").exit_code == 4


def test_standards_lists_apst_and_the_generic_areas(cli: Cli) -> None:
    text = cli("pd", "standards").stdout
    assert "  6.2\tengagement\tEngage in professional learning and improve practice" in text
    assert "7\tengagement\tEngage professionally with colleagues" in text
    assert "G5\tengagement\tOwn professional learning" in text
    found = cli("pd", "standards", "--json").json()
    assert len(found) == 7 + 37 + 6  # type: ignore[arg-type]
