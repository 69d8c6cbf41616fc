"""Shared fixtures. Every test gets its own PLNCTL_HOME, so no test touches real config or data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plnctl.api import Pln, open_pln
from tests.servers.feed_server import feed_server  # noqa: F401  (re-exported fixture)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "plnctl-home"
    home.mkdir()
    monkeypatch.setenv("PLNCTL_HOME", str(home))
    for name in ("PLNCTL_DB", "PLNCTL_MASTODON_TOKEN", "PLNCTL_SMTP_PASSWORD", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TZ", "UTC")  # local-time display is tested by setting TZ explicitly
    from plnctl.timeutil import set_display_zone

    set_display_zone(None)  # no [display] timezone left over from another test
    return home


@pytest.fixture
def db_path(isolated_home: Path) -> Path:
    return isolated_home / "plnctl.db"


@pytest.fixture
def pln(db_path: Path) -> Iterator[Pln]:
    """The Python API on a fresh database in the isolated home."""
    with open_pln(db_path) as api:
        yield api


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> object:
        return json.loads(self.stdout)


class Cli:
    """Runs `plnctl ARGS` in-process (Typer's CliRunner) against the isolated home."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> CliResult:
        from plnctl.cli.app import app

        result = self.runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Cli:
    return Cli()
