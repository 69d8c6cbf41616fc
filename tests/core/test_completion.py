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


def test_no_database_offers_nothing_and_creates_nothing(tmp_path: Path) -> None:
    if not PLNCTL.exists():
        pytest.skip(f"the plnctl script is not installed next to {sys.executable}")
    missing = tmp_path / "none" / "pln.db"
    assert _tab("plnctl person show A", db_path=missing) == []
    assert not missing.parent.exists()
