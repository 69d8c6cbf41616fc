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
