"""Off a terminal (cron, a pipe, a file) the CLI's messages are written without rich, and
read exactly as rich would have written them."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from rich.console import Console

MESSAGES = [
    "Nothing to sync: no source is due (use --force to fetch anyway).",
    "wide 漢字 and combining ü\u0301 and [bold]markup[/bold] and :coffee:",
    "two\nlines\n",
    "x" * 300,
    "",
    "  indented   trailing   ",
    "a\tb",  # rich expands tabs: written through rich
    "sequence \x1b[31mred\x1b]0;title\x07 gone",
]
SCRIPT = """
import json, sys
from plnctl.cli import output
for m in json.loads(sys.argv[1]):
    output.info(m); output.warn(m); output.error(m); output.failed(m); output.say(m)
    if m.startswith("Nothing"):
        print(json.dumps("rich" in sys.modules), file=sys.stderr)
"""


def _rich(text: str, **options: object) -> str:
    buf = io.StringIO()
    console = Console(file=buf, highlight=False, soft_wrap=True, emoji=False)
    console.print(text, markup=False, **options)  # type: ignore[arg-type]
    return buf.getvalue()


def test_messages_off_a_terminal_are_what_rich_writes() -> None:
    from plnctl.render.terminal import clean, clean_line

    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(MESSAGES)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    expected_err, expected_out = "", ""
    for m in MESSAGES:
        expected_err += _rich(clean(m)) + _rich(f"Warning: {clean(m)}", style="yellow")
        expected_err += _rich(f"Error: {clean_line(m)}", style="red")
        expected_err += _rich(clean_line(m), style="red")
        expected_out += _rich(clean(m))
        if m.startswith("Nothing"):
            expected_err += "false\n"  # rich was not imported for the plain ones
    assert run.stderr == expected_err
    assert run.stdout == expected_out
