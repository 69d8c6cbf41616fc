"""plnctl import ... / plnctl export ...: move your network in and out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln

if TYPE_CHECKING:
    from plnctl.api.transfer import ImportReport

import_app = typer.Typer(help="Bring people and sources in from other tools.", no_args_is_help=True)
export_app = typer.Typer(
    help="Write your network or reading list for other tools.", no_args_is_help=True
)

OutputOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write to this file instead of stdout ('-': stdout)."),
]


ExcelOpt = Annotated[
    bool,
    typer.Option("--excel", help="Start with a UTF-8 byte order mark so Excel shows accents."),
]


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")


def output_path(path: Path | None) -> Path | None:
    """``-o -`` means stdout, as in every Unix tool."""
    return None if path is None or str(path) == "-" else path


def input_data(path: Path) -> Path | bytes:
    """``-`` means stdin: its bytes; any other path is read by the API."""
    return sys.stdin.buffer.read() if str(path) == "-" else path


def write_output(text: str, path: Path | None) -> None:
    """Write atomically to a file (never a half-written file), or to stdout."""
    path = output_path(path)
    if path is None:
        output.write_text(text)
        return
    from plnctl.api.transfer import write_export

    output.info(f"Wrote {write_export(path, text)}")


def report_import(report: ImportReport, *, json: bool, what: str) -> None:
    """Print an import's report: JSON on stdout, or problems and counts on stderr."""
    if json:
        output.emit_json(report)
        return
    for problem in report.problems:
        output.warn(problem)
    output.info(
        f"{what}: {report.created} created, {report.merged} merged with people you follow, "
        f"{report.skipped} skipped (already followed)"
        + (f", {len(report.problems)} problem(s)" if report.problems else "")
        + "."
    )


@import_app.command("opml")
def import_opml(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="An OPML file exported from a feed reader ('-': stdin).")
    ],
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import subscriptions: each feed becomes a person; folders (nested ones as
    Teaching/Maths) and categories become their topics; a Mastodon RSS address becomes the
    account. Feeds you already follow are skipped; an outline with a bad address is reported
    and left out.

    Example: plnctl import opml feedly.opml
    """
    from plnctl.api.transfer import import_opml as run_import

    report_import(
        run_import(pln(ctx, create=True), input_data(file)), json=json, what="OPML import"
    )


@export_app.command("opml")
def export_opml(ctx: typer.Context, output_file: OutputOpt = None) -> None:
    """Write every feed and Mastodon account you follow as OPML 2.0, with each person's
    topics (newsboat, rss2email, any reader import it; plnctl imports it back whole).

    Example: plnctl export opml -o pln.opml
    """
    from plnctl.api.transfer import export_opml as run_export

    write_output(run_export(pln(ctx)), output_file)


@export_app.command("backup")
def export_backup(
    ctx: typer.Context,
    output_file: Annotated[
        Path, typer.Option("-o", "--output", help="The backup file to write ('-': stdout).")
    ],
    json: Annotated[bool, typer.Option("--json", help="Print what was saved as JSON.")] = False,
) -> None:
    """Write a consistent copy of the whole database (everything plnctl knows, notes
    included; credentials are not in it). Safe while a sync runs.

    Example: plnctl export backup -o pln-backup.db
    """
    from plnctl.api.transfer import export_backup as run_export

    path = output_path(output_file)
    report, data = run_export(pln(ctx), path)
    if data is not None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    elif json:
        output.emit_json(report)
    else:
        output.info(f"Wrote {path}: " + _counts(report.counts))


@import_app.command("backup")
def import_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file from plnctl export backup ('-': stdin).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database that is not empty.")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print what was restored as JSON.")] = False,
) -> None:
    """Restore a backup into an empty database (a non-empty one only with --replace). Files
    that are not plnctl databases are refused.

    Example: plnctl --db new.db import backup pln-backup.db
    """
    from plnctl.api.transfer import import_backup as run_import

    data = input_data(file)
    report = run_import(pln(ctx, create=True), data, replace=replace)
    if json:
        output.emit_json(report)
    else:
        output.info("Restored: " + _counts(report.counts))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {table}" for table, count in counts.items()) + "."
