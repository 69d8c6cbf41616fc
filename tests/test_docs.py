"""The docs cannot go stale: the CLI reference is generated from --help and checked here, and
every command teaches by example."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

from plnctl.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def _leaf_commands(group, path=("plnctl",)):  # type: ignore[no-untyped-def]
    commands = getattr(group, "commands", None)
    if not commands:
        yield " ".join(path), group
        return
    for name, command in commands.items():
        yield from _leaf_commands(command, (*path, name))


def test_reference_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "gen_reference.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_every_command_has_an_example() -> None:
    missing = [
        name
        for name, command in _leaf_commands(typer.main.get_command(app))
        if "Example: plnctl" not in (command.help or "")
    ]
    assert missing == []


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```")
    commands = [b for b in blocks[1::2]][:2]
    assert "plnctl demo" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in commands[1].splitlines() if "pytest" in line).strip()
    assert test_command.split("&&")[-1].strip() in ci


def _doc_commands(path: Path) -> list[str]:
    """Every `plnctl ...` line inside the sh code blocks of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    lines = []
    for block in text.split("```sh")[1:]:
        for line in block.split("```")[0].splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("plnctl ") and "..." not in line:
                lines.append(line)
    return lines


def test_documented_commands_parse() -> None:
    """Each command shown in the README and guide names real commands and options."""
    import shlex

    import typer

    root = typer.main.get_command(app)
    checked = 0
    for doc in (ROOT / "README.md", ROOT / "docs" / "guide.md", ROOT / "docs" / "cron.md"):
        for line in _doc_commands(doc):
            args = shlex.split(line.split("&&")[0].split("|")[0])[1:]
            while args and args[0].startswith("-"):  # global options
                args = args[2:] if args[0] == "--db" else args[1:]
            if not args:
                continue
            command = root
            while getattr(command, "commands", None):
                name = args.pop(0)
                assert name in command.commands, f"{doc.name}: {line}: no command {name!r}"
                command = command.commands[name]
            command.make_context(name, args)  # raises on unknown options or missing arguments
            checked += 1
    assert checked > 20
