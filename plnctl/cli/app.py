"""The root command: global options, error handling, and the command groups."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from plnctl import __version__
from plnctl.cli import output
from plnctl.cli.context import state
from plnctl.errors import ExitCode, PlnError

# Each module registers its commands with register(app). Modules are small and import nothing
# heavy at import time, so `plnctl --help` stays fast.
COMMAND_MODULES = (
    "plnctl.cli.person",
    "plnctl.cli.source",
    "plnctl.cli.post",
    "plnctl.cli.sync",
    "plnctl.cli.transfer",
    "plnctl.cli.demo",
    "plnctl.cli.stats",
    "plnctl.cli.suggest",
    "plnctl.cli.mastodon",
    "plnctl.cli.question",
    "plnctl.cli.question_edit",
    "plnctl.cli.digest",
    "plnctl.cli.topic",
    "plnctl.cli.bluesky",
    "plnctl.cli.tag",
    "plnctl.cli.sense",
    "plnctl.cli.pd",
    "plnctl.cli.pd_report",
    "plnctl.cli.config",
    "plnctl.cli.read",
    "plnctl.cli.search",
)


# SQLite stores integers up to 2**63 - 1: a larger id, limit or count is a usage error
# (exit 2) when the flag is parsed, not an OverflowError deep in the store.
MAX_INT = 2**63 - 1
_BOUNDED: dict[type, type] = {}


def _bounded_class(base: type) -> type:
    """``base`` (click's INT or IntRange) that also refuses what SQLite cannot store."""
    if base not in _BOUNDED:

        def convert(self: Any, value: Any, param: Any, ctx: Any) -> Any:
            number = base.convert(self, value, param, ctx)  # type: ignore[attr-defined]
            if isinstance(number, int) and not -MAX_INT - 1 <= number <= MAX_INT:
                self.fail(f"{value} is too large (at most {MAX_INT})", param, ctx)
            return number

        _BOUNDED[base] = type(f"Bounded{base.__name__}", (base,), {"convert": convert})
    return _BOUNDED[base]


def _bound_ints(command: Any) -> None:
    """Bound every integer option and argument of ``command`` and its subcommands, present
    and future; help and any lower bound the command set stay as they were."""
    import copy

    from typer._click.types import IntParamType

    for param in command.params:
        if isinstance(param.type, IntParamType) and type(param.type) not in _BOUNDED.values():
            bounded = copy.copy(param.type)
            bounded.__class__ = _bounded_class(type(param.type))
            param.type = bounded
    for sub in getattr(command, "commands", {}).values():
        _bound_ints(sub)


def _read_each_signature_once() -> None:
    """typer (pinned below 0.29) reads every command's signature twice while it builds the CLI,
    evaluating all its annotations each time (~40 ms of every start-up with 78 commands). The
    answer depends only on the function and both callers only read it: read it once."""
    import typer.main

    read = typer.main.get_params_from_function
    seen: dict[Callable[..., Any], Any] = {}

    def once(function: Callable[..., Any]) -> Any:
        if function not in seen:
            seen[function] = read(function)
        return seen[function]

    typer.main.get_params_from_function = once  # type: ignore[assignment]


_read_each_signature_once()


class PlnGroup(TyperGroup):
    """Turns PlnError into one line on stderr and its documented exit code."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _bound_ints(self)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        succeeded = False
        try:
            result = super().invoke(ctx)
            succeeded = True
            return result
        except PlnError as e:
            if _debug(ctx):
                traceback.print_exc()  # --debug adds the traceback; the exit code stays
            output.error(str(e))
            raise typer.Exit(int(e.exit_code)) from None
        except BrokenPipeError:
            # `plnctl post list | head`: the reader left; stop quietly like other Unix tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            output.error("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as e:
            if _debug(ctx):
                traceback.print_exc()
            from plnctl.api import translate_error

            known = translate_error(e, state(ctx).opened())
            if known is not None:
                output.error(str(known))
                raise typer.Exit(int(known.exit_code)) from None
            hint = "" if _debug(ctx) else " (run with --debug for details)"
            output.error(f"internal error: {type(e).__name__}: {e}{hint}")
            raise typer.Exit(int(ExitCode.ERROR)) from None
        finally:
            state(ctx).close(succeeded=succeeded)


def _debug(ctx: typer.Context) -> bool:
    return bool(state(ctx).debug)  # type: ignore[arg-type]


app = typer.Typer(
    name="plnctl",
    cls=PlnGroup,
    help="Your Professional Learning Network in one local SQLite file: people, feeds, Mastodon, "
    "topics, questions and digests.\n\nStart with: plnctl demo",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"plnctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="PLNCTL_DB",
            help="Database file (default: your user data dir).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        int,
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            show_default=False,
            help="More logging on stderr (-vv for debug).",
        ),
    ] = 0,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Show the traceback of any error (the exit code stays)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Global options come before the command: plnctl --db my.db person list"""
    current = state(ctx)  # type: ignore[arg-type]
    current.db, current.debug, current.verbose = db, debug, verbose
    output.configure_logging(verbose, debug)


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
