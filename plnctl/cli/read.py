"""plnctl read"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from plnctl.cli.context import pln
from plnctl.errors import InvalidInput


def register(app: typer.Typer) -> None:
    app.command("read")(read)


def read(
    ctx: typer.Context,
    oldest: Annotated[
        bool, typer.Option("--oldest", help="Oldest first (catching up after a week off).")
    ] = False,
    unread: Annotated[bool, typer.Option("--unread", help="Only unread posts.")] = False,
) -> None:
    """Read your network in the terminal: a sidebar of lists (all unread, saved, topics,
    people, open questions), the posts (unread first, newest first) and the post itself.
    Keys: j/k move, enter opens, space pages, n next unread, r read, s save, o browser,
    m mark all read, / search, t/p topic/person, u unread only, ? help, q quit.

    Example: plnctl read --oldest
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InvalidInput("plnctl read needs a terminal; use `plnctl post list` in scripts")
    from plnctl.tui import run

    run(pln(ctx), oldest=oldest, unread_only=unread)
