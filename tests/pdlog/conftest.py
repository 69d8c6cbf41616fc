"""Fixtures for the sense-and-share tests: the share tests' fixed sample network, log entries
made through the API, and the session's mastodon_mock."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from plnctl.api import Pln
from plnctl.models import PdEntry
from tests.servers.mastodon_server import mastodon, mastodon_session  # noqa: F401
from tests.share.conftest import sample  # noqa: F401

# What NESA's log asks for, in its order (data/frameworks.toml)
NESA_COLUMNS = [
    "Date", "Activity type", "Activity name", "Standard descriptors addressed", "Duration (h)",
    "Provider", "Priority area", "Evidence",
]  # fmt: skip


def entry(id: int, date: str, minutes: int, type: str = "course", **fields: Any) -> PdEntry:
    """A log entry as the store returns it (for the pure report tests)."""
    return PdEntry(
        id=id,
        title=fields.pop("title", f"Entry {id}"),
        date=date,
        minutes=minutes,
        type=type,
        **fields,
    )


def log(pln: Pln, title: str, **fields: Any) -> PdEntry:
    return pln.pd.add(title, **fields)


def on_a_terminal(args: list[str], answer: bytes, home: Path) -> str:
    """Run plnctl with stdin/stdout/stderr on a real pseudo-terminal; type ``answer`` once
    it asks. Returns what the terminal showed."""
    leader, follower = pty.openpty()
    env = os.environ | {"PLNCTL_HOME": str(home), "COLUMNS": "100", "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plnctl", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        close_fds=True,
    )
    os.close(follower)
    seen, answered, deadline = b"", False, time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 1024)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer)
            answered = True
        if proc.poll() is not None and not ready:
            break
    proc.wait(timeout=10)
    os.close(leader)
    return seen.decode("utf-8", "replace")
