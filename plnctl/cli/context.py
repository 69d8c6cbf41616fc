"""Global options and the lazily opened database for the running command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from plnctl.api import Pln


class State:
    """The root's options and the database once opened (a plain class: a dataclass would cost
    ~0.5 ms of every start-up to make)."""

    def __init__(self) -> None:
        self.db: Path | None = None
        self.debug = False
        self.verbose = 0
        self.announce = False
        self._pln: Pln | None = None

    def pln(self, *, create: bool = False) -> Pln:
        """The database, opened on first use. Only commands that build a network pass
        ``create``: for the others a ``--db``/``PLNCTL_DB`` path that does not exist is an
        error. Such a command that made a new database file says where when it succeeded
        (``announce``; once, as the file then exists)."""
        if self._pln is None:
            from plnctl.api import open_pln
            from plnctl.cli import output

            with output.progress_bar() as progress:
                self._pln = open_pln(self.db, create=create, progress=progress)
            self.announce = create and self._pln.created
            for notice in self._pln.take_notices():
                output.info(notice)
        return self._pln

    def opened(self) -> Pln | None:
        """The database if this command opened one (for error messages), without opening it."""
        return self._pln

    def close(self, *, succeeded: bool = False) -> None:
        if self._pln is not None and self.announce and succeeded:
            from plnctl.cli import output

            output.info(f"Created a new plnctl database at {self._pln.store.path}")
        if self._pln is not None:
            self._pln.close()
            self._pln = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def pln(ctx: typer.Context, *, create: bool = False) -> Pln:
    return state(ctx).pln(create=create)
