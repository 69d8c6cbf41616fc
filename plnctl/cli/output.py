"""Output helpers: data on stdout (tables on a TTY, plain tab-separated text otherwise, JSON on
request), messages on stderr. Render functions elsewhere return lines; this prints them."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    """One JSON document on stdout (models via to_dict())."""
    sys.stdout.write(json.dumps(_plain(data), indent=2, ensure_ascii=False, default=str) + "\n")


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
    rows = [["" if cell is None else str(cell) for cell in row] for row in rows]
    if out.is_terminal:
        grid = Table(title=title, show_edge=False, header_style="bold")
        for column in columns:
            grid.add_column(column, overflow="fold")
        for row in rows:
            grid.add_row(*row)
        out.print(grid)
        return
    sys.stdout.write("\t".join(columns) + "\n")
    for row in rows:
        sys.stdout.write(
            "\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in row) + "\n"
        )


def lines(text_lines: Iterable[str]) -> None:
    for line in text_lines:
        sys.stdout.write(line + "\n")


def working(message: str) -> AbstractContextManager[object]:
    """A spinner on stderr while a long call runs (only on a terminal; nothing in cron)."""
    if err.is_terminal:
        return err.status(message)
    return nullcontext()


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None] | None]:
    """A callback ``(label, done, total)`` drawing a progress bar on stderr while the block
    runs, on a terminal only (None elsewhere, so cron output stays quiet). The bar (and
    rich.progress) is only set up when the callback is first called."""
    if not err.is_terminal:
        yield None
        return
    state: dict[str, Any] = {}

    def update(label: str, done: int, total: int) -> None:
        if "bar" not in state:
            from rich.progress import Progress

            state["bar"] = Progress(console=err, transient=True)
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
    err.print(message, markup=False)


def warn(message: str) -> None:
    err.print(f"Warning: {message}", markup=False, style="yellow")


def error(message: str) -> None:
    err.print(f"Error: {message}", markup=False, style="red")


def notes(items: Iterable[tuple[bool, str]]) -> None:
    """(is_warning, line) pairs from a render function, to stderr."""
    for is_warning, line in items:
        (warn if is_warning else info)(line)
