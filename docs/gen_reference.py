"""Generate docs/reference.md from plnctl's own --help texts.

python docs/gen_reference.py          # rewrite docs/reference.md
python docs/gen_reference.py --check  # exit 1 if it is stale (tests/test_docs.py runs this)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TARGET = Path(__file__).with_name("reference.md")


def _commands(group, path):  # type: ignore[no-untyped-def]
    yield path, group
    for name in sorted(getattr(group, "commands", {}) or {}):
        command = group.commands[name]
        if getattr(command, "hidden", False):
            continue
        yield from _commands(command, [*path, name])


def render() -> str:
    os.environ["COLUMNS"] = "88"
    os.environ["TERMINAL_WIDTH"] = "88"
    import typer.main

    from plnctl.cli.app import app

    root = typer.main.get_command(app)
    parts = [
        "# plnctl command reference\n",
        "Generated from `plnctl --help` by `python docs/gen_reference.py`; "
        "a test fails when it is stale.\n",
    ]
    for path, command in _commands(root, ["plnctl"]):
        ctx = typer.Context(
            command,
            info_name=" ".join(path),
            terminal_width=88,
            max_content_width=88,
            help_option_names=["-h", "--help"],
        )
        text = command.get_help(ctx).rstrip()
        level = "#" * min(len(path) + 1, 4)
        parts.append(f"{level} `{' '.join(path)}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("docs/reference.md is stale: run python docs/gen_reference.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
