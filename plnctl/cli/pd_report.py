"""plnctl pd suggest|report: from what you did to what your registration body asks for"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.pd import JsonOpt, pd_app


class ReportFormat(StrEnum):
    HTML = "html"
    CSV = "csv"
    MD = "md"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """The commands join ``plnctl pd`` (registered by plnctl.cli.pd)."""


@pd_app.command("suggest")
def suggest(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option("--since", help="What you did since: 7d, 2w or a date.")
    ] = "7d",
    json: JsonOpt = False,
) -> None:
    """Log entries proposed from what you read, saved, noted, asked and shared. Nothing is
    logged: accept one with `plnctl pd add --from-suggestion N` (the numbers stay those of
    this list until you run suggest again).

    Example: plnctl pd suggest --since 7d
    """
    found = pln(ctx).pd.suggest(since=since)
    if json:
        output.emit_json([{"number": n, **s.to_dict()} for n, s in enumerate(found, start=1)])
        return
    if not found:
        output.info("Nothing to suggest: read, save or note posts, or ask your network.")
        return
    for number, s in enumerate(found, start=1):
        output.lines([f"[{number}] {s.date}  {s.minutes / 60:.2g} h  {s.type}  "
                      f"{', '.join(s.standards)}  {s.title}", f"    {s.reason}"])  # fmt: skip
        output.lines(f"    {url}" for url in s.evidence[:5])
        if s.reflection:
            output.lines([f"    reflection (from your notes): {s.reflection}"])
    output.info("Accept with: plnctl pd add --from-suggestion N (or all)")


@pd_app.command("report")
def report(
    ctx: typer.Context,
    framework: Annotated[
        str, typer.Option("--framework", help="nesa, vit, trb-sa, gtcs, texas, ny-ctle or generic.")
    ] = "generic",
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day (YYYY-MM-DD; default: one period of the framework before --to).",
        ),
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (default today).")] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html (printable), csv, md or json.")
    ] = ReportFormat.HTML,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for Excel: UTF-8 BOM and CRLF lines.")
    ] = False,
    output_file: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (atomically).")
    ] = None,
) -> None:
    """Your log as your registration body asks for it: each entry's fields, hours by
    standard, domain and type, and progress against the requirement (caps applied).

    Example: plnctl pd report --framework nesa --from 2026-01-01 --to 2026-12-31 --format html -o pd.html
    """
    text = pln(ctx).pd.report(framework, start=start, end=end, fmt=fmt.value,
                              excel=excel, output=output_file)  # fmt: skip
    if output_file is None:
        output.write_text(text)
    else:
        output.info(f"Wrote {output_file}")
