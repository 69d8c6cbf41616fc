"""plnctl bluesky login|status|logout, plnctl import bluesky-follows|bluesky-starter-pack (the
Bluesky people themselves are added with person add --bluesky / source add)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from plnctl.cli import output
from plnctl.cli.context import pln
from plnctl.cli.transfer import import_app, report_import

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]

bluesky_app = typer.Typer(
    help="Log in to your Bluesky account with an app password (needed to post questions and "
    "share); following people on Bluesky needs no login.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """login/status/logout; the imports hang on the import group (plnctl.cli.transfer)."""
    app.add_typer(bluesky_app, name="bluesky")


@bluesky_app.command("login")
def login(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="Your handle, e.g. ms-rivera.bsky.social.")],
) -> None:
    """Log in with an app password (Bluesky: Settings > Privacy and security > App passwords),
    typed when asked (not shown) or read from $PLNCTL_BLUESKY_APP_PASSWORD. The password is
    sent once and never stored; the session is kept in a file only you can read (mode 0600).

    Example: plnctl bluesky login ms-rivera.bsky.social
    """
    from plnctl.api.bluesky_account import PASSWORD_ENV, looks_like_app_password

    password = os.environ.get(PASSWORD_ENV) or typer.prompt(
        "App password", hide_input=True, err=True
    )
    if not looks_like_app_password(password):
        output.warn(
            "that is not an app password (xxxx-xxxx-xxxx-xxxx): an app password can be revoked "
            "on its own and cannot change your account; create one in Bluesky's settings"
        )
    me = pln(ctx).bluesky.account.login(handle, password)
    output.info(f"Logged in to Bluesky as {me['handle']}.")


@bluesky_app.command("status")
def status(ctx: typer.Context, json: JsonOpt = False) -> None:
    """Show the Bluesky account you are logged in as (checked with the server).

    Example: plnctl bluesky status --json
    """
    found = pln(ctx).bluesky.account.status()
    if json:
        output.emit_json(found)
        return
    if not found["logged_in"]:
        output.info("Not logged in to Bluesky (plnctl bluesky login HANDLE).")
        return
    output.lines([f"{found['handle']} ({found['did']}) on {found['service']}"])


@bluesky_app.command("logout")
def logout(ctx: typer.Context) -> None:
    """End the session on the server and delete the session file.

    Example: plnctl bluesky logout
    """
    handle = pln(ctx).bluesky.account.logout()
    output.info(f"Logged out of Bluesky (@{handle})." if handle else "Not logged in to Bluesky.")


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
