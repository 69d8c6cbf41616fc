"""A root command that builds only the command it is asked for.

typer turns every command's signature into click parameters before it can parse anything, and
every command module has to be imported for that: with ~80 commands that was most of each
start-up. Here the root's ``commands`` is a mapping that imports the modules of one top-level
command (or group) the first time it is looked up, from a table naming them, and a group's
``commands`` builds each of its commands on first lookup too: ``plnctl person list`` builds
``list`` alone. Listing (``plnctl --help``, ``plnctl person --help``, a TAB) shows stand-ins
carrying the help text and builds nothing. Anything that walks ``commands``
(docs/gen_reference.py, the docs and completion tests) still sees the whole tree, built as it
goes.
"""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.core import Command, Context
from typer._click.shell_completion import CompletionItem
from typer.core import TyperCommand, TyperGroup
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

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


class LazyCommands(MutableMapping[str, Command]):
    """A group's subcommands: every name is present; its command is built on first access
    (``build``), and a listing gets ``stand_in(name)`` until then."""

    def __init__(
        self,
        names: list[str],
        build: Callable[[str], Command | None],
        stand_in: Callable[[str], Command | None],
        built: Mapping[str, Command],
    ):
        self._names, self._build, self._stand_in = names, build, stand_in
        self._built = dict(built)
        self._removed: set[str] = set()

    def __getitem__(self, name: str) -> Command:
        if name in self._removed:
            raise KeyError(name)
        if name not in self._built:
            command = self._build(name)
            if command is None:
                raise KeyError(name)
            self._built[name] = command
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys([*self._names, *self._built])
        return iter([n for n in names if n not in self._removed])

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

    def listed(self, name: str) -> Command:
        """What a listing shows for ``name``: the command if built, else its stand-in."""
        return self.loaded(name) or self._stand_in(name) or self[name]


class _Listing(TyperGroup):
    """TyperGroup's listing (help, completion) from ``LazyCommands.listed``: TyperGroup's
    own would build every command to read its help."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(self.commands)

    def _listed(self, ctx: Context) -> list[tuple[str, Command]]:
        assert isinstance(self.commands, LazyCommands)
        shown = [(name, self.commands.listed(name)) for name in self.list_commands(ctx)]
        return [(name, command) for name, command in shown if not command.hidden]

    def format_commands(self, ctx: Context, formatter: Any) -> None:
        shown = self._listed(ctx)
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in shown])

    def shell_complete(self, ctx: Context, incomplete: str) -> list[CompletionItem]:
        items = [
            CompletionItem(name, help=command.get_short_help_str())
            for name, command in self._listed(ctx)
            if name.startswith(incomplete)
        ]
        return items + Command.shell_complete(self, ctx, incomplete)


class _LazySubGroup(_Listing):
    """A command group (``plnctl person``) whose commands are built when looked up."""


def _rank(module: str, modules: tuple[str, ...]) -> int:
    return modules.index(module) if module in modules else len(modules)


def _order(command: Command, modules: tuple[str, ...]) -> int:
    """List a fully built group's commands by the module that defines them, in ``modules``
    order (then as registered): a group that several modules add to (``export``) then reads
    the same whichever of them an earlier command in the same process imported first.
    Returns the command's rank."""
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return _rank(getattr(command.callback, "__module__", ""), modules)
    if isinstance(subcommands, LazyCommands):
        return 0  # ordered when it was made (LazyGroup._group)
    ranks = {name: _order(sub, modules) for name, sub in subcommands.items()}
    order = sorted(subcommands, key=ranks.__getitem__)  # stable: registration order within
    command.commands = {name: subcommands[name] for name in order}  # type: ignore[attr-defined]
    return min(ranks.values())


def _default(*values: Any) -> bool:
    return all(value is None or isinstance(value, DefaultPlaceholder) for value in values)


class LazyGroup(_Listing):
    """The root. Subclasses set ``lazy_table`` (top-level name -> modules, one-line help) and
    ``lazy_modules`` (every command module, in order: what a name missing from the table is
    looked up in). Each module has ``register(app)``, adding its commands to a typer app."""

    lazy_table: ClassVar[Table] = {}
    lazy_modules: ClassVar[tuple[str, ...]] = ()
    pretty_exceptions_short = True  # typer.Typer's default, passed on as typer would

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        seeded = dict(self.commands)  # registered on the app itself: built by typer already
        self.commands = LazyCommands(list(self.lazy_table), self.build, self._summary, seeded)
        for command in seeded.values():
            self.built(command)

    def _summary(self, name: str) -> Command | None:
        entry = self.lazy_table.get(name)
        return None if entry is None else TyperCommand(name=name, help=entry[1])

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
            if _name(info) == name:
                command = self._command(info)
        for group in scratch.registered_groups:
            if group.name == name:
                command = self._group(group)
        if command is not None:
            _order(command, self.lazy_modules)
            self.built(command)
        return command

    def built(self, command: Command) -> None:
        """Called with each command as it is built (for subclasses)."""

    def _command(self, info: CommandInfo) -> Command:
        return typer.main.get_command_from_info(
            info,
            pretty_exceptions_short=self.pretty_exceptions_short,
            rich_markup_mode=self.rich_markup_mode,
        )

    def _group(self, info: TyperInfo) -> Command:
        """The group of ``info`` with its commands built on lookup (its subgroups, if any,
        and a group with its own click class are built whole, as typer does)."""
        instance = info.typer_instance
        assert instance is not None
        callback = instance.registered_callback
        lazy = _default(info.cls, instance.info.cls, callback.cls if callback else None)
        if lazy:
            info = copy.copy(info)
            info.cls, info.typer_instance = _LazySubGroup, copy.copy(instance)
            info.typer_instance.registered_commands = []
        group = typer.main.get_group_from_info(
            info,
            pretty_exceptions_short=self.pretty_exceptions_short,
            rich_markup_mode=self.rich_markup_mode,
            suggest_commands=self.suggest_commands,
        )
        if lazy:
            infos = sorted(
                instance.registered_commands,
                key=lambda i: _rank(getattr(i.callback, "__module__", ""), self.lazy_modules),
            )
            by_name = {_name(i): i for i in infos}

            def build(name: str) -> Command | None:
                if name not in by_name:
                    return None
                command = self._command(by_name[name])
                self.built(command)
                return command

            def stand_in(name: str) -> Command | None:
                return _stand_in(by_name[name]) if name in by_name else None

            group.commands = LazyCommands(list(by_name), build, stand_in, group.commands)  # type: ignore[attr-defined]
        return group


def _name(info: CommandInfo) -> str:
    assert info.callback is not None
    return info.name or typer.main.get_command_name(info.callback.__name__)


def _stand_in(info: CommandInfo) -> Command:
    """What a listing needs of a command (its help, as get_command_from_info reads it),
    without evaluating its signature."""
    text = inspect.cleandoc(info.help) if info.help is not None else inspect.getdoc(info.callback)
    return TyperCommand(
        name=_name(info),
        help=text,
        short_help=info.short_help,
        hidden=info.hidden,
        deprecated=info.deprecated,
    )
