"""`plnctl X` imports and builds only X (plnctl/cli/lazy.py): the table that says which
modules build X and what `plnctl --help` shows for it must match the modules, the help and
completion must stay whole, and a command must not load what it does not use. Speed is
measured in benchmarks/bench_startup.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from typer.core import TyperGroup

from plnctl.cli.app import COMMAND_MODULES, COMMANDS, app
from plnctl.cli.lazy import summary

# What a command that does not sync, fetch, render HTML or open the reader must not import.
HEAVY = (
    "httpx",
    "feedparser",
    "sqlite_utils",
    "textual",
    "jinja2",
    "lxml",
    "mastodon",
    "nh3",
    "trafilatura",
)


def _eager() -> TyperGroup:
    """The whole tree the way typer builds it from every module (plnctl 0.1's start-up)."""
    whole = typer.Typer(rich_markup_mode=None)
    whole.callback()(lambda: None)
    for module in COMMAND_MODULES:
        __import__(module, fromlist=["register"]).register(whole)
    root = typer.main.get_command(whole)
    assert isinstance(root, TyperGroup)
    return root


def _leaf_modules(command: object) -> list[str]:
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [command.callback.__module__]  # type: ignore[attr-defined]
    return [m for sub in subcommands.values() for m in _leaf_modules(sub)]


def test_the_table_names_every_command_its_modules_and_its_help() -> None:
    expected = {}
    for name, command in _eager().commands.items():
        used = set(_leaf_modules(command))
        modules = tuple(m.rpartition(".")[2] for m in COMMAND_MODULES if m in used)
        expected[name] = (modules, summary(command.help or ""))
    entries = "\n".join(f"    {name!r}: {entry!r}," for name, entry in expected.items())
    assert expected == COMMANDS, f"COMMANDS in plnctl/cli/app.py should read:\n{entries}"
    assert list(COMMANDS) == list(expected), "the order of `plnctl --help`"


def _help(command: object, info_name: str, width: int) -> str:
    ctx = typer.Context(command, info_name=info_name, terminal_width=width)  # type: ignore[arg-type]
    return command.get_help(ctx)  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [50, 80, 100, 200])
def test_the_listing_reads_as_the_built_commands_would(width: int) -> None:
    root = typer.main.get_command(app)
    listed = _help(root, "plnctl", width)  # from the table: nothing built
    assert root.commands.loaded("person") is None  # type: ignore[attr-defined]
    for name in COMMANDS:
        root.commands[name]  # type: ignore[attr-defined]
    assert _help(root, "plnctl", width) == listed
    commands = listed[listed.index("Commands:") :]
    assert commands == _help(_eager(), "plnctl", width).partition("Options:")[2][-len(commands) :]


def test_a_built_command_is_the_one_typer_builds_from_every_module() -> None:
    root, whole = typer.main.get_command(app), _eager()
    for name in ("person", "export", "sync", "pd"):
        lazy, eager = root.commands[name], whole.commands[name]  # type: ignore[attr-defined]
        # Line order aside: modules add to a shared group (`export`) when first imported, so in
        # a test process where another test imported `digest` before `mastodon` the eager tree
        # lists them the other way round; a real start-up imports them in the table's order.
        assert sorted(_help(lazy, name, 88).splitlines()) == sorted(
            _help(eager, name, 88).splitlines()
        )
        assert sorted(getattr(lazy, "commands", {})) == sorted(getattr(eager, "commands", {}))


def test_a_group_builds_only_the_command_asked_for() -> None:
    from typer.testing import CliRunner

    root = typer.main.get_command(app)
    person = root.commands["person"]  # type: ignore[attr-defined]
    assert "suggest" in _help(person, "person", 88)  # listed from its help text, not built
    person.commands["list"]
    assert [n for n in person.commands if person.commands.loaded(n)] == ["list"]
    # a command built on lookup still gets the integer bounds of every other command
    result = CliRunner().invoke(app, ["post", "list", "--limit", str(2**63)])
    assert result.exit_code == 2 and "is too large" in result.output


def test_a_typo_still_gets_a_suggestion_and_exit_2() -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["persn", "list"])
    assert result.exit_code == 2
    assert "No such command 'persn'" in result.output and "'person'" in result.output


def _run(
    args: list[str], tmp_path: Path, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the real ``plnctl`` program; its output and the modules in sys.modules at exit."""
    record = tmp_path / "modules.json"
    code = (
        "import atexit, json, sys\n"
        f"save = lambda: open({str(record)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n"
        "atexit.register(save)\n"
        f"sys.argv = ['plnctl', *{args!r}]\n"
        "from plnctl.cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )
    return result, json.loads(record.read_text())


def _loaded(args: list[str], tmp_path: Path) -> list[str]:
    result, loaded = _run(args, tmp_path)
    assert result.returncode == 0, result.stderr
    return loaded


def _command_modules(loaded: list[str]) -> set[str]:
    return {m.rpartition(".")[2] for m in loaded if m in COMMAND_MODULES}


def _heavy(loaded: list[str]) -> set[str]:
    return {m for m in loaded if m.split(".")[0] in HEAVY}


def test_help_builds_no_command_and_loads_no_heavy_library(tmp_path: Path) -> None:
    loaded = _loaded(["--help"], tmp_path)
    assert _command_modules(loaded) == set()
    assert _heavy(loaded) == set()
    assert not [m for m in loaded if m.startswith(("rich", "plnctl.models", "plnctl.config"))]


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["person", "list", "--help"], {"person", "suggest"}),
        (["person", "--help"], {"person", "suggest"}),
        (["export", "--help"], {"transfer", "mastodon", "digest"}),
        (["sync", "--help"], {"sync"}),
    ],
)
def test_a_command_loads_only_its_own_modules(
    args: list[str], modules: set[str], tmp_path: Path
) -> None:
    loaded = _loaded(args, tmp_path)
    assert _command_modules(loaded) == modules
    assert _heavy(loaded) == set()


def test_person_list_on_a_database_loads_only_what_it_uses(tmp_path: Path) -> None:
    from plnctl.api import open_pln

    db = tmp_path / "pln.db"
    with open_pln(db) as pln:
        pln.people.add("Ada Lovelace")
    loaded = _loaded(["--db", str(db), "person", "list"], tmp_path)
    assert _command_modules(loaded) == {"person", "suggest"}
    assert _heavy(loaded) == set()
    # not a terminal: plain text, so no rich at all
    assert not [m for m in loaded if m.startswith("rich")]


def test_a_tab_on_the_first_word_lists_every_command_without_building_one(
    tmp_path: Path,
) -> None:
    env = {"_PLNCTL_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "plnctl ",
           "_TYPER_COMPLETE_FISH_ACTION": "get-args"}  # fmt: skip
    result, loaded = _run([], tmp_path, env)
    assert result.stderr == ""
    offered = dict(line.split("\t") for line in result.stdout.splitlines() if line)
    assert list(offered) == list(COMMANDS)  # fish: each name and its help
    assert offered["sync"] == "Fetch new posts from every due source:..."  # from the table
    assert _command_modules(loaded) == set()
