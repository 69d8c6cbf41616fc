"""plnctl import bluesky-follows|bluesky-starter-pack (the Bluesky people themselves are added
with person add --bluesky / source add)."""

from __future__ import annotations

from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.transfer import import_app, report_import

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def register(app: typer.Typer) -> None:
    """The commands hang on the import group (defined in plnctl.cli.transfer)."""


@import_app.command("bluesky-follows")
def import_follows(
    ctx: typer.Context,
    handle: Annotated[
        str, typer.Argument(help="Whose public follows to import: @name.bsky.social or a DID.")
    ],
    json: JsonOpt = False,
) -> None:
    """Follow everyone a Bluesky account follows (read from the public AppView; no login).
    One person per account; people you already follow by that account are merged.

    Example: plnctl import bluesky-follows @amara.bsky.social
    """
    with output.working(f"Reading who {handle} follows"):
        report = pln(ctx, create=True).bluesky.import_follows(handle)
    report_import(report, json=json, what="Bluesky follows import")


@import_app.command("bluesky-starter-pack")
def import_starter_pack(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Argument(help="https://bsky.app/starter-pack/HANDLE/RKEY, or the pack's at:// URI."),
    ],
    json: JsonOpt = False,
) -> None:
    """Follow every member of a Bluesky starter pack (e.g. a teachers' pack for #EduSky).

    Example: plnctl import bluesky-starter-pack https://bsky.app/starter-pack/amara.bsky.social/3kx
    """
    with output.working("Reading the starter pack"):
        report = pln(ctx, create=True).bluesky.import_starter_pack(url)
    report_import(report, json=json, what="Starter pack import")
