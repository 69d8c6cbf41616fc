"""Shell completion offers person names, topic names and question ids from the database, as
the shell asks for them (the real ``plnctl`` program with typer's completion protocol).
Speed is measured in benchmarks/bench_completion.py, not here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plnctl.api import open_pln
from plnctl.store import people as db

PLNCTL = Path(sys.executable).parent / "plnctl"


def _tab(line: str, *, db_path: Path) -> list[str]:
    """What bash offers for the last word of ``line`` (an empty last word: a trailing space)."""
    words = line.split(" ")
    env = dict(os.environ, _PLNCTL_COMPLETE="complete_bash", COMP_WORDS=line,
               COMP_CWORD=str(len(words) - 1), PLNCTL_DB=str(db_path))  # fmt: skip
    out = subprocess.run(
        [str(PLNCTL)], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stderr == ""
    return [line for line in out.stdout.splitlines() if line]


@pytest.fixture
def network(db_path: Path) -> Path:
    if not PLNCTL.exists():
        pytest.skip(f"the plnctl script is not installed next to {sys.executable}")
    with open_pln(db_path) as pln, pln.store.transaction():
        for name in ("Ada Lovelace", "Adam Smith", "Bo Diddley", "100% Teacher"):
            db.insert_person(pln.store, name)
        for topic in ("assessment", "assemblies", "literacy"):
            db.ensure_topic(pln.store, topic)
        for text in ("Best read-aloud novels?", "How do you mark homework?"):
            pln.store.conn.execute(
                "INSERT INTO questions (text, kind, state, asked_at, created_at) "
                "VALUES (?, 'offline', 'open', '2026-11-30T10:00:00Z', '2026-11-30T10:00:00Z')",
                (text,),
            )
    return db_path


def test_person_names_complete_from_the_database(network: Path) -> None:
    assert _tab("plnctl person show Ad", db_path=network) == ["Ada Lovelace", "Adam Smith"]
    assert _tab("plnctl post list --person B", db_path=network) == ["Bo Diddley"]
    assert _tab("plnctl source add Ada ", db_path=network) == []  # the URL: no names
    assert _tab("plnctl source add Adam", db_path=network) == ["Adam Smith"]
    # A LIKE wildcard typed by the user is a character, not "anything".
    assert _tab("plnctl person show 100%", db_path=network) == ["100% Teacher"]
    assert _tab("plnctl person show %", db_path=network) == []


def test_topic_names_and_question_ids_complete(network: Path) -> None:
    assert _tab("plnctl post list --topic ass", db_path=network) == ["assemblies", "assessment"]
    assert _tab("plnctl topic show l", db_path=network) == ["literacy"]
    assert _tab("plnctl question show ", db_path=network) == ["2", "1"]


def test_a_tab_the_fast_table_does_not_cover_is_answered_by_the_full_cli(network: Path) -> None:
    # "--json" is a flag: only the full CLI knows that the next word is the person
    assert _tab("plnctl person show --json Ad", db_path=network) == ["Ada Lovelace", "Adam Smith"]
    assert _tab("plnctl --db " + str(network) + " person show B", db_path=Path("/nonexistent")) == [
        "Bo Diddley"
    ]


def _declared() -> dict[tuple[tuple[str, ...], str | int], str]:
    """What each command declares with autocompletion= (the completer's function name)."""
    import inspect

    import typer.main

    from plnctl.cli.app import app

    def leaves(group, path=()):  # type: ignore[no-untyped-def]
        commands = getattr(group, "commands", None)
        if not commands:
            yield path, group
            return
        for name, command in commands.items():
            yield from leaves(command, (*path, name))

    found: dict[tuple[tuple[str, ...], str | int], str] = {}
    for path, command in leaves(typer.main.get_command(app)):
        position = 0
        for param in command.params:
            completer = getattr(param, "_custom_shell_complete", None)
            key: str | int = position if param.param_type_name == "argument" else param.opts[0]
            if param.param_type_name == "argument":
                position += 1
            if completer is not None:
                origin = inspect.getclosurevars(completer).nonlocals["autocompletion"]
                found[(path, key)] = origin.__name__
    return found


def test_the_fast_table_matches_the_declarations() -> None:
    from plnctl.cli.entry import FAST

    assert _declared() == FAST


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_fast_answer_is_the_full_clis_answer(network: Path, shell: str) -> None:
    line = "plnctl question show "
    env = dict(os.environ, _PLNCTL_COMPLETE=f"complete_{shell}", COMP_WORDS=line,
               COMP_CWORD="3", _TYPER_COMPLETE_ARGS=line, _TYPER_COMPLETE_FISH_ACTION="get-args",
               PLNCTL_DB=str(network))  # fmt: skip
    fast = subprocess.run([str(PLNCTL)], env=env, capture_output=True, text=True, timeout=60)
    full_program = "import sys; sys.argv[0] = 'plnctl'; from plnctl.cli.app import main; main()"
    full = subprocess.run([sys.executable, "-c", full_program], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert fast.stdout == full.stdout and "2" in fast.stdout
    assert shell == "bash" or "mark homework" in fast.stdout  # zsh and fish show the text
    assert fast.stderr == full.stderr == ""


def test_no_database_offers_nothing_and_creates_nothing(tmp_path: Path) -> None:
    if not PLNCTL.exists():
        pytest.skip(f"the plnctl script is not installed next to {sys.executable}")
    missing = tmp_path / "none" / "pln.db"
    assert _tab("plnctl person show A", db_path=missing) == []
    assert not missing.parent.exists()
