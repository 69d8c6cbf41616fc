"""The root command: global options, error handling, and the command groups."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from plnctl import __version__
from plnctl.cli.context import state
from plnctl.cli.lazy import LazyCommands, LazyGroup
from plnctl.errors import ExitCode, PlnError

# Each module registers its commands with register(app). Modules are small and import nothing
# heavy at import time; only the ones the invoked command needs are imported (COMMANDS below).
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

# The top-level commands in `plnctl --help` order: the modules of COMMAND_MODULES that build
# each (a group may gain commands from several: `post share` comes from sense) and the help
# `plnctl --help` shows. `plnctl X ...` imports and builds only X's modules (cli/lazy.py), so
# start-up does not grow with the number of commands. tests/core/test_lazy_cli.py keeps this
# equal to what the modules register, and prints the entries to paste when they differ.
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "sync": (("sync",), "Fetch new posts from every due source: concurrent, polite (conditional GET, backoff, Retry-After), safe to run from cron."),
    "demo": (("demo",), "Run plnctl's whole pipeline offline on built-in sample data: sample educators' feeds are served on 127.0.0.1, synced, tagged by topic, and shown."),
    "stats": (("stats",), "Measure your network: people and sources active in the window, posts per person and topic per week, dormant people, failing sources, instance and source-kind diversity, topics with few voices, answer rate and top answerers."),
    "digest": (("digest",), "What's new in your network: posts by topic and person, answers to your questions, people gone quiet, people worth following."),
    "reading-list": (("digest",), "Your reading list: the posts you saved with `plnctl post save`, newest first."),
    "share": (("sense",), "Share a post with your network, with a link and credit to its author (via @handle, or the blog's name), from your Mastodon or Bluesky account (plnctl mastodon login / plnctl bluesky login)."),
    "read": (("read",), "Read your network in the terminal: a sidebar of lists (all unread, saved, topics, people, open questions), the posts (unread first, newest first) and the post itself."),
    "search": (("search",), "Search every post, best matches first, with the matches highlighted."),
    "person": (("person", "suggest"), "The people in your learning network."),
    "source": (("source",), "Feeds and Mastodon accounts you follow, and their health."),
    "post": (("post", "sense"), "Read the posts your network published."),
    "import": (("transfer", "mastodon", "bluesky"), "Bring people and sources in from other tools."),
    "export": (("transfer", "mastodon", "digest"), "Write your network or reading list for other tools."),
    "mastodon": (("mastodon",), "Log in to your Mastodon account (needed to import who you follow and to post questions); reading public posts needs no login."),
    "question": (("question", "question_edit", "sense"), "Ask your network, collect the answers, see which questions got answered."),
    "topic": (("topic",), "Topics: sort posts by what they are about, with explainable rules."),
    "bluesky": (("bluesky",), "Log in to your Bluesky account with an app password (needed to post questions and share); following people on Bluesky needs no login."),
    "tag": (("tag",), "Hashtags you follow (#edchat, #mtbos...): posts from everyone who uses them."),
    "pd": (("pd", "pd_report"), "Your professional-learning log: entries, standards, suggestions, registration reports."),
    "config": (("config",), "Where the database, config and credentials live; the settings in effect."),
}  # fmt: skip


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
    if isinstance(getattr(command, "commands", None), LazyCommands):
        return  # its commands are bounded as they are built (PlnGroup.built)
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


class PlnGroup(LazyGroup):
    """Builds only the command invoked (LazyGroup); turns PlnError into one line on stderr and
    its documented exit code."""

    lazy_table = COMMANDS
    lazy_modules = COMMAND_MODULES

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        _bound_ints(self)

    def built(self, command: Any) -> None:
        _bound_ints(command)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        succeeded = False
        try:
            result = super().invoke(ctx)
            succeeded = True
            return result
        except PlnError as e:
            if _debug(ctx):
                import traceback

                traceback.print_exc()  # --debug adds the traceback; the exit code stays
            _error(str(e))
            raise typer.Exit(int(e.exit_code)) from None
        except BrokenPipeError:
            # `plnctl post list | head`: the reader left; stop quietly like other Unix tools.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(141) from None
        except KeyboardInterrupt:
            _error("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as e:
            if _debug(ctx):
                import traceback

                traceback.print_exc()
            from plnctl.api import translate_error

            known = translate_error(e, state(ctx).opened())
            if known is not None:
                _error(str(known))
                raise typer.Exit(int(known.exit_code)) from None
            hint = "" if _debug(ctx) else " (run with --debug for details)"
            _error(f"internal error: {type(e).__name__}: {e}{hint}")
            raise typer.Exit(int(ExitCode.ERROR)) from None
        finally:
            state(ctx).close(succeeded=succeeded)


def _error(message: str) -> None:
    from plnctl.cli import output

    output.error(message)


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
    from plnctl.cli import output  # not before a command runs: --help needs none of it

    output.configure_logging(verbose, debug)


def main() -> None:
    code: object = 0
    try:
        app()
    except SystemExit as e:
        code = e.code
        if code == 1 and type(sys.stdout).__name__ == "PacifyFlushWrapper":
            # click's own answer to a reader that left during --help: exit 1
            raise SystemExit(141) from None
        raise
    finally:
        # Off a terminal stdout is buffered: a reader that left (`| head`) is often found only
        # here, after the command returned. It exits 141 as when found during the command.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            if not code:
                raise SystemExit(141) from None
