"""plnctl import ... / plnctl export ...: move your network in and out."""

from __future__ import annotations

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
    Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
]


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.add_typer(export_app, name="export")


def write_output(text: str, path: Path | None) -> None:
    """Write atomically to a file (never a half-written file), or to stdout."""
    if path is None:
        output.write_text(text)
        return
    from plnctl.api.transfer import write_export

    write_export(path, text)
    output.info(f"Wrote {path}")


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
    file: Annotated[Path, typer.Argument(help="An OPML file exported from a feed reader.")],
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Import subscriptions: each feed becomes a person; folders become their topics.
    Feeds you already follow are skipped.

    Example: plnctl import opml feedly.opml
    """
    from plnctl.api.transfer import import_opml as run_import

    report_import(run_import(pln(ctx), file), json=json, what="OPML import")


@export_app.command("opml")
def export_opml(ctx: typer.Context, output_file: OutputOpt = None) -> None:
    """Write every feed you follow as OPML 2.0 (newsboat, rss2email, any reader import it).

    Example: plnctl export opml -o pln.opml
    """
    from plnctl.api.transfer import export_opml as run_export

    write_output(run_export(pln(ctx)), output_file)
