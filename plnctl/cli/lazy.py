"""A root command that builds only the command group it is asked for.

typer turns every command's signature into click parameters before it can parse anything, and
every command module has to be imported for that: with ~80 commands that was most of each
start-up. Here the root's ``commands`` is a mapping that imports and builds one top-level
command (or group) the first time it is looked up, from a table naming the modules that build
it. Listing them (``plnctl --help``, a TAB on the first word) reads the table's one-line help
and builds nothing. Anything that walks ``commands`` (docs/gen_reference.py, the docs and
completion tests) still sees the whole tree, built as it goes.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.core import Command, Context
from typer._click.shell_completion import CompletionItem
from typer.core import TyperCommand, TyperGroup

# name -> (the modules that build it, by their last name part; its one-line help)
Table = Mapping[str, tuple[tuple[str, ...], str]]


def summary(help_text: str) -> str:
    """What ``plnctl --help`` can show of a command's help at any width: click shortens the
    first paragraph to its first sentence at most (``make_default_short_help``)."""
    words = help_text.split("\n\n", 1)[0].split()
    for i, word in enumerate(words):
        if word.endswith("."):
            return " ".join(words[: i + 1])
    return " ".join(words)


class _Commands(MutableMapping[str, Command]):
    """The root's subcommands: every name of the table is present; its command is built on
    first access."""

    def __init__(self, group: LazyGroup, built: Mapping[str, Command]):
        self._group = group
        self._built = dict(built)
        self._removed: set[str] = set()

    def __getitem__(self, name: str) -> Command:
        if name in self._removed:
            raise KeyError(name)
        if name not in self._built:
            command = self._group.build(name)
            if command is None:
                raise KeyError(name)
            self._built[name] = command
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        names = [*self._group.lazy_table, *self._built]
        return iter([n for n in dict.fromkeys(names) if n not in self._removed])

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __setitem__(self, name: str, command: Command) -> None:
        self._removed.discard(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._built.pop(name, None)
        self._removed.add(name)

    def loaded(self, name: str) -> Command | None:
        """The command if it was built already (never builds)."""
        return self._built.get(name)


def _order(command: Command, modules: tuple[str, ...]) -> int:
    """List a group's commands by the module that defines them, in ``modules`` order (then
    as registered): a group that several modules add to (``export``) then reads the same
    whichever of them an earlier command in the same process happened to import first.
    Returns the command's rank."""
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        module = getattr(command.callback, "__module__", "")
        return modules.index(module) if module in modules else len(modules)
    ranks = {name: _order(sub, modules) for name, sub in subcommands.items()}
    order = sorted(subcommands, key=ranks.__getitem__)  # stable: registration order within
    command.commands = {name: subcommands[name] for name in order}  # type: ignore[attr-defined]
    return min(ranks.values())


class LazyGroup(TyperGroup):
    """Subclasses set ``lazy_table`` (top-level name -> modules, one-line help) and
    ``lazy_modules`` (every command module: what a name missing from the table is looked up
    in). Each module has ``register(app)``, adding its commands to a typer app."""

    lazy_table: ClassVar[Table] = {}
    lazy_modules: ClassVar[tuple[str, ...]] = ()
    pretty_exceptions_short = True  # typer.Typer's default, passed on as typer would

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        seeded = dict(self.commands)  # registered on the app itself: built by typer already
        self.commands = _Commands(self, seeded)
        for command in seeded.values():
            self.built(command)

    def build(self, name: str) -> Command | None:
        """Import the modules ``name`` needs, let them register on a scratch app, and turn
        only ``name`` into a click command, as typer does for the whole tree."""
        wanted = self.lazy_table[name][0] if name in self.lazy_table else None
        scratch = typer.Typer()
        for module in self.lazy_modules:  # in their order: it orders a shared group's commands
            if wanted is None or module.rpartition(".")[2] in wanted:
                importlib.import_module(module).register(scratch)
        command: Command | None = None
        for info in scratch.registered_commands:
            assert info.callback is not None
            if (info.name or typer.main.get_command_name(info.callback.__name__)) == name:
                command = typer.main.get_command_from_info(
                    info,
                    pretty_exceptions_short=self.pretty_exceptions_short,
                    rich_markup_mode=self.rich_markup_mode,
                )
                break
        else:
            for group in scratch.registered_groups:
                if group.name == name:
                    command = typer.main.get_group_from_info(
                        group,
                        pretty_exceptions_short=self.pretty_exceptions_short,
                        rich_markup_mode=self.rich_markup_mode,
                        suggest_commands=self.suggest_commands,
                    )
                    break
        if command is not None:
            _order(command, self.lazy_modules)
            self.built(command)
        return command

    def built(self, command: Command) -> None:
        """Called with each command as it is built (for subclasses)."""

    def listed(self, name: str) -> Command:
        """What a listing shows for ``name``: the command if it is built, else a stand-in
        carrying the table's one-line help."""
        assert isinstance(self.commands, _Commands)
        loaded = self.commands.loaded(name)
        if loaded is None and name in self.lazy_table:
            return TyperCommand(name=name, help=self.lazy_table[name][1])
        return self.commands[name]

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)  # names only: TyperGroup's would build every command

    def format_commands(self, ctx: Context, formatter: Any) -> None:
        # TyperGroup.format_commands with the stand-ins
        shown = [(name, self.listed(name)) for name in self.list_commands(ctx)]
        shown = [(name, command) for name, command in shown if not command.hidden]
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in shown])

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        # TyperGroup.shell_complete with the stand-ins: a TAB on the first word builds nothing
        items = [
            CompletionItem(name, help=command.get_short_help_str())
            for name in self.list_commands(ctx)
            if name.startswith(incomplete)
            for command in [self.listed(name)]
            if not command.hidden
        ]
        return items + Command.shell_complete(self, ctx, incomplete)
