"""Output helpers: data on stdout (tables on a TTY, plain tab-separated text otherwise, JSON on
request), messages on stderr. Render functions elsewhere return lines; this prints them.

Every string printed here passes the terminal encoder (``plnctl.render.terminal``): escape
sequences, controls and bidi overrides from feeds and servers never reach the terminal, and
rich markup in them is printed literally. Commands print through these helpers only (a test
checks), so a new command gets the same protection.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Annotated, Any

import typer

from plnctl.errors import NotConfirmed, innermost, one_line
from plnctl.render import jsontext
from plnctl.render.terminal import clean, clean_line

if TYPE_CHECKING:
    from rich.console import Console

    out: Console  # stdout and stderr, made on first use (__getattr__ below)
    err: Console


def __getattr__(name: str) -> Any:
    """``out`` and ``err``, the rich consoles, made when first used: importing rich costs
    ~20 ms that a command printing plain text (not a terminal) or nothing never needs."""
    if name not in ("out", "err"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit 1; the CLI root turns this into a quiet exit 141 like every
            # command.
            raise BrokenPipeError

    consoles = globals()
    # emoji=False: rich would draw a stranger's ":coffee:" as an emoji even with markup off
    consoles.setdefault("out", _Console(highlight=False, soft_wrap=True, emoji=False))
    consoles.setdefault("err", _Console(stderr=True, highlight=False, soft_wrap=True, emoji=False))
    return consoles[name]


def _out() -> Console:
    return globals().get("out") or __getattr__("out")  # type: ignore[no-any-return]


def _err() -> Console:
    return globals().get("err") or __getattr__("err")  # type: ignore[no-any-return]


def is_terminal(name: str = "out") -> bool:
    """rich's ``Console.is_terminal`` for stdout or stderr, without importing rich where its
    answer is certain: no TTY_COMPATIBLE or FORCE_COLOR in the environment and no TTY."""
    stream = sys.stdout if name == "out" else sys.stderr
    if "TTY_COMPATIBLE" not in os.environ and "FORCE_COLOR" not in os.environ:
        try:
            if not stream.isatty():
                return False
        except (AttributeError, ValueError):  # no isatty, or a closed file: rich says no too
            return False
    return (_out() if name == "out" else _err()).is_terminal


def _print(name: str, text: str, style: str | None = None) -> None:
    """One line of plain text (markup never interpreted) on stdout or stderr, through rich.
    Off a terminal rich writes exactly the text and a newline (tabs aside: it expands them),
    so that is written without importing rich, unless a console was made already."""
    if name not in globals() and "\t" not in text and not is_terminal(name):
        (sys.stdout if name == "out" else sys.stderr).write(text + "\n")
        return
    (_out() if name == "out" else _err()).print(text, style=style, markup=False)


def emit_json(data: Any) -> None:
    """One JSON document on stdout (models via to_dict())."""
    sys.stdout.write(jsontext.dumps(_plain(data), default=str) + "\n")


def _plain(data: Any) -> Any:
    if hasattr(data, "to_dict"):
        return data.to_dict()
    if isinstance(data, list | tuple):
        return [_plain(item) for item in data]
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    return data


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """A rich table on a terminal; tab-separated lines with a header otherwise (for grep/cut)."""
    cells = [[clean_line("" if cell is None else str(cell)) for cell in row] for row in rows]
    if is_terminal("out"):
        from rich.table import Table
        from rich.text import Text

        grid = Table(title=title, show_edge=False, header_style="bold")
        for column in columns:
            grid.add_column(column, overflow="fold")
        for row in cells:
            grid.add_row(*(Text(cell) for cell in row))  # Text: markup in a cell stays literal
        _out().print(grid)
        return
    sys.stdout.write("\t".join(columns) + "\n")
    for row in cells:
        sys.stdout.write("\t".join(row) + "\n")


def lines(text_lines: Iterable[str]) -> None:
    for line in text_lines:
        sys.stdout.write(clean(line) + "\n")


def say(text: str = "", *, style: str | None = None) -> None:
    """One line of a report on stdout, styled on a terminal (markup never interpreted)."""
    _print("out", clean(text), style)


def say_parts(parts: Iterable[tuple[str, str]]) -> None:
    """One line on stdout from (text, style) pieces, e.g. a search snippet's highlights."""
    from rich.text import Text

    _out().print(Text.assemble(*[(clean_line(text), style) for text, style in parts]))


def write_text(text: str) -> None:
    """A document (an export, a digest) on stdout exactly as rendered: its format's own
    encoder (CSV, XML, Markdown, HTML, or ``terminal.clean`` for text) already ran."""
    (globals()["out"].file if "out" in globals() else sys.stdout).write(text)


def working(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while a long call runs (only on a terminal; nothing in cron)."""
    if is_terminal("err"):
        from rich.text import Text

        return _err().status(Text(clean_line(message)))
    return nullcontext()


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None] | None]:
    """A callback ``(label, done, total)`` drawing a progress bar on stderr while the block
    runs, on a terminal only (None elsewhere, so cron output stays quiet). The bar (and
    rich.progress) is only set up when the callback is first called."""
    if not is_terminal("err"):
        yield None
        return
    state: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        if "bar" not in state:
            from rich.progress import Progress

            state["bar"] = Progress(console=_err(), transient=True)
            state["bar"].start()
        bar = state["bar"]
        if label not in state:
            state[label] = bar.add_task(label, total=total or 1)
        bar.update(state[label], completed=done, total=total or 1)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def info(message: str) -> None:
    """Progress and confirmations: stderr, so stdout stays clean for data."""
    _print("err", clean(message))


def warn(message: str) -> None:
    _print("err", f"Warning: {clean(message)}", "yellow")


def error(message: str) -> None:
    _print("err", f"Error: {clean_line(message)}", "red")


def failed(message: str) -> None:
    """A per-item failure inside a report (a source in a sync), in red on stderr."""
    _print("err", clean_line(message), "red")


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (tests and pagers swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _OneLine(logging.Formatter):
    """A log record as one terminal-safe line; the traceback only when asked for (-vv,
    --debug). ``log.exception`` in the library then costs a plain sync one line on stderr."""

    def __init__(self, tracebacks: bool):
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname} {record.name}: {clean_line(record.getMessage())}"
        if record.exc_info and record.exc_info[1] is not None:
            if self.tracebacks:
                return clean(line + "\n" + self.formatException(record.exc_info))
            exc = innermost(record.exc_info[1])
            line += f": {type(exc).__name__}: {clean_line(one_line(str(exc)))}"
        return line


def configure_logging(verbose: int, debug: bool) -> None:
    """Warnings and errors always (one line each); -v adds info, -vv or --debug adds debug
    messages and tracebacks (with -v, the libraries' records too, e.g. httpx's requests)."""
    for name in ("", "plnctl"):
        named = logging.getLogger(name)
        for old in [h for h in named.handlers if isinstance(h, _StderrHandler)]:
            named.removeHandler(old)
    handler = _StderrHandler()
    handler.setFormatter(_OneLine(tracebacks=verbose > 1 or debug))
    if verbose or debug:
        logging.getLogger("plnctl").setLevel(logging.NOTSET)
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.DEBUG if verbose > 1 or debug else logging.INFO)
    else:
        logging.getLogger("plnctl").addHandler(handler)
        logging.getLogger("plnctl").setLevel(logging.WARNING)


YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
]


def confirm(question: str, *, yes: bool) -> None:
    """Ask before deleting user data: on a terminal a y/N question (no: exit 1, nothing
    changed); without a terminal the command refuses unless --yes was given (exit 2)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise NotConfirmed(f"{question} Nothing was changed: no terminal to ask on; add --yes")
    if not typer.confirm(f"{question}", default=False, err=True):
        info("Nothing was changed.")
        raise typer.Exit(1)


def notes(items: Iterable[tuple[bool, str]]) -> None:
    """(is_warning, line) pairs from a render function, to stderr."""
    for is_warning, line in items:
        (warn if is_warning else info)(line)
