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


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """No test may reach beyond this machine: a connection to anything but a loopback address
    fails at once (a safety net under plnctl's own guard, whose tests name 169.254.169.254)."""
    import ipaddress
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def check(address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if isinstance(host, str):
            try:
                ip = ipaddress.ip_address(host.split("%", 1)[0])
            except ValueError:
                return  # a name: resolved (and checked) when connected by address
            if not ip.is_loopback and not (ip.version == 6 and ip.ipv4_mapped
                                           and ip.ipv4_mapped.is_loopback):  # fmt: skip
                raise ConnectionRefusedError(f"tests only connect to loopback, not {host}")

    def connect(self: socket.socket, address: object) -> None:
        check(address)
        return real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        check(address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]


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
