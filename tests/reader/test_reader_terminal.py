"""`plnctl read` in a real terminal (tmux, 80x24): the command starts the reader, keys reach
it, the screen shows the post, q quits, and the CLI sees what was read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Cli

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _capture(session: str, socket: Path) -> str:
    return subprocess.run(
        ["tmux", "-S", str(socket), "capture-pane", "-t", session, "-p"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _wait_for(session: str, socket: Path, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = _capture(session, socket)
        if text in screen or time.monotonic() > deadline:
            return screen
        time.sleep(0.2)


def test_plnctl_read_in_a_terminal(cli: Cli, demo_db: Path, tmp_path: Path) -> None:
    socket, session = tmp_path / "tmux.sock", "reader"
    plnctl = Path(sys.executable).with_name("plnctl")
    env = f"PLNCTL_HOME={os.environ['PLNCTL_HOME']} NO_COLOR=1 TERM=xterm-256color"
    command = f"env {env} {plnctl} read; echo exited $? > {tmp_path / 'rc'}"
    tmux = ["tmux", "-S", str(socket)]
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True
    )
    try:
        screen = _wait_for(session, socket, "n Next")
        assert " 10 All unread" in screen and "n Next" in screen
        subprocess.run([*tmux, "send-keys", "-t", session, "n"], check=True)
        screen = _wait_for(session, socket, "Topic: ")
        assert "  9 All unread" in screen
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 15
        while not (tmp_path / "rc").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (tmp_path / "rc").read_text().strip() == "exited 0"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
    result = cli("post", "list", "--unread", "--json")
    assert len(result.json()) == 9  # type: ignore[arg-type]
