"""plnctl config path|show|check: where plnctl keeps things, and what it will use."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from plnctl.cli import output
from plnctl.cli.context import state

config_app = typer.Typer(
    help="Where the database, config and credentials live; the settings in effect.",
    no_args_is_help=True,
)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("path")
def path(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show where the database, config file, credentials and data live, and which option or
    environment variable chose each.

    Example: plnctl config path
    """
    from plnctl.api import config

    rows = config.paths(state(ctx).db)
    if json:
        output.emit_json(rows)
        return
    output.table(
        ["what", "path", "chosen by", "exists"],
        [[r.what, r.path, r.chosen_by, "yes" if r.exists else "no"] for r in rows],
    )


@config_app.command("show")
def show(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Print the settings in effect (defaults, then config.toml, then PLNCTL_* variables),
    secrets masked.

    Example: plnctl config show --json
    """
    from plnctl.api import config

    data = config.show(state(ctx).db)
    if json:
        output.emit_json(data)
        return
    output.lines(_toml_lines(data))


def _toml_lines(data: dict[str, dict[str, Any]]) -> list[str]:
    import json

    lines: list[str] = []
    for section, values in data.items():
        lines.append(f"[{section}]" if section != "secrets" else "# secrets (never shown)")
        for key, value in values.items():
            if section == "secrets":
                lines.append(f"# {key}: {value}")
            elif value is None:
                lines.append(f"# {key} = (not set)")
            else:
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    return lines[:-1]


@config_app.command("check")
def check(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Validate config.toml and the PLNCTL_* settings variables: exit 0, or exit 5 with the
    one-line error naming the file, the key and what is allowed.

    Example: plnctl config check
    """
    from plnctl.api import config

    result = config.check(state(ctx).db)
    if json:
        output.emit_json(result)
    elif result.exists:
        output.info(f"{result.path}: OK")
    else:
        output.info(f"no config file at {result.path}; the defaults apply")
