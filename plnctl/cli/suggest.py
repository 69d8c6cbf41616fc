"""plnctl person suggest: people your network keeps pointing at, and how to add them."""

from __future__ import annotations

from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.person import person_app


def register(app: typer.Typer) -> None:
    """The command attaches to ``person_app`` on import; nothing else to register."""


@person_app.command("suggest")
def suggest(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option("--limit", min=1, help="At most this many suggestions.")
    ] = 10,
    json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Suggest people not in your network, ranked by how often the people you follow boost,
    mention, reply to or link to them, and by who answered your questions. Each comes with
    the evidence and the command that adds them.

    Example: plnctl person suggest --limit 5
    """
    found = pln(ctx).insights.suggest(limit=limit)
    if json:
        output.emit_json(found)
        return
    if not found:
        output.info(
            "No suggestions yet: they come from boosts, mentions, replies and links in "
            "your network's posts (run plnctl sync) and from answers to your questions."
        )
        return
    lines: list[str] = []
    for rank, s in enumerate(found, 1):
        label = s.name if s.name == s.target else f"{s.name} ({s.target})"
        lines += [
            f"{rank}. {label}  score {s.score}",
            f"   {'; '.join(s.evidence)}",
            f"   {s.command}",
            "",
        ]
    output.lines(lines[:-1])
