"""Run ``plnctl`` on a real pseudo-terminal, to see what a person's terminal would receive, and
tell a hostile escape sequence from rich's own colours."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

# rich's own output on a terminal: colours and styles (SGR), nothing else.
_SGR = re.compile(r"\x1b\[[0-9;]*m")
# What must never reach the terminal from a feed or a server: escapes (screen clear, window
# title, OSC 8 links, OSC 52 clipboard, DCS), 8-bit C1 controls, BEL, bidi overrides.
HARMFUL = ("\x1b", "\x9b", "\x9d", "\x90", "\x07", "\u202e", "\u2066", "\x08")


def run_tty(home: Path, *args: str, timeout: float = 60, answer: str = "") -> tuple[int, str]:
    """``plnctl ARGS`` with stdin, stdout and stderr on a 200-column pty; (exit code, output).
    ``answer`` is typed on the terminal (waiting in its input until the command reads it)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    env = {**os.environ, "PLNCTL_HOME": str(home), "COLUMNS": "200", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "plnctl", *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    if answer:
        os.write(master, answer.encode())
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


def harmful(text: str) -> list[str]:
    """The harmful characters left in ``text`` once rich's own colours are taken out."""
    rest = _SGR.sub("", text)
    return [repr(bad) for bad in HARMFUL if bad in rest]
